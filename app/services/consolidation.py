"""Consolidation: adding up a period's reports with each field's rule (``forms.consolidate``),
recording who reported on time, late or not at all, and drafting the consolidated report."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Consolidation, Document, DocumentKind, ReportingPeriod, User
from app.services import audit, deadlines, documents, plans, policy
from forms.consolidate import consolidate


def compute(period: ReportingPeriod, include_statuses: tuple[str, ...] = ("accepted",)) -> dict:
    """The consolidated figures of ``period`` as of now (nothing stored)."""
    plan = period.plan
    inputs = []
    for r in plans.period_reports(period):
        inputs.append(
            {
                "agency_code": r.agency.code,
                "agency_name": r.agency.name,
                "data": r.data,
                "schema": r.form_version.schema,
                "status": r.status,
                "submitted_at": r.first_submitted_at,
                "due": deadlines.due_date(r),
                "times_returned": r.times_returned,
            }
        )
    expected = [
        {"code": a.agency.code, "name": a.agency.name} for a in plans.expected_assignments(plan)
    ]
    assert plan.current_form is not None
    results = consolidate(
        plan.current_form.schema, inputs, expected, include_statuses=include_statuses
    )
    deadlines.annotate_timeliness(period, results)
    return results


def _require_standing(period: ReportingPeriod, actor: User) -> None:
    policy.require(actor, "consolidation.run", period)


def consolidate_period(
    period: ReportingPeriod, actor: User, narrative: str | None = None
) -> Consolidation:
    """Store the consolidation of ``period`` (replacing an earlier one) and audit it."""
    _require_standing(period, actor)
    results = compute(period)
    row = db.session.scalar(select(Consolidation).where(Consolidation.period_id == period.id))
    if row is None:
        row = Consolidation(plan_id=period.plan_id, period_id=period.id)
        db.session.add(row)
    row.results = results
    row.narrative = narrative
    row.created_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        row,
        "consolidate",
        plan_id=period.plan_id,
        data={"summary": results["summary"], "period": period.key},
    )
    return row


def draft_consolidated_report(period: ReportingPeriod, actor: User) -> Document:
    """Consolidate and draft the Báo cáo tổng hợp for signature by the standing agency."""
    consolidate_period(period, actor)
    plan = period.plan
    title = f"Kết quả thực hiện Kế hoạch {plan.symbol or ''} {period.label.lower()}".replace(
        "  ", " "
    )
    if plan.symbol:
        title = f"Kết quả thực hiện Kế hoạch số {plan.symbol} ({period.label.lower()})"
    else:
        title = f"Kết quả thực hiện Kế hoạch {plan.title} ({period.label.lower()})"
    return documents.create_document(
        DocumentKind.CONSOLIDATED, plan.standing_agency, title, actor, plan=plan, period=period
    )
