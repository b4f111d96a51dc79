"""Pages: the dashboard (rendered for ``main.index``), notifications, extension requests and
decisions, reopening a period for an agency, drafting a công văn đôn đốc."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import excel
from app.dashboard import bp, data
from app.dashboard.forms import (
    ExtensionRequestForm,
    GrantForm,
    RefuseForm,
    ReopenForm,
    date_errors,
)
from app.extensions import db
from app.lists import export, list_view, wants_export
from app.models import Agency, Extension, ExtensionStatus, Notification, Plan, ReportingPeriod
from app.services import access, clock, deadlines, notifications, policy, reminders, workqueue
from app.services.exceptions import InvalidInput
from app.ui import N_, date_table
from workflows import ReportFlow

STATUS_LABELS = {
    ExtensionStatus.PENDING: N_("Chờ quyết định"),
    ExtensionStatus.GRANTED: N_("Đã gia hạn"),
    ExtensionStatus.REFUSED: N_("Không gia hạn"),
}


def render_dashboard():  # noqa: ANN201
    ctx = data.build(current_user)
    work = workqueue.items(current_user)
    return render_template(
        "dashboard/index.html",
        **ctx,
        series=data.SERIES,
        report_states=ReportFlow.STATE_LABELS,
        work_items=work,
        work_labels=workqueue.QUEUE_LABELS,
    )


def visible_period(period_id: int) -> ReportingPeriod:
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        abort(404)
    access.get_visible(current_user, access.plans_query(current_user), Plan, period.plan_id)
    return period


def _safe_link(link: str | None) -> str | None:
    """Only links inside the application (a path), never another site."""
    if not link:
        return None
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not link.startswith("/") or link.startswith("//"):
        return None
    return link


# -- notifications ---------------------------------------------------------------------------


@bp.app_context_processor
def _unread() -> dict:
    if not current_user or not current_user.is_authenticated:
        return {
            "unread_notifications": 0,
            "work_counts": {},
            "work_total": 0,
            "work_badge": lambda *q, shown=0: "",
        }
    counts = workqueue.counts(current_user)  # the queues' own walk: badge = items listed
    return {
        "unread_notifications": data.unread_count(current_user),
        "work_counts": counts,
        "work_total": sum(counts.values()),
        "work_badge": lambda *queues, shown=0: workqueue.badge(counts, *queues, shown=shown),
    }


def _mine(notification_id: int) -> Notification:
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    return row


@bp.route("/notifications")
def notifications_page():
    show_all = request.args.get("all") == "1"
    q = select(Notification).where(Notification.user_id == current_user.id)
    if not show_all:
        q = q.where(Notification.read_at.is_(None))
    list_args: dict[str, Any] = {
        "stmt": q,
        "search": [Notification.text],
        "sorts": {"moi": Notification.id, "loai": [Notification.kind, Notification.id]},
        "default": "moi",
        "default_desc": True,
    }
    if wants_export():
        subjects = notifications.SUBJECTS
        return export(
            "Thông báo",
            list_args,
            [
                ("Thời gian", lambda n: n.created_at),
                ("Loại", lambda n: gettext(subjects.get(n.kind, "Thông báo"))),
                ("Nội dung", lambda n: n.text),
                ("Đã đọc", lambda n: n.read_at is not None),
            ],
        )
    view = list_view(
        "dashboard.notifications_page",
        **list_args,
        per_page=30,
        args={"all": 1} if show_all else {},
    )
    return render_template(
        "dashboard/notifications.html",
        view=view,
        items=view.page.items,
        show_all=show_all,
        subjects=notifications.SUBJECTS,
        safe_link=_safe_link,
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
def mark_read(notification_id: int):
    notifications.mark_read(_mine(notification_id), current_user)
    db.session.commit()
    flash(gettext("Đã đánh dấu thông báo là đã đọc."), "success")
    return redirect(url_for("dashboard.notifications_page"))


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
def open_notification(notification_id: int):
    row = _mine(notification_id)
    notifications.mark_read(row, current_user)
    db.session.commit()
    if row.kind == "extension_requested" and policy.can(current_user, "extension.queue"):
        return redirect(url_for("dashboard.extensions"))
    return redirect(_safe_link(row.link) or url_for("dashboard.notifications_page"))


@bp.route("/plans/<int:plan_id>/periods/<int:period_id>")
def period_page(plan_id: int, period_id: int):
    """Where reminders point: the period's section of the plan page."""
    period = visible_period(period_id)
    if period.plan_id != plan_id:
        abort(404)
    return redirect(url_for("plans.show", plan_id=plan_id, _anchor=f"period-{period.id}"))


@bp.route("/notifications/read-all", methods=["POST"])
def mark_all_read():
    rows = notifications.unread(current_user)
    for row in rows:
        notifications.mark_read(row, current_user)
    db.session.commit()
    flash(
        gettext("Đã đánh dấu %(n)s thông báo là đã đọc.", n=len(rows))
        if rows
        else gettext("Không có thông báo chưa đọc."),
        "success",
    )
    return redirect(url_for("dashboard.notifications_page"))


# -- extensions ------------------------------------------------------------------------------


def _field_errors(form, exc: InvalidInput, fields: dict[str, str]) -> None:  # noqa: ANN001
    """Put a service refusal under the field it names (else at the top of the form)."""
    placed = False
    for key in getattr(exc, "errors", None) or {}:
        if key in fields:
            field = getattr(form, fields[key])
            label = str(field.label.text)
            field.errors = [
                f"“{label}”: {exc}"
                if key == "requested_due"
                else gettext("Vui lòng nhập “%(label)s”.", label=label)
            ]
            placed = True
    if not placed:
        form.form_errors.append(str(exc))


@bp.route("/periods/<int:period_id>/extension", methods=["GET", "POST"])
def request_extension(period_id: int):
    period = visible_period(period_id)
    agency_id = current_user.agency_id
    if not policy.can(current_user, "extension.request", policy.PeriodAgency(period, agency_id)):
        abort(403)
    form = ExtensionRequestForm()
    status = 200
    conflict = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                deadlines.request_extension(
                    period, current_user, form.requested_due.data, form.reason.data or ""
                )
                db.session.commit()
            except InvalidInput as exc:
                db.session.rollback()
                _field_errors(form, exc, {"requested_due": "requested_due", "reason": "reason"})
            except IntegrityError:  # a colleague's request was saved a moment before
                db.session.rollback()
                conflict = {"requested_due": form.requested_due.data, "reason": form.reason.data}
            else:
                flash(gettext("Đã gửi đề nghị gia hạn tới cơ quan thường trực."), "success")
                return redirect(url_for("dashboard.request_extension", period_id=period.id))
        date_errors(form)
        status = 409 if conflict else 400
    history = db.session.scalars(
        select(Extension)
        .where(Extension.period_id == period.id, Extension.agency_id == agency_id)
        .order_by(Extension.id.desc())
    ).all()
    return render_template(
        "dashboard/extension.html",
        period=period,
        form=form,
        history=history,
        due=deadlines.effective_due(period, agency_id),
        original_due=deadlines.assignment_due(period, agency_id),
        pending=any(e.status == ExtensionStatus.PENDING for e in history),
        labels=STATUS_LABELS,
        conflict=conflict,
    ), status


@bp.route("/extensions")
def extensions():
    if not policy.can(current_user, "extension.queue"):
        abort(403)
    items = db.session.scalars(data.pending_extensions_query(current_user)).all()
    rows = [
        {
            "ext": e,
            "due": deadlines.effective_due(e.period, e.agency_id),
            "grant": GrantForm(formdata=None, granted_due=e.requested_due, prefix=f"g{e.id}"),
            "refuse": RefuseForm(formdata=None, prefix=f"r{e.id}"),
        }
        for e in items
    ]
    return render_template("dashboard/extensions.html", rows=rows)


@bp.route("/extensions/<int:ext_id>/decide", methods=["POST"])
def decide_extension(ext_id: int):
    ext = db.session.get(Extension, ext_id)
    if ext is None:
        abort(404)
    access.get_visible(current_user, access.plans_query(current_user), Plan, ext.plan_id)
    grant = request.form.get("decision") == "grant"
    form = GrantForm(prefix=f"g{ext.id}") if grant else RefuseForm(prefix=f"r{ext.id}")
    if form.validate_on_submit():
        if ext.status != ExtensionStatus.PENDING:
            return _decided_already(ext, grant, form)
        try:
            deadlines.decide_extension(
                ext,
                current_user,
                grant,
                comment=(form.comment.data or "").strip() or None,
                granted_due=form.granted_due.data if grant else None,
            )
            db.session.commit()
        except InvalidInput as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        except (StaleDataError, IntegrityError):  # decided by someone else at the same moment
            db.session.rollback()
            decided = db.session.get(Extension, ext_id)
            if decided is None:
                abort(404)
            return _decided_already(decided, grant, form)
        else:
            flash(
                gettext(
                    "Đã gia hạn cho %(agency)s đến ngày %(d)s.",
                    agency=ext.agency.display_name,
                    d=date_table(ext.granted_due),
                )
                if grant
                else gettext(
                    "Đã từ chối đề nghị gia hạn của %(agency)s.", agency=ext.agency.display_name
                ),
                "success",
            )
            return redirect(url_for("dashboard.extensions"))
    date_errors(form)
    items = db.session.scalars(data.pending_extensions_query(current_user)).all()
    rows = []
    for e in items:
        grant_form = GrantForm(formdata=None, granted_due=e.requested_due, prefix=f"g{e.id}")
        refuse_form = RefuseForm(formdata=None, prefix=f"r{e.id}")
        if e.id == ext.id:
            grant_form, refuse_form = (form, refuse_form) if grant else (grant_form, form)
        rows.append(
            {
                "ext": e,
                "due": deadlines.effective_due(e.period, e.agency_id),
                "grant": grant_form,
                "refuse": refuse_form,
            }
        )
    return render_template("dashboard/extensions.html", rows=rows), 400


def _decided_already(ext: Extension, grant: bool, form):  # noqa: ANN001, ANN202
    """409: the request was decided by someone else; the decision made is shown next to what
    this user typed, which is kept."""
    db.session.refresh(ext)
    mine = {
        "grant": grant,
        "granted_due": form.granted_due.data if grant else None,
        "comment": form.comment.data or "",
    }
    return render_template(
        "dashboard/extension_conflict.html", ext=ext, mine=mine, labels=STATUS_LABELS
    ), 409


# -- reopen and dispatch ---------------------------------------------------------------------


@bp.route("/periods/<int:period_id>/agencies/<int:agency_id>/reopen", methods=["POST"])
def reopen(period_id: int, agency_id: int):
    period = visible_period(period_id)
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    form = ReopenForm()
    if not form.validate_on_submit():
        date_errors(form)
        flash(
            gettext("Chưa mở lại được:") + " " + "; ".join(e for f in form for e in f.errors),
            "error",
        )
        return redirect(url_for("plans.show", plan_id=period.plan_id))
    try:
        deadlines.reopen_for(
            period,
            agency,
            current_user,
            until=form.until.data,
            comment=(form.comment.data or "").strip() or None,
        )
    except InvalidInput as exc:
        db.session.rollback()
        flash(gettext("Chưa mở lại được:") + f" {exc}", "error")
        return redirect(url_for("plans.show", plan_id=period.plan_id))
    db.session.commit()
    if form.until.data:
        flash(
            gettext(
                "Đã mở lại %(period)s cho %(agency)s đến hết ngày %(d)s.",
                period=period.label.lower(),
                agency=agency.display_name,
                d=date_table(form.until.data),
            ),
            "success",
        )
    else:
        flash(
            gettext(
                "Đã mở lại %(period)s cho %(agency)s.",
                period=period.label.lower(),
                agency=agency.display_name,
            ),
            "success",
        )
    return redirect(url_for("plans.show", plan_id=period.plan_id))


@bp.route("/periods/<int:period_id>/dispatch", methods=["POST"])
def draft_dispatch(period_id: int):
    period = visible_period(period_id)
    try:
        doc = reminders.draft_dispatch(period, current_user, as_of=clock.today())
    except InvalidInput as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("plans.show", plan_id=period.plan_id))
    db.session.commit()
    flash(gettext("Đã soạn dự thảo công văn đôn đốc. Hãy kiểm tra rồi trình ký."), "success")
    return redirect(url_for("documents.show", doc_id=doc.id))


@bp.route("/dashboard.xlsx")
def export_dashboard():
    """The dashboard's tables (per period and per agency of every plan the user sees), counted
    by the status module as on the page; every plan in progress and every agency."""
    ctx = data.build(current_user, everything=True)
    keys = [
        ("expected", "Phải gửi"),
        ("received", "Đã gửi"),
        ("accepted", "Đã chấp nhận"),
        ("on_time", "Đúng hạn"),
        ("late", "Trễ hạn"),
        ("working_days_late", "Số ngày làm việc trễ"),
        ("overdue", "Quá hạn, chưa gửi"),
        ("not_yet_due", "Chưa đến hạn"),
        ("returned", "Bị trả lại, chờ gửi lại"),
        ("resubmitted", "Trả lại, đã gửi lại"),
    ]
    period_rows, agency_rows = [], []
    for f in ctx.get("figures", []):
        name = f.get("symbol") or f.get("title")
        for p in f.get("periods", []):
            period_rows.append([name, p["label"], *[p.get(k) for k, _h in keys]])
        for a in f.get("agencies", []):
            agency_rows.append([name, a["name"], *[a.get(k) for k, _h in keys]])
    cols = [h for _k, h in keys]
    heading = f"Tình hình báo cáo đến ngày {date_table(clock.today())}"
    return excel.response(
        f"Tổng quan {date_table(clock.today()).replace('/', '-')}",
        [
            excel.Sheet("Theo kỳ báo cáo", ["Kế hoạch", "Kỳ", *cols], period_rows, heading),
            excel.Sheet("Theo cơ quan", ["Kế hoạch", "Cơ quan", *cols], agency_rows, heading),
        ],
    )
