"""The consolidation page of a reporting period."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from app import excel
from app.consolidation import bp
from app.consolidation.forms import CreateForm, ReportPartsForm
from app.extensions import db
from app.lists import ListPage, page_number
from app.models import Document, DocumentKind, Plan, ReportingPeriod
from app.services import access, consolidation, policy, report_parts
from app.services.exceptions import ConcurrentEdit, InvalidInput, NotAllowed
from app.ui import status_phrase
from workflows import DocumentFlow, ReportFlow, RoundFlow


def managed_period(period_id: int) -> ReportingPeriod:
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        abort(404)
    plan = access.get_visible(current_user, access.plans_query(current_user), Plan, period.plan_id)
    if not access.manages_plan(current_user, plan):
        abort(404)
    return period


AGENCIES_PER_PAGE = 50  # lines of the table per agency (the totals are the whole period's)


def _parts_form(period: ReportingPeriod) -> ReportPartsForm:
    """The report-parts form filled with what the report prints now."""
    form = ReportPartsForm(formdata=None)
    parts = report_parts.current(period)
    for key, lines in parts.items():
        getattr(form, key).data = "\n".join(lines)
    form.seen.data = report_parts.fingerprint(parts)
    return form


@bp.route("/periods/<int:period_id>/consolidation")
def show(period_id: int, parts_form: ReportPartsForm | None = None, status: int = 200):
    period = managed_period(period_id)
    results = consolidation.compute(period, page=(page_number(), AGENCIES_PER_PAGE))
    form = period.plan.current_form
    schema = {f.get("name"): f for f in ((form.schema if form else None) or {}).get("fields", [])}
    for f in results["fields"]:
        if f.get("rule") == "rows":  # the group's columns, as the consolidated report's table
            f["row_columns"] = [
                (c["name"], c.get("short_label") or c["label"])
                for c in (schema.get(f["name"]) or {}).get("fields") or []
                if c.get("type") != "file"
            ]
    shown = {a["agency_code"] for a in results["agencies"]}
    docs = db.session.scalars(
        access.documents_query(current_user)
        .where(Document.period_id == period.id, Document.kind == DocumentKind.CONSOLIDATED)
        .order_by(Document.id)
    ).all()
    refusal = consolidation.draft_refusal(
        period, current_user, consolidation.consolidated_documents(period)
    )
    may_draft = policy.can(current_user, "consolidation.draft", period)
    return render_template(
        "consolidation/show.html",
        agencies=ListPage(
            results["agencies"],
            results.get("agencies_page", 1),
            AGENCIES_PER_PAGE,
            results.get("agencies_total", 0),
        ),
        period=period,
        plan=period.plan,
        results=results,
        docs=docs,
        can_create=refusal is None,
        create_refusal=refusal if may_draft else None,
        form=CreateForm(),
        cells={  # the shown agencies' cells only
            f["name"]: {
                c["agency_code"]: c.get("display") or ""
                for c in f.get("agencies") or []
                if c["agency_code"] in shown
            }
            for f in results["fields"]
        },
        report_states=ReportFlow.STATE_LABELS,
        round_states=RoundFlow.STATE_LABELS,
        doc_states=DocumentFlow.STATE_LABELS,
        parts_form=parts_form or _parts_form(period),
        parts_refusal=report_parts.refusal(period, current_user),
        parts_edited=report_parts.edited(period),
    ), status


@bp.route("/periods/<int:period_id>/consolidation/report", methods=["POST"])
def save_report_parts(period_id: int):
    """The standing agency's addressee, recipients and assessment of its consolidated report."""
    period = managed_period(period_id)
    if not policy.can(current_user, "consolidation.edit_report", period):
        abort(403)
    form = ReportPartsForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return show(period_id, parts_form=form, status=422)
    try:
        changed = report_parts.save(
            period,
            {key: getattr(form, key).data for key in report_parts.KEYS},
            current_user,
            seen=form.seen.data or None,
        )
        db.session.commit()
    except ConcurrentEdit as exc:
        db.session.rollback()
        form.addressees.errors = [*form.addressees.errors, str(exc)]
        form.seen.data = report_parts.fingerprint(report_parts.current(period))
        return show(period_id, parts_form=form, status=409)
    except (InvalidInput, NotAllowed) as exc:
        db.session.rollback()
        form.addressees.errors = [*form.addressees.errors, str(exc)]
        return show(period_id, parts_form=form, status=422)
    flash(gettext("Đã lưu nơi nhận và phần đánh giá của báo cáo tổng hợp."), "success")
    for _doc, before in changed:
        if before == "awaiting_signature":
            flash(
                gettext(
                    "Báo cáo tổng hợp đang chờ ký đã trở về dự thảo vì nội dung thay đổi; lãnh "
                    "đạo đã được thông báo. Hãy kiểm tra rồi trình ký lại."
                ),
                "warning",
            )
        else:
            flash(gettext("Dự thảo báo cáo tổng hợp được soạn lại theo nội dung mới."), "success")
    return redirect(url_for("consolidation.show", period_id=period.id) + "#noi-dung-bao-cao")


@bp.route("/periods/<int:period_id>/consolidation", methods=["POST"])
def create(period_id: int):
    period = managed_period(period_id)
    if not CreateForm().validate_on_submit():
        abort(400)
    try:
        # adding the reports up is the worker's job; the document page shows its progress
        doc = consolidation.draft_consolidated_report(period, current_user, in_worker=True)
    except InvalidInput as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("consolidation.show", period_id=period.id))
    db.session.commit()
    flash(gettext("Đã tạo dự thảo báo cáo tổng hợp. Hãy kiểm tra rồi trình ký."), "success")
    return redirect(url_for("documents.show", doc_id=doc.id))


__all__ = ["select"]


@bp.route("/periods/<int:period_id>/consolidation.xlsx")
def export_xlsx(period_id: int):
    """The consolidated results as on the page: agency × field with totals, targets and
    timeliness."""
    period = managed_period(period_id)
    results = consolidation.compute(period)
    plan = period.plan
    title = plan.symbol or plan.title
    return excel.response(
        f"Tổng hợp {period.label} - {title}"[:120],
        excel.consolidated_sheets(plan.title, period.label, results, status_phrase),
    )
