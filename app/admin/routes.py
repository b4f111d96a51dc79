"""Routes of the administrator area. Each change is audited and committed here."""

from __future__ import annotations

import uuid
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import extract, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app.admin import bp
from app.admin.forms import (
    DAY_KIND_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    ActionForm,
    AgencyForm,
    ApiTokenForm,
    CalendarDayForm,
    GroupForm,
    PasswordResetForm,
    RetireForm,
    SignerForm,
    TemplateUploadForm,
    UserCreateForm,
    UserEditForm,
    options,
    show_refusal,
)
from app.extensions import db
from app.inputs import arg_int
from app.lists import export, list_view, wants_export
from app.models import (
    ROLE_LABELS,
    Agency,
    AgencyGroup,
    AgencySigner,
    AgencyTemplate,
    ApiToken,
    CalendarDay,
    Role,
    User,
)
from app.services import (
    agencies,
    api_tokens,
    audit,
    exchange,
    groups,
    header_names,
    passwords,
    policy,
    signers,
    storage,
    uploads,
)
from app.services import calendar as workcal
from app.services.clock import today
from app.services.exceptions import InvalidInput
from app.services.jobs import enqueue_after_commit
from app.ui import date_table
from forms import bounds

PER_PAGE = 20
AGENCY_FIELDS = (
    "code",
    "name",
    "short_name",
    "abbreviation",
    "level",
    "place",
    "header_parent",
    "header_name",
    "valid_from",
)


def _action_ok() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


class _CalendarRef:
    """The audit trail's handle on a calendar day (its key is a date, the trail wants an int)."""

    __tablename__ = "calendar_day"

    def __init__(self, day: date | None) -> None:
        self.id = int(day.strftime("%Y%m%d")) if day else 0


@bp.route("/")
def index():
    return render_template("admin/index.html")


# ----------------------------------------------------------------------------- agencies


def _agency_choices(exclude: Agency | None = None, none_label: str = "") -> list:
    rows = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    on = today()
    return options(
        [(0, none_label or gettext("— Không có —"))]
        + [
            (a.id, a.name + ("" if a.is_active(on) else " (" + gettext("đã hết hiệu lực") + ")"))
            for a in rows
            if exclude is None or a.id != exclude.id
        ],
        translate=False,
    )


def agency_list_args() -> dict:
    return {
        "stmt": select(Agency).options(selectinload(Agency.successor)),
        "search": [Agency.name, Agency.short_name, Agency.code, Agency.abbreviation, Agency.place],
        "sorts": {
            "ma": Agency.code,
            "ten": Agency.name,
            "cap": Agency.level,
            "hieu-luc": Agency.valid_to,
        },
        "default": "ten",
    }


@bp.route("/co-quan")
def agencies_list():
    if wants_export():
        on = today()
        return export(
            "Danh sách cơ quan",
            agency_list_args(),
            [
                ("Mã", lambda a: a.code),
                ("Mã định danh", lambda a: a.organ_id or ""),
                ("Tên cơ quan", lambda a: a.name),
                ("Tên viết tắt", lambda a: a.abbreviation),
                ("Cấp", lambda a: gettext(LEVEL_LABELS.get(a.level, a.level))),
                ("Địa danh", lambda a: a.place),
                ("Hiệu lực từ", lambda a: a.valid_from),
                ("Hiệu lực đến", lambda a: a.valid_to),
                ("Đang hoạt động", lambda a: a.is_active(on)),
            ],
        )
    view = list_view("admin.agencies_list", **agency_list_args(), per_page=PER_PAGE)
    return render_template(
        "admin/agencies.html",
        view=view,
        page=view.page,
        q=view.q,
        today=today(),
        levels=LEVEL_LABELS,
    )


def _save_agency(form: AgencyForm, agency: Agency | None):  # noqa: ANN202
    code = form.code.data.strip()
    clash = db.session.scalar(select(Agency).where(Agency.code == code))
    if clash is not None and clash is not agency:
        form.code.errors.append(gettext("“Mã cơ quan” đã được dùng cho cơ quan khác."))
        return None
    try:
        organ_id = exchange.clean_organ_id(form.organ_id.data)
    except InvalidInput as exc:
        show_refusal(form, exc, "organ_id")
        return None
    taken = (
        db.session.scalar(select(Agency).where(Agency.organ_id == organ_id)) if organ_id else None
    )
    if taken is not None and taken is not agency:
        form.organ_id.errors.append(
            gettext("“Mã định danh” đã được dùng cho %(name)s.", name=taken.name)
        )
        return None
    if agency is not None and form.parent_id.data == agency.id:
        form.parent_id.errors.append(gettext("“Cơ quan cấp trên” không thể là chính cơ quan này."))
        return None
    creating = agency is None
    if agency is None:
        agency = Agency(code=code)
        db.session.add(agency)
    before = {f: getattr(agency, f, None) for f in AGENCY_FIELDS + ("parent_id", "organ_id")}
    for f in AGENCY_FIELDS:
        value = getattr(form, f).data
        setattr(agency, f, value.strip() if isinstance(value, str) else value)
    agency.short_name = agency.short_name or None
    agency.header_parent = agency.header_parent or None
    agency.header_name = (
        "\n".join(line.strip() for line in agency.header_name.splitlines() if line.strip())
        if agency.header_name
        else None
    )
    agency.parent_id = form.parent_id.data or None
    agency.organ_id = organ_id
    db.session.flush()
    changed = {
        f: [
            str(before[f]) if before[f] is not None else None,
            str(getattr(agency, f)) if getattr(agency, f) is not None else None,
        ]
        for f in before
        if before[f] != getattr(agency, f)
    }
    audit.record(
        current_user,
        agency,
        "create" if creating else "update",
        comment=agency.name,
        data={"changes": changed},
    )
    db.session.commit()
    flash(
        gettext("Đã thêm cơ quan “%(name)s”.", name=agency.name)
        if creating
        else gettext("Đã lưu cơ quan “%(name)s”.", name=agency.name),
        "info",
    )
    return redirect(url_for("admin.agencies_list"))


def _header_default(agency: Agency | None) -> str:
    """The agency's name in the header as it prints now, lines separated by " / "."""
    if agency is None:
        return "—"
    return " / ".join(header_names.header_lines(agency.name, agency.header_name))


@bp.route("/co-quan/them", methods=["GET", "POST"])
def agency_create():
    form = AgencyForm()
    form.parent_id.choices = _agency_choices()
    if form.validate_on_submit() and (done := _save_agency(form, None)):
        return done
    return render_template(
        "admin/agency_form.html", form=form, agency=None, header_default=_header_default(None)
    )


@bp.route("/co-quan/<int:agency_id>", methods=["GET", "POST"])
def agency_edit(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = AgencyForm(obj=agency if request.method == "GET" else None)
    if request.method == "GET":
        form.parent_id.data = agency.parent_id or 0
    form.parent_id.choices = _agency_choices(exclude=agency)
    if form.validate_on_submit() and (done := _save_agency(form, agency)):
        return done
    return render_template(
        "admin/agency_form.html",
        form=form,
        agency=agency,
        today=today(),
        header_default=_header_default(agency),
    )


@bp.route("/co-quan/<int:agency_id>/giai-the", methods=["GET", "POST"])
def agency_retire(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = RetireForm()
    form.successor_id.choices = _agency_choices(
        exclude=agency, none_label=gettext("— Không có cơ quan kế nhiệm —")
    )
    if request.method == "GET":
        form.on.data = today()
    if form.validate_on_submit():
        successor = (
            db.session.get(Agency, form.successor_id.data) if form.successor_id.data else None
        )
        try:
            on = form.on.data
            assert on is not None  # a required field of a validated form
            moved = agencies.retire(agency, on, successor, current_user)
        except InvalidInput as exc:
            form.successor_id.errors.append(str(exc))
        else:
            rows = (
                [
                    {
                        "plan": a.plan.title,
                        "code": a.plan.code,
                        "to": (
                            a.agency.name
                            if a.agency_id == successor.id
                            else gettext("%(name)s (gộp vào phần việc sẵn có)", name=successor.name)
                        ),
                    }
                    for a in moved
                ]
                if successor
                else []
            )
            db.session.commit()
            flash(
                gettext(
                    "Đã ghi nhận “%(name)s” hết hiệu lực sau ngày %(d)s.",
                    name=agency.name,
                    d=date_table(form.on.data),
                ),
                "info",
            )
            return render_template(
                "admin/agency_retired.html", agency=agency, successor=successor, moved=rows
            )
    return render_template("admin/agency_retire.html", form=form, agency=agency)


# ----------------------------------------------------------------------------- users


def _user_agency_choices() -> list:
    on = today()
    rows = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    return options(
        [(0, gettext("— Chọn cơ quan —"))] + [(a.id, a.name) for a in rows if a.is_active(on)],
        translate=False,
    )


def user_list_args() -> dict:
    return {
        "stmt": select(User)
        .join(Agency, Agency.id == User.agency_id)
        .options(selectinload(User.agency)),
        "search": [User.username, User.full_name, User.email, Agency.name],
        "sorts": {
            "ten-dang-nhap": User.username,
            "ho-ten": [User.full_name, User.username],
            "co-quan": [Agency.name, User.username],
            "trang-thai": User.active,
        },
        "default": "ho-ten",
    }


@bp.route("/nguoi-dung")
def users_list():
    if wants_export():
        return export(
            "Danh sách người dùng",
            user_list_args(),
            [
                ("Tên đăng nhập", lambda u: u.username),
                ("Họ và tên", lambda u: u.full_name),
                ("Thư điện tử", lambda u: u.email or ""),
                ("Cơ quan", lambda u: u.agency.name),
                (
                    "Vai trò",
                    lambda u: ", ".join(gettext(ROLE_LABELS[r]) for r in sorted(u.roles)),
                ),
                ("Đang hoạt động", lambda u: u.active),
            ],
        )
    view = list_view("admin.users_list", **user_list_args(), per_page=PER_PAGE)
    return render_template(
        "admin/users.html", view=view, page=view.page, q=view.q, role_labels=ROLE_LABELS
    )


@bp.route("/nguoi-dung/them", methods=["GET", "POST"])
def user_create():
    form = UserCreateForm()
    form.agency_id.choices = _user_agency_choices()
    if form.validate_on_submit():
        username = form.username.data.strip()
        weak = passwords.problems(form.password.data, username, form.full_name.data or "")
        if db.session.scalar(select(User).where(User.username == username)) is not None:
            form.username.errors.append(gettext("“Tên đăng nhập” đã có người dùng."))
        elif weak:
            form.password.errors.extend(weak)
        else:
            user = User(
                username=username,
                full_name=form.full_name.data.strip(),
                email=(form.email.data or "").strip() or None,
                agency_id=form.agency_id.data,
                active=True,
            )
            user.roles = form.roles.data or []
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.flush()
            audit.record(
                current_user,
                user,
                "create",
                comment=user.username,
                data={"agency": user.agency_id, "roles": sorted(user.roles)},
            )
            db.session.commit()
            flash(gettext("Đã tạo người dùng “%(name)s”.", name=user.username), "info")
            return redirect(url_for("admin.users_list"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/nguoi-dung/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
    form.agency_id.choices = _user_agency_choices()
    if user.agency_id not in {c.value for c in form.agency_id.choices}:
        form.agency_id.choices += options(
            [(user.agency_id, user.agency.name + " (" + gettext("đã hết hiệu lực") + ")")],
            translate=False,
        )
    if form.validate_on_submit():
        new_roles = set(form.roles.data or [])
        if user.id == current_user.id and str(Role.ADMIN) not in new_roles:
            form.roles.errors.append(
                gettext("“Vai trò”: bạn không thể bỏ vai trò “Quản trị” của chính mình.")
            )
        else:
            before = {
                "full_name": user.full_name,
                "email": user.email,
                "agency": user.agency_id,
                "roles": sorted(user.roles),
            }
            user.full_name = form.full_name.data.strip()
            user.email = (form.email.data or "").strip() or None
            user.agency_id = form.agency_id.data
            user.roles = new_roles
            after = {
                "full_name": user.full_name,
                "email": user.email,
                "agency": user.agency_id,
                "roles": sorted(user.roles),
            }
            audit.record(
                current_user,
                user,
                "update",
                comment=user.username,
                data={
                    "changes": {k: [before[k], after[k]] for k in before if before[k] != after[k]}
                },
            )
            db.session.commit()
            flash(gettext("Đã lưu người dùng “%(name)s”.", name=user.username), "info")
            return redirect(url_for("admin.users_list"))
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        reset=PasswordResetForm(formdata=None),
        action=ActionForm(),
    )


@bp.route("/nguoi-dung/<int:user_id>/khoa", methods=["POST"])
def user_deactivate(user_id: int):
    _action_ok()
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(gettext("Bạn không thể khoá tài khoản của chính mình."), "error")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    user.active = not user.active
    audit.record(
        current_user, user, "activate" if user.active else "deactivate", comment=user.username
    )
    db.session.commit()
    flash(
        gettext("Đã mở khoá tài khoản “%(name)s”.", name=user.username)
        if user.active
        else gettext("Đã khoá tài khoản “%(name)s”.", name=user.username),
        "info",
    )
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/nguoi-dung/<int:user_id>/mat-khau", methods=["POST"])
def user_reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    reset = PasswordResetForm()
    weak = (
        passwords.problems(reset.password.data, user.username, user.full_name)
        if reset.validate_on_submit()
        else None
    )
    if weak:
        reset.password.errors.extend(weak)
    elif weak is not None:
        user.set_password(reset.password.data)
        user.revoke_sessions()  # whoever held the old password is signed out everywhere
        audit.record(current_user, user, "reset_password", comment=user.username)
        db.session.commit()
        flash(gettext("Đã đặt lại mật khẩu cho “%(name)s”.", name=user.username), "info")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    form = UserEditForm(obj=user)
    form.roles.data = sorted(user.roles)
    form.agency_id.choices = _user_agency_choices()
    return render_template(
        "admin/user_form.html", form=form, user=user, reset=reset, action=ActionForm()
    ), 400


# ----------------------------------------------------------------------------- calendar


@bp.route("/lich", methods=["GET", "POST"])
def calendar():
    year = arg_int("nam", today().year, bounds.YEAR_MIN, bounds.YEAR_MAX, label=gettext("năm"))
    form = CalendarDayForm()
    if form.validate_on_submit():
        row = db.session.get(CalendarDay, form.day.data)
        was = (row.kind, row.name) if row else None
        if row is None:
            row = CalendarDay(day=form.day.data)
            db.session.add(row)
        row.kind, row.name = form.kind.data, form.name.data.strip()
        db.session.flush()
        audit.record(
            current_user,
            _CalendarRef(row.day),
            "calendar_set",
            from_state=was[0] if was else None,
            to_state=row.kind,
            comment=f"{row.day:%d/%m/%Y}: {row.name}",
            data={"day": row.day.isoformat(), "kind": row.kind, "name": row.name},
        )
        db.session.commit()
        flash(
            gettext(
                "Đã ghi ngày %(d)s là %(kind)s.",
                d=date_table(row.day),
                kind=gettext(DAY_KIND_LABELS[row.kind]).lower(),
            ),
            "info",
        )
        return redirect(url_for("admin.calendar", nam=row.day.year))
    days = db.session.scalars(
        select(CalendarDay)
        .where(extract("year", CalendarDay.day) == year)
        .order_by(CalendarDay.day)
    ).all()
    if not 1990 <= year <= 2100:
        abort(404)
    years = sorted(
        {d.year for d in db.session.scalars(select(CalendarDay.day))}
        | {year, today().year - 1, today().year, today().year + 1, today().year + 2}
    )
    return render_template(
        "admin/calendar.html",
        form=form,
        days=days,
        year=year,
        years=years,
        source=workcal.announced_sources().get(year),
        labels=DAY_KIND_LABELS,
        action=ActionForm(),
    )


@bp.route("/lich/<day>/xoa", methods=["POST"])
def calendar_remove(day: str):
    _action_ok()
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    row = db.get_or_404(CalendarDay, when)
    audit.record(
        current_user,
        _CalendarRef(when),
        "calendar_remove",
        from_state=row.kind,
        comment=f"{when:%d/%m/%Y}: {row.name}",
        data={"day": when.isoformat()},
    )
    db.session.delete(row)
    db.session.commit()
    flash(
        gettext(
            "Đã bỏ ngày %(d)s khỏi lịch; ngày này theo lịch tuần thông thường.", d=date_table(when)
        ),
        "info",
    )
    return redirect(url_for("admin.calendar", nam=when.year))


@bp.route("/lich/nap", methods=["POST"])
def calendar_load():
    _action_ok()
    year = request.form.get("nam", today().year, type=int)
    problem = workcal.year_problem(year)
    if problem:
        flash(problem, "error")
        return redirect(url_for("admin.calendar"))
    try:
        n = workcal.seed_years([year])
    except workcal.CalendarFileError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.calendar", nam=year))
    audit.record(
        current_user,
        _CalendarRef(None),
        "calendar_load",
        comment=f"Nạp {n} ngày nghỉ lễ, làm bù năm {year}",
        data={"count": n, "year": year},
    )
    db.session.commit()
    flash(gettext("Đã nạp %(n)s ngày nghỉ lễ và làm bù năm %(year)s.", n=n, year=year), "info")
    return redirect(url_for("admin.calendar", nam=year))


# ----------------------------------------------------------------------------- agency templates


@bp.route("/co-quan/<int:agency_id>/mau", methods=["GET", "POST"])
def agency_templates(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = TemplateUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(uploads.DOCX_MAX_BYTES + 1)
        name = (upload.filename or "mau.docx").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
        if problem := uploads.docx_problem(data, gettext("Tệp mẫu")):
            form.file.errors.append(problem)
        else:
            rel = f"agency-templates/{agency.id}/{uuid.uuid4().hex}.docx"
            storage.write(rel, data)
            t = AgencyTemplate(
                agency_id=agency.id,
                kind=form.kind.data,
                filename=name,
                path=rel,
                status="pending",
                problems=[],
                uploaded_by=current_user.id,
            )
            db.session.add(t)
            db.session.flush()
            audit.record(
                current_user,
                t,
                "upload",
                to_state="pending",
                comment=f"{KIND_LABELS[form.kind.data]}: {name}",
                data={"agency": agency.code, "kind": t.kind},
            )
            enqueue_after_commit(
                "worker.templates.check_agency_template",
                t.id,
                job_id=f"agency-template-{t.id}",
                job_timeout=120,
                on_failure="worker.templates.check_failed",
            )
            db.session.commit()
            flash(
                gettext(
                    "Đã tải mẫu lên; hệ thống đang kiểm tra mẫu, "
                    "vui lòng tải lại trang sau ít phút."
                ),
                "info",
            )
            return redirect(url_for("admin.agency_templates", agency_id=agency.id))
    rows = db.session.scalars(
        select(AgencyTemplate)
        .where(AgencyTemplate.agency_id == agency.id)
        .order_by(AgencyTemplate.uploaded_at.desc(), AgencyTemplate.id.desc())
    ).all()
    in_use = {}
    for t in rows:  # newest accepted per kind is the one used
        if t.status == "accepted" and t.kind not in in_use:
            in_use[t.kind] = t.id
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/templates.html",
        agency=agency,
        form=form,
        rows=rows,
        kinds=KIND_LABELS,
        in_use=in_use,
    ), status


@bp.route("/co-quan/<int:agency_id>/api", methods=["GET", "POST"])
def agency_api_tokens(agency_id: int):
    """Access tokens of the agency's systems for the JSON API (/api/v1). A new token is shown
    once; only its hash is kept."""
    agency = db.get_or_404(Agency, agency_id)
    form = ApiTokenForm()
    created = None
    if form.validate_on_submit():
        try:
            token, created = api_tokens.create(
                agency, form.name.data or "", form.roles.data or [], current_user
            )
        except InvalidInput as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(
                gettext(
                    "Đã tạo mã truy cập “%(name)s”. Hãy chép mã ngay: mã chỉ hiện một lần.",
                    name=token.name,
                ),
                "success",
            )
            form = ApiTokenForm(formdata=None)
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.agency_id == agency.id).order_by(ApiToken.id.desc())
    ).all()
    return render_template(
        "admin/api_tokens.html",
        agency=agency,
        rows=rows,
        form=form,
        created=created,
        revoke_form=ActionForm(),
        roles=ROLE_LABELS,
    ), (400 if form.errors else 200)


@bp.route("/co-quan/<int:agency_id>/api/<int:token_id>/thu-hoi", methods=["POST"])
def agency_api_token_revoke(agency_id: int, token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.agency_id != agency_id or not ActionForm().validate_on_submit():
        abort(404)
    api_tokens.revoke(token, current_user)
    db.session.commit()
    flash(gettext("Đã thu hồi mã truy cập “%(name)s”.", name=token.name), "success")
    return redirect(url_for("admin.agency_api_tokens", agency_id=agency_id))


# ----------------------------------------------------------------------------- agency signers


def _signer_user_choices(agency: Agency) -> list:
    users = db.session.scalars(
        select(User)
        .where(User.agency_id == agency.id, User.active.is_(True))
        .order_by(User.full_name)
    ).all()
    return [SelectChoice(value=0, label=gettext("(không gắn tài khoản)"))] + [
        SelectChoice(value=u.id, label=f"{u.full_name} ({u.username})") for u in users
    ]


@bp.route("/co-quan/<int:agency_id>/nguoi-ky", methods=["GET", "POST"])
def agency_signers(agency_id: int):
    """The agency's signers: who a new draft is made for (the first for its kind), with the
    authority and title the documents print."""
    agency = db.get_or_404(Agency, agency_id)
    form = SignerForm()
    form.user_id.choices = _signer_user_choices(agency)
    if form.validate_on_submit():
        row = AgencySigner(
            agency_id=agency.id,
            name=" ".join(form.name.data.split()),
            title=" ".join(form.title.data.split()).upper(),
            authority=form.authority.data or "",
            authority_of=" ".join((form.authority_of.data or "").split()).upper()
            if form.authority.data
            else "",
            position_note=" ".join((form.position_note.data or "").split()).upper(),
            kinds=" ".join(form.kinds.data or []),
            position=len(signers.signers_of(agency.id)),
            user_id=form.user_id.data or None,
            active=True,
        )
        try:
            signers.check(row.as_dict())
        except InvalidInput as exc:
            show_refusal(form, exc)
        else:
            db.session.add(row)
            db.session.flush()
            audit.record(
                current_user, row, "create", comment=row.label, data={"agency": agency.code}
            )
            db.session.commit()
            flash(gettext("Đã thêm người ký “%(name)s”.", name=row.name), "info")
            return redirect(url_for("admin.agency_signers", agency_id=agency.id))
    rows = signers.signers_of(agency.id)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/signers.html",
        agency=agency,
        form=form,
        rows=rows,
        kinds=KIND_LABELS,
        action_form=ActionForm(),
        head=signers.head_of(agency),
    ), status


@bp.route("/co-quan/<int:agency_id>/nguoi-ky/<int:signer_id>/<action>", methods=["POST"])
def agency_signer_action(agency_id: int, signer_id: int, action: str):
    """``len``: first in the list (the default for a new draft); ``ngung``: no longer signs."""
    _action_ok()
    row = db.get_or_404(AgencySigner, signer_id)
    if row.agency_id != agency_id or action not in ("len", "ngung"):
        abort(404)
    if action == "ngung":
        row.active = False
        audit.record(current_user, row, "deactivate", comment=row.label)
        flash(gettext("Đã ngừng người ký “%(name)s”.", name=row.name), "info")
    else:
        for i, s in enumerate([row] + [s for s in signers.signers_of(agency_id) if s is not row]):
            s.position = i
        audit.record(current_user, row, "make_default", comment=row.label)
        flash(gettext("“%(name)s” là người ký mặc định.", name=row.name), "info")
    db.session.commit()
    return redirect(url_for("admin.agency_signers", agency_id=agency_id))


# ----------------------------------------------------------------------------- agency groups
# (issue 12, point 7: "UBND các huyện, thị xã, thành phố" is one line of a plan; its members
# report each on their own; app.services.groups says who they are at a date)


@bp.route("/nhom-co-quan")
def groups_list():
    rows = db.session.scalars(select(AgencyGroup).order_by(AgencyGroup.name)).all()
    on = today()
    return render_template(
        "admin/groups.html",
        rows=[(g, groups.members(g, on)) for g in rows],
        levels=LEVEL_LABELS,
    )


@bp.route("/nhom-co-quan/sua", methods=["GET", "POST"])
def group_edit():
    """A new group, or the group ``?nhom=<id>``."""
    group_id = arg_int("nhom", 0, 0, 2**31 - 1, gettext("nhóm"))
    policy.require(current_user, "group.edit")
    group = db.get_or_404(AgencyGroup, group_id) if group_id else None
    form = GroupForm(obj=group if request.method == "GET" else None)
    if request.method == "GET" and group is not None:
        form.member_level.data = group.member_level or ""
        form.member_parent_id.data = group.member_parent_id or 0
        form.members.data = [a.id for a in group.members]
    form.member_parent_id.choices = _agency_choices(none_label=gettext("— Mọi cơ quan cấp đó —"))
    agencies_now = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    form.members.choices = options(
        [(a.id, f"{a.name} ({a.code})") for a in agencies_now], translate=False
    )
    if form.validate_on_submit() and (done := _save_group(form, group)):
        return done
    return render_template(
        "admin/group_form.html",
        form=form,
        group=group,
        members=groups.members(group, today()) if group is not None else [],
    )


def _save_group(form: GroupForm, group: AgencyGroup | None):  # noqa: ANN202
    code = form.code.data.strip()
    clash = db.session.scalar(select(AgencyGroup).where(AgencyGroup.code == code))
    if (clash is not None and clash is not group) or db.session.scalar(
        select(Agency.id).where(Agency.code == code)
    ):
        form.code.errors.append(gettext("“Mã nhóm” đã được dùng cho nhóm hoặc cơ quan khác."))
        return None
    creating = group is None
    if group is None:
        group = AgencyGroup(code=code, name=form.name.data.strip())
        db.session.add(group)
    before = {
        "code": group.code,
        "name": group.name,
        "member_level": group.member_level,
        "member_parent_id": group.member_parent_id,
        "members": sorted(a.code for a in group.members),
    }
    group.code, group.name = code, form.name.data.strip()
    group.member_level = form.member_level.data or None
    group.member_parent_id = form.member_parent_id.data or None
    chosen = set(form.members.data or [])
    group.members = [a for a in db.session.scalars(select(Agency)) if a.id in chosen]
    db.session.flush()
    after = {
        "code": group.code,
        "name": group.name,
        "member_level": group.member_level,
        "member_parent_id": group.member_parent_id,
        "members": sorted(a.code for a in group.members),
    }
    audit.record(
        current_user,
        group,
        "create" if creating else "update",
        comment=group.name,
        data={"changes": {k: [before[k], after[k]] for k in after if before[k] != after[k]}},
    )
    db.session.commit()
    flash(gettext("Đã lưu nhóm cơ quan “%(name)s”.", name=group.name), "info")
    return redirect(url_for("admin.groups_list"))
