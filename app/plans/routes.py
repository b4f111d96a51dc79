"""Plans: list, plan page, drafting the plan document, closing a round, import and export."""

from __future__ import annotations

import yaml
from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, defer, selectinload

from app.editor import definition
from app.extensions import db
from app.lists import Folded, export, list_view, page_number, wants_export
from app.models import (
    Agency,
    Assignment,
    AuditEvent,
    Document,
    PeriodStatus,
    Plan,
    Report,
    ReportingPeriod,
    User,
)
from app.plans import bp
from app.plans.forms import CloseRoundForm, ImportForm, RecordIssuedForm
from app.services import (
    access,
    clock,
    documents,
    exchange,
    facts,
    flows,
    loader,
    plans,
    policy,
    status,
)
from app.services.exceptions import InvalidInput, NotAllowed
from app.ui import N_
from forms.formatting import format_date_table
from workflows import DocumentFlow, PlanFlow, ReportFlow, RoundFlow


def visible_plan(plan_id: int) -> Plan:
    return access.get_visible(current_user, access.plans_query(current_user), Plan, plan_id)


def progress(c: status.Counts) -> dict:
    """Expected / received / accepted / late / overdue over a plan's started periods."""
    return {
        "expected": c.expected,
        "submitted": c.received,
        "accepted": c.accepted,
        "late": c.late,
        "overdue": c.overdue,
    }


def is_standing_specialist(plan: Plan) -> bool:
    return policy.can(current_user, "plan.draft_document", plan)


def plan_list_args() -> dict:
    """The plans list's query: search over number, title, issuer; sort by column."""
    issuer, standing = aliased(Agency), aliased(Agency)
    stmt = (
        access.plans_query(current_user)
        .join(issuer, issuer.id == Plan.issuer_id)
        .join(standing, standing.id == Plan.standing_agency_id)
        .options(selectinload(Plan.periods), selectinload(Plan.issuer), defer(Plan.definition))
    )
    return {
        "stmt": stmt,
        # folded when saved (app.lists): a search does not fold every plan's title again
        "search": [Folded(Plan.folded), Folded(issuer.folded), Folded(standing.folded)],
        "sorts": {
            "so": [Plan.year, Plan.number],
            "trich-yeu": Plan.title,
            "co-quan": issuer.name,
            "trang-thai": Plan.status,
            "moi": Plan.id,
        },
        "default": "moi",
        "default_desc": True,
    }


@bp.route("/")
def index():
    if wants_export():
        args = plan_list_args()  # once: its search columns are its own aliases
        labels = PlanFlow.STATE_LABELS
        return export(
            "Danh sách kế hoạch",
            {**args, "stmt": args["stmt"].options(selectinload(Plan.assignments))},
            [
                ("Số, ký hiệu", lambda p: p.symbol or ""),
                ("Trích yếu", lambda p: p.title),
                ("Cơ quan ban hành", lambda p: p.issuer.display_name),
                ("Cơ quan thường trực", lambda p: p.standing_agency.display_name),
                ("Ngày ban hành", lambda p: p.issued_on),
                ("Trạng thái", lambda p: gettext(labels.get(p.status, p.status))),
                ("Số cơ quan được giao", lambda p: len(p.assignments)),
            ],
        )
    view = list_view("plans.index", **plan_list_args())
    page = view.page
    q = view.q
    started = [x for p in page.items for x in p.periods if x.status != PeriodStatus.PENDING]
    managed = [x for x in started if access.manages_plan(current_user, x.plan)]
    own = [x for x in started if not access.manages_plan(current_user, x.plan)]
    periods_by_id = {x.id: x for x in managed}
    # each period's counts kept (app.services.facts): a page of plans reads 20 rows, whatever
    # the number of agencies; only a period changed since (or counted another day) is counted
    per_plan: dict[tuple, status.Counts] = {}
    for x, c in facts.counts(managed).items():
        per_plan.setdefault((periods_by_id[x].plan_id,), status.Counts()).merge(c)
    if own and current_user.agency_id is not None:
        per_plan |= status.tally(own, by=("plan_id",), agency_id=current_user.agency_id)
    rows = []
    for p in page.items:
        periods = [x for x in p.periods]
        rows.append(
            {
                "plan": p,
                "progress": progress(per_plan.get((p.id,), status.Counts())),
                "period": (periods[0].starts_on, periods[-1].due_on) if periods else None,
            }
        )
    return render_template(
        "plans/index.html",
        rows=rows,
        view=view,
        q=q,
        states=PlanFlow.STATE_LABELS,
        can_import=policy.can(current_user, "plan.write"),
    )


AGENCIES_PER_PAGE = 50  # agencies per page of a plan (assignments and each period's lines)
EVENTS_SHOWN = 100  # the plan's latest events in its timeline
MISSING_NAMED = 30  # agencies named before closing a round (the count is always whole)


@bp.route("/<int:plan_id>")
def show(plan_id: int, issued_form: RecordIssuedForm | None = None):
    """The plan, its assignments and each period's lines, a page of agencies at a time
    (``?trang=``); every count of a period is the whole period's (counted by the database)."""
    plan = visible_plan(plan_id)
    manages = access.manages_plan(current_user, plan)
    today = clock.today()
    assignments_q = (
        select(Assignment)
        .where(Assignment.plan_id == plan.id)
        .options(selectinload(Assignment.agency))
        .order_by(Assignment.position, Assignment.id)
    )
    if not manages:
        assignments_q = assignments_q.where(Assignment.agency_id == current_user.agency_id)
    page = db.paginate(
        assignments_q, page=page_number(), per_page=AGENCIES_PER_PAGE, error_out=False
    )
    assignments = {a.agency_id: a for a in page.items}
    shown = list(assignments)
    reports = {
        r.id: r
        for r in db.session.scalars(
            access.reports_query(current_user).where(
                Report.plan_id == plan.id, Report.agency_id.in_(shown)
            )
        )
    }
    statuses = status.for_periods(plan.periods, agency_ids=shown, today=today)
    counts = (
        {(i,): c for i, c in facts.counts(plan.periods, today=today).items()}
        if manages
        else status.tally(plan.periods, agency_id=current_user.agency_id, today=today)
    )
    blocks, group_names = plans.task_blocks([a.id for a in page.items])
    per_period: dict[int, list[status.Status]] = {}
    for st in statuses.values():
        per_period.setdefault(st.period_id, []).append(st)
    periods = []
    for period in plan.periods:
        lines = []
        for st in per_period.get(period.id, []):
            r = reports.get(st.report_id) if st.report_id else None
            lines.append(
                {
                    "assignment": assignments[st.agency_id],
                    "status": st,
                    "report": r,
                    "due": st.due,
                    "extended": st.extended,
                    "locked": period.status == PeriodStatus.OPEN and not st.received and st.locked,
                    "overdue": period.status == PeriodStatus.OPEN
                    and st.result == status.Result.OVERDUE,
                }
            )
        c = counts.get((period.id,), status.Counts())
        round_flow = RoundFlow(
            period,
            current_user,
            standing_agency_id=plan.standing_agency_id,
            deadline_passed=today > period.due_on,
        )
        can_close = round_flow.can("close")
        periods.append(
            {
                "period": period,
                "lines": lines,
                "overdue": c.overdue if period.status == PeriodStatus.OPEN else 0,
                "can_close": can_close,
                "close_refusal": round_flow.refusal("close") if manages else None,
                "missing": status.not_accepted(period, MISSING_NAMED) if can_close else [],
                "missing_count": c.expected - c.accepted,
            }
        )
    # the agencies recorded as missing when a round was closed, by code
    codes = {code for p in plan.periods for code in (p.missing_agencies or [])}
    agencies = {
        ag.code: ag for ag in db.session.scalars(select(Agency).where(Agency.code.in_(codes)))
    }
    plan_doc = plans.plan_document(plan)
    edit_refusal = plans.edit_refusal(plan)
    can_draft_doc = plan.status == "draft" and is_standing_specialist(plan) and (plan_doc is None)
    events_q = select(AuditEvent).where(AuditEvent.plan_id == plan.id)
    if not manages:  # not other agencies' reports, documents, extensions
        events_q = events_q.where(
            or_(
                AuditEvent.object_type.in_(("plan", "reporting_period", "form_version")),
                AuditEvent.actor_id.in_(
                    select(User.id).where(User.agency_id == current_user.agency_id)
                ),
                (AuditEvent.object_type == "report") & AuditEvent.object_id.in_(list(reports)),
                (AuditEvent.object_type == "document")
                & AuditEvent.object_id.in_(
                    access.documents_query(current_user).with_only_columns(Document.id)
                ),
            )
        )
    # the latest EVENTS_SHOWN, oldest first (a round of 1,000 agencies makes thousands)
    events = list(
        reversed(
            db.session.scalars(
                events_q.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(EVENTS_SHOWN)
            ).all()
        )
    )
    docs = db.session.scalars(
        access.documents_query(current_user)
        .where(Document.plan_id == plan.id)
        .order_by(Document.id)
    ).all()
    actions = flows.actions(PlanFlow(plan, current_user))
    return render_template(
        "plans/show.html",
        plan=plan,
        edit_refusal=edit_refusal,
        agencies=agencies,
        blocks=blocks,
        group_names=group_names,
        assignments=page,
        periods=periods,
        manages=manages,
        events=events,
        docs=docs,
        plan_doc=plan_doc,
        can_draft_doc=can_draft_doc,
        actions=actions,
        states=PlanFlow.STATE_LABELS,
        round_states=RoundFlow.STATE_LABELS,
        report_states=ReportFlow.STATE_LABELS,
        doc_states=DocumentFlow.STATE_LABELS,
        labels=ACTION_LABELS,
        close_form=CloseRoundForm(),
        issued_form=issued_form or (RecordIssuedForm() if plan.status == "draft" else None),
        incoming=exchange.incoming_for(plan)
        if plan.status == "draft" and policy.can(current_user, "plan.import_basis", plan)
        else [],
    )


ACTION_LABELS = {
    **PlanFlow.TRIGGER_LABELS,
    **RoundFlow.TRIGGER_LABELS,
    **ReportFlow.TRIGGER_LABELS,
    **DocumentFlow.TRIGGER_LABELS,
    "create": N_("Tạo mới"),
    "edit": N_("Sửa kế hoạch"),
    "save_draft": N_("Lưu nháp"),
    "upload_signed": N_("Tải lên bản đã ký"),
    "export_edxml": N_("Tải gói edXML để gửi"),
    "edxml_status": N_("Nhận trạng thái xử lý (edXML)"),
    "import_basis_edxml": N_("Thêm căn cứ từ gói edXML"),
    "consolidate": N_("Tổng hợp"),
    "close": N_("Khóa sổ kỳ báo cáo"),
}


@bp.route("/<int:plan_id>/draft-document", methods=["POST"])
def draft_document(plan_id: int):
    plan = visible_plan(plan_id)
    try:
        doc = documents.draft_plan_document(plan, current_user)  # the policy and the state
        db.session.commit()
    except InvalidInput as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("plans.show", plan_id=plan.id))
    except IntegrityError:  # a second click, or a colleague, drafted it a moment before
        db.session.rollback()
        existing = plans.plan_document(plan)
        flash(gettext("Kế hoạch đã có văn bản dự thảo."), "warning")
        if existing is None:
            return redirect(url_for("plans.show", plan_id=plan.id))
        return redirect(url_for("documents.show", doc_id=existing.id))
    flash(gettext("Đã soạn dự thảo văn bản kế hoạch. Hãy kiểm tra rồi trình ký."), "success")
    return redirect(url_for("documents.show", doc_id=doc.id))


@bp.route("/<int:plan_id>/record-issued", methods=["POST"])
def record_issued(plan_id: int):
    """ "Ghi số, ngày đã ban hành": a draft plan that was issued on paper gets its number and
    date (the issuer's clerk; a number already in the register or a deadline before that date
    is refused with the reason, and what was typed is shown again)."""
    plan = visible_plan(plan_id)
    policy.require(current_user, "plan.issue", plan)
    if plan.status != "draft":
        abort(409)
    form = RecordIssuedForm()
    if form.validate_on_submit():
        try:
            loader.record_issued(plan, int(form.number.data), form.issued_on.data, current_user)
            db.session.commit()
        except loader.PlanFileError as exc:
            db.session.rollback()
            form.number.errors = [p.message for p in exc.problems]
        else:
            flash(
                gettext(
                    "Đã ghi kế hoạch đã ban hành: số %(symbol)s ngày %(on)s.",
                    symbol=plan.symbol,
                    on=format_date_table(plan.issued_on),
                ),
                "success",
            )
            return redirect(url_for("plans.show", plan_id=plan.id))
    return show(plan_id, issued_form=form), 422


@bp.route("/periods/<int:period_id>/close", methods=["POST"])
def close_round(period_id: int):
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        abort(404)
    plan = visible_plan(period.plan_id)
    form = CloseRoundForm()
    if not form.validate_on_submit():
        abort(400)
    missing = plans.close_round(period, current_user, comment=form.comment.data or None)
    db.session.commit()
    if missing:
        flash(
            gettext(
                "Đã khóa sổ %(period)s. Còn %(n)s cơ quan chưa có báo cáo được "
                "chấp nhận: %(agencies)s.",
                period=period.label,
                n=len(missing),
                agencies=", ".join(missing),
            ),
            "warning",
        )
    else:
        flash(gettext("Đã khóa sổ %(period)s; đã nhận đủ báo cáo.", period=period.label), "success")
    return redirect(url_for("plans.show", plan_id=plan.id))


@bp.route("/import", methods=["GET", "POST"])
def import_plan():
    # the page is for those who may write plans; the file's plan is judged by plan.import
    if not policy.can(current_user, "plan.write"):
        abort(403)
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        raw = form.file.data.read(loader.MAX_TEXT + 1)
        text = None
        if len(raw) > loader.MAX_TEXT:
            form.file.errors.append(gettext("Tệp lớn hơn %(kb)s KB.", kb=loader.MAX_TEXT // 1024))
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.file.errors.append(gettext("Tệp phải là văn bản UTF-8 (.yaml)."))
        if text is not None:
            try:
                data = loader.parse_text(text, source=form.file.data.filename or "")
                plan = loader.load(data, current_user)
                db.session.commit()
                flash(gettext("Đã nhập kế hoạch “%(title)s”.", title=plan.title), "success")
                return redirect(url_for("plans.show", plan_id=plan.id))
            except loader.PlanFileError as exc:
                db.session.rollback()
                problems = loader.locate(exc.problems, text)
            except (InvalidInput, NotAllowed) as exc:
                db.session.rollback()
                problems = [loader.Problem("", str(exc))]
    return render_template("plans/import.html", form=form, problems=problems)


@bp.route("/<int:plan_id>/export")
def export_plan(plan_id: int):
    plan = visible_plan(plan_id)
    # dates as YAML dates (the stored definition keeps ISO strings): the file loads again
    text = yaml.safe_dump(
        definition.for_validation(plan.definition), allow_unicode=True, sort_keys=False, width=100
    )
    return Response(
        text,
        mimetype="application/x-yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{plan.code}.yaml"'},
    )


def period_visible(period_id: int) -> ReportingPeriod:
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        abort(404)
    visible_plan(period.plan_id)
    return period


__all__ = ["period_visible"]
