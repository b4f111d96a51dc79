"""The consolidation page of a reporting period."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from app import excel
from app.consolidation import bp
from app.consolidation.forms import CreateForm
from app.extensions import db
from app.lists import page_of
from app.models import Document, DocumentKind, Plan, ReportingPeriod
from app.services import access, consolidation, policy
from app.services.exceptions import InvalidInput
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


@bp.route("/periods/<int:period_id>/consolidation")
def show(period_id: int):
    period = managed_period(period_id)
    results = consolidation.compute(period)
    form = period.plan.current_form
    schema = {f.get("name"): f for f in ((form.schema if form else None) or {}).get("fields", [])}
    for f in results["fields"]:
        if f.get("rule") == "rows":  # the group's columns, as the consolidated report's table
            f["row_columns"] = [
                (c["name"], c.get("short_label") or c["label"])
                for c in (schema.get(f["name"]) or {}).get("fields") or []
                if c.get("type") != "file"
            ]
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
        agencies=page_of(results["agencies"], AGENCIES_PER_PAGE),
        period=period,
        plan=period.plan,
        results=results,
        docs=docs,
        can_create=refusal is None,
        create_refusal=refusal if may_draft else None,
        form=CreateForm(),
        cells={
            f["name"]: {c["agency_code"]: c.get("display") or "" for c in f.get("agencies") or []}
            for f in results["fields"]
        },
        report_states=ReportFlow.STATE_LABELS,
        round_states=RoundFlow.STATE_LABELS,
        doc_states=DocumentFlow.STATE_LABELS,
    )


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
