"""Agency inbox, the report form, the leader's and the specialist's decisions, the review queue."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, defer, joinedload, selectinload

import forms as form_engine
from app import excel
from app.extensions import db
from app.lists import ListPage, export, list_view, page_number, wants_export
from app.models import (
    Agency,
    Document,
    PeriodStatus,
    Plan,
    PlanStatus,
    Report,
    ReportingPeriod,
    ReportStatus,
)
from app.reports import bp
from app.reports.forms import ActionForm, report_form_class
from app.services import (
    access,
    deadlines,
    documents,
    flows,
    policy,
    reports,
    rows_upload,
    status,
    storage,
    workqueue,
)
from app.services.exceptions import ConcurrentEdit, InvalidInput, NotAllowed
from workflows import ReportFlow, TransitionRefused

REASON_TRIGGERS = ("return_for_revision", "send_back")


def visible_report(report_id: int) -> Report:
    return access.get_visible(current_user, access.reports_query(current_user), Report, report_id)


INBOX_PER_PAGE = 30


@bp.route("/inbox")
def inbox():
    """The agency's assignments and their open rounds: a page of rounds, ordered and paged by
    the database (``status.agency_rounds``); only the rounds shown are decided."""
    agency_id = current_user.agency_id
    visible = access.plans_query(current_user).with_only_columns(Plan.id)
    rounds = and_(
        ReportingPeriod.status != PeriodStatus.PENDING,
        ReportingPeriod.plan_id.in_(
            select(Plan.id).where(
                Plan.id.in_(visible),
                Plan.status != PlanStatus.DRAFT,
                Plan.standing_agency_id != agency_id,
            )
        ),
    )
    number = page_number()
    total, ids = 0, list[int]()
    if agency_id is not None:
        total, ids = status.agency_rounds(
            rounds, agency_id, limit=INBOX_PER_PAGE, offset=(number - 1) * INBOX_PER_PAGE
        )
        if not ids and total:  # past the end: the last page
            number = -(-total // INBOX_PER_PAGE)
            total, ids = status.agency_rounds(
                rounds, agency_id, limit=INBOX_PER_PAGE, offset=(number - 1) * INBOX_PER_PAGE
            )
    periods = {
        p.id: p
        for p in db.session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.id.in_(ids))
            .options(joinedload(ReportingPeriod.plan).defer(Plan.definition))
        )
    }
    shown = [periods[i] for i in ids if i in periods]
    statuses = status.for_periods(shown, agency_id=agency_id) if agency_id is not None else {}
    rows: list[dict[str, Any]] = [
        {"plan": p.plan, "period": p, "status": statuses[(p.id, agency_id)]}
        for p in shown
        if (p.id, agency_id) in statuses
    ]
    return render_template(
        "reports/inbox.html",
        rows=ListPage(rows, number, INBOX_PER_PAGE, total),  # open rounds first, by due date
        states=ReportFlow.STATE_LABELS,
        can_start=policy.can(current_user, "report.work"),
    )


@bp.route("/periods/<int:period_id>/start", methods=["POST"])
def start(period_id: int):
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        abort(404)
    plan = access.get_visible(current_user, access.plans_query(current_user), Plan, period.plan_id)
    try:
        report = reports.start_report(plan, period, current_user)
        db.session.commit()
    except IntegrityError:  # started by a colleague (or a second click) a moment before
        db.session.rollback()
        report = reports.start_report(plan, period, current_user)  # finds it: idempotent
    return redirect(url_for("reports.edit", report_id=report.id))


def _store_file(report: Report, labels: dict[str, str]):  # noqa: ANN202
    def store(field_name: str, upload) -> dict:  # noqa: ANN001
        content = upload.read()
        name = re.sub(r"[^\w.\-]+", "_", upload.filename or "tep")[-120:]
        return reports.store_attachment(
            report, field_name, labels.get(field_name, field_name), name, content, current_user
        )

    return store


@bp.route("/reports/<int:report_id>/files/<field>")
def attachment(report_id: int, field: str):
    """Download an attachment: whoever may read the report (``?phien-ban=N`` for a version)."""
    report = visible_report(report_id)
    version = request.args.get("phien-ban", type=int)
    ref = reports.attachment(report, field, current_user, version)
    try:
        return storage.download(ref["path"], ref.get("filename") or "tep")
    except FileNotFoundError:
        abort(404)


def _can_edit(report: Report) -> bool:
    """Offered only when it can lead somewhere (``reports.can_edit``, the rule the work queue
    asks too)."""
    return reports.can_edit(current_user, report)


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
def edit(report_id: int):
    report = visible_report(report_id)
    policy.require(current_user, "report.edit", report)
    if not _can_edit(report):
        st = status.for_report(report)
        flash(
            gettext("Kỳ báo cáo đã khóa với cơ quan; cơ quan thường trực có thể mở lại.")
            if st is not None and st.locked
            else gettext("Báo cáo này hiện không thể sửa."),
            "warning",
        )
        return redirect(url_for("reports.show", report_id=report.id))
    schema = (report.plan.current_form or report.form_version).schema
    parsed = form_engine.parse_schema(schema)
    Form = report_form_class(schema)
    conflict = None
    if request.method == "GET":
        form = Form(formdata=form_engine.data_to_formdata(schema, report.data))
        form.kh_version.data = str(report.version)
    else:
        form = Form()
        form.kh_existing = report.data
        if form_engine.handle_row_actions(form, request.form):
            return _render_edit(report, form, parsed)
        submit = "_submit" in request.form
        mode = form_engine.SUBMIT if submit else form_engine.DRAFT
        try:
            expected = int(form.kh_version.data or report.version)
        except ValueError:
            expected = report.version
        if form.validate(mode=mode, existing=report.data):
            labels = {f.name: f.label for f in parsed.fields}
            try:
                data = form_engine.form_to_data(
                    form,
                    schema,
                    mode=mode,
                    existing=report.data,
                    store_file=_store_file(report, labels),
                )
                reports.save_draft(report, data, current_user, expected)
                if submit:
                    reports.transition(report, "submit_for_approval", current_user)
                db.session.commit()
            except ConcurrentEdit as exc:
                db.session.rollback()
                conflict = str(exc)
                form.kh_version.data = str(report.version)
            except (TransitionRefused, InvalidInput) as exc:
                db.session.rollback()
                for name, message in getattr(exc, "errors", {}).items():
                    if name in form:
                        form[name].errors = [message]
                flash(gettext(str(exc)), "error")
            else:
                if submit:
                    flash(gettext("Đã trình lãnh đạo cơ quan duyệt báo cáo."), "success")
                    return redirect(url_for("reports.show", report_id=report.id))
                flash(gettext("Đã lưu nháp."), "success")
                return redirect(url_for("reports.edit", report_id=report.id))
        else:
            flash(
                gettext("Báo cáo chưa hợp lệ: vui lòng xem các lỗi ghi bên dưới từng ô.")
                if submit
                else gettext("Chưa lưu được: vui lòng sửa các ô báo lỗi."),
                "error",
            )
        form.kh_existing = report.data
    return _render_edit(report, form, parsed, conflict)


def _render_edit(report: Report, form, parsed, conflict: str | None = None):  # noqa: ANN001, ANN202
    return render_template(
        "reports/edit.html",
        report=report,
        form=form,
        schema=parsed,
        conflict=conflict,
        states=ReportFlow.STATE_LABELS,
        status=status.for_report(report),
    )


@bp.route("/reports/<int:report_id>")
def show(report_id: int, action_form: ActionForm | None = None):
    report = visible_report(report_id)
    # a reason is asked for in the page, so list the triggers that need one as if it were given
    flow = reports.report_flow(report, current_user, comment="(lý do nhập trên trang)")
    actions = [a for a in flows.actions(flow) if a["trigger"] != "submit_for_approval"]
    schema = report.form_version.schema
    return render_template(
        "reports/show.html",
        report=report,
        schema=schema,
        actions=actions,
        states=ReportFlow.STATE_LABELS,
        can_edit=_can_edit(report),
        can_submit=flow.can("submit_for_approval"),
        form=action_form or ActionForm(),
        reason_triggers=REASON_TRIGGERS,
        status=status.for_report(report),
        report_docs=_report_documents(report),
        can_draft_document=report.status in DOCUMENT_STATES
        and policy.can(current_user, "report.draft_document", report),
    ), (400 if action_form is not None else 200)


# The agency's own Báo cáo is drafted once its report left the agency (it reports what was sent)
DOCUMENT_STATES = ("submitted", "accepted")


def _report_documents(report: Report) -> list[Document]:
    return list(
        db.session.scalars(
            access.documents_query(current_user)
            .where(Document.report_id == report.id)
            .order_by(Document.id)
        )
    )


@bp.route("/reports/<int:report_id>/document", methods=["POST"])
def draft_document(report_id: int):
    """The agency's own report as a document (Báo cáo) for its leader to sign and its clerk to
    number, like any document."""
    report = visible_report(report_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        doc = documents.draft_report_document(report, current_user)
    except NotAllowed:
        abort(403)
    db.session.commit()
    flash(gettext("Đã soạn dự thảo văn bản báo cáo. Hãy kiểm tra rồi trình ký."), "success")
    return redirect(url_for("documents.show", doc_id=doc.id))


@bp.route("/reports/<int:report_id>/action", methods=["POST"])
def action(report_id: int):
    report = visible_report(report_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    trigger = form.trigger.data
    comment = (form.comment.data or "").strip() or None
    if trigger in REASON_TRIGGERS and not comment:
        form.comment.errors = [gettext("Vui lòng nhập “Lý do trả lại” trước khi trả lại báo cáo.")]
        form.trigger.data = trigger
        return show(report_id, action_form=form)
    try:
        version = int(form.version.data) if form.version.data else None
    except ValueError:
        version = None
    reports.transition(report, trigger, current_user, comment=comment, expected_version=version)
    db.session.commit()
    label = ReportFlow.TRIGGER_LABELS.get(trigger, trigger)
    flash(gettext("Đã thực hiện: %(action)s.", action=gettext(label)), "success")
    if trigger in ("accept", "return_for_revision") and policy.can(
        current_user, "report.review_queue"
    ):
        return redirect(url_for("reports.review"))
    return redirect(url_for("reports.show", report_id=report.id))


def review_list_args(leader: bool) -> dict:
    """The review queue (specialist) or the approval queue (agency leader), in the database."""
    agency = aliased(Agency)
    stmt = (
        access.reports_query(current_user)
        .join(Plan, Report.plan_id == Plan.id)
        .join(agency, agency.id == Report.agency_id)
        .join(ReportingPeriod, ReportingPeriod.id == Report.period_id)
        .options(
            # a queue shows no answers and no plan text: not the reports' data (JSON) nor the
            # plans' definitions (several MB at a hundred plans)
            defer(Report.data),
            selectinload(Report.agency),
            selectinload(Report.plan).defer(Plan.definition),
            selectinload(Report.period),
        )
    )
    if leader:
        stmt = stmt.where(
            Report.agency_id == current_user.agency_id,
            Report.status == ReportStatus.AWAITING_APPROVAL,
        )
    else:
        stmt = stmt.where(
            Report.status == ReportStatus.SUBMITTED, access.standing_plans(current_user)
        )
    return {
        "stmt": stmt,
        "search": [agency.name, Plan.title, Plan.symbol, ReportingPeriod.label],
        "sorts": {
            "gui": [Report.updated_at if leader else Report.submitted_at, Report.id],
            "co-quan": [agency.name, Report.id],
            "ke-hoach": [Plan.title, Report.id],
            "han": [ReportingPeriod.due_on, Report.id],
        },
        "default": "gui",
    }


# The queues count their reports up to this many ("more than 1,000"): at province scale a
# specialist's queue can hold 20,000 submitted reports, and counting them all is most of the
# page's cost (the count grows with the data; the page of 30 does not).
QUEUE_COUNT_CAP = 1000


def _queue(leader: bool):  # noqa: ANN202
    endpoint = "reports.approvals" if leader else "reports.review"
    if wants_export():
        states = ReportFlow.STATE_LABELS
        return export(
            "Báo cáo chờ duyệt" if leader else "Báo cáo chờ xem xét",
            review_list_args(leader),
            [
                ("Cơ quan", lambda r: r.agency.display_name),
                ("Kế hoạch", lambda r: r.plan.symbol or r.plan.title),
                ("Kỳ báo cáo", lambda r: r.period.label),
                ("Hạn gửi", lambda r: deadlines.effective_due(r.period, r.agency_id)),
                ("Gửi lúc", lambda r: r.submitted_at),
                ("Trạng thái", lambda r: gettext(states.get(r.status, r.status))),
                ("Số lần bị trả lại", lambda r: r.times_returned),
            ],
        )
    view = list_view(endpoint, **review_list_args(leader), per_page=30, count_cap=QUEUE_COUNT_CAP)
    items = view.page.items
    # when it reached this queue: the leader's from the audit trail (submitted_at comes later)
    sent = (
        workqueue.since_of("report", [r.id for r in items])
        if leader
        else {r.id: r.submitted_at for r in items}
    )
    statuses = status.for_periods(
        list({r.period_id: r.period for r in items}.values()),
        agency_ids={r.agency_id for r in items},  # this page's rows only
    )
    return render_template(
        "reports/review.html",
        view=view,
        items=items,
        sent=sent,
        statuses={r.id: statuses.get((r.period_id, r.agency_id)) for r in items},
        states=ReportFlow.STATE_LABELS,
        leader=leader,
    )


@bp.route("/review")
def review():
    """Reports waiting on the specialist of the standing agency."""
    if not policy.can(current_user, "report.review_queue"):
        abort(403)
    return _queue(leader=False)


@bp.route("/approvals")
def approvals():
    """Reports of the leader's agency waiting for approval."""
    return _queue(leader=True)


@bp.route("/reports/<int:report_id>/rows/<group>.xlsx")
def rows_template(report_id: int, group: str):
    """The Excel sheet to fill a repeating-rows field (with the rows already entered)."""
    report = visible_report(report_id)
    schema = (report.plan.current_form or report.form_version).schema
    spec = rows_upload.group_spec(schema, group)
    if spec is None:
        abort(404)
    rows = report.data.get(group) if isinstance(report.data.get(group), list) else []
    content = rows_upload.template(spec, rows)
    return excel.download(content, f"{spec.label} - {report.agency.display_name}"[:100])


@bp.route("/reports/<int:report_id>/rows/<group>", methods=["POST"])
def rows_upload_view(report_id: int, group: str):
    """Take the rows of an uploaded sheet into the draft, or refuse the whole file naming each
    row and column at fault (nothing saved)."""
    report = visible_report(report_id)
    policy.require(current_user, "report.edit", report)
    if not _can_edit(report):
        flash(gettext("Báo cáo này hiện không thể sửa."), "warning")
        return redirect(url_for("reports.show", report_id=report.id))
    schema = (report.plan.current_form or report.form_version).schema
    spec = rows_upload.group_spec(schema, group)
    if spec is None:
        abort(404)
    upload = request.files.get("tep")
    if upload is None or not upload.filename:
        flash(gettext("Chưa chọn tệp Excel."), "error")
        return redirect(url_for("reports.edit", report_id=report.id))
    try:
        rows = rows_upload.parse(spec, upload.read(rows_upload.MAX_BYTES + 1))
    except rows_upload.RowsUploadError as exc:
        flash(str(exc), "error")
        for problem in exc.problems:
            flash(problem, "error")
        return redirect(url_for("reports.edit", report_id=report.id))
    try:
        expected = int(request.form.get("kh_version") or report.version)
    except ValueError:
        expected = report.version
    try:
        reports.save_draft(report, {**report.data, group: rows}, current_user, expected)
        db.session.commit()
    except (ConcurrentEdit, InvalidInput) as exc:
        db.session.rollback()
        flash(gettext(str(exc)), "error")
        return redirect(url_for("reports.edit", report_id=report.id))
    flash(
        gettext("Đã nhập %(n)s dòng vào “%(field)s” từ tệp Excel.", n=len(rows), field=spec.label),
        "success",
    )
    return redirect(url_for("reports.edit", report_id=report.id))
