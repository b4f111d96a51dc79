"""Figures of the dashboard: completeness and timeliness per plan, period and agency, the
agency's own deadlines, documents being generated. Plain dicts, ready for the template and for
the JSON block the charts read."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import (
    Assignment,
    Document,
    Extension,
    ExtensionStatus,
    Notification,
    PeriodStatus,
    Plan,
    PlanStatus,
    Report,
    ReportStatus,
    User,
)
from app.services import access, clock, deadlines
from app.ui import N_

KEYS = (
    "expected",
    "submitted",
    "on_time",
    "late",
    "missing",
    "pending",
    "returned_and_resubmitted",
)
SERIES = (
    ("on_time", N_("Đúng hạn")),
    ("late", N_("Trễ hạn")),
    ("missing", N_("Quá hạn, chưa gửi")),
    ("pending", N_("Chưa đến hạn")),
)
DUE_SOON_DAYS = 7
DONE = {ReportStatus.SUBMITTED, ReportStatus.ACCEPTED}


def _empty() -> dict:
    return {k: 0 for k in KEYS} | {"working_days_late": 0}


def plan_figures(plan: Plan, user: User, today: date) -> dict:
    """Per period (the chart) and per agency (the table). Users of an assigned agency that does
    not manage the plan see only their own agency's line."""
    manages = access.manages_plan(user, plan)
    timeliness = deadlines.plan_timeliness(plan, today)
    periods: list[dict[str, Any]] = []
    agencies: dict[str, dict[str, Any]] = {}
    for p in timeliness["periods"]:
        rows = [r for r in p["agencies"] if manages or r["agency_code"] == user.agency.code]
        summary = _empty()
        for r in rows:
            a = agencies.setdefault(
                r["agency_code"], {"code": r["agency_code"], "name": r["agency_name"], **_empty()}
            )
            for target in (summary, a):
                target["expected"] += 1
                target["submitted"] += r["submitted_on"] is not None
                target[r["timeliness"]] += 1
                target["returned_and_resubmitted"] += bool(r["returned_and_resubmitted"])
                if r["timeliness"] == "late":
                    target["working_days_late"] += r["working_days_late"] or 0
        periods.append({"key": p["period"], "label": p["label"], **summary})
    totals = _empty()
    for p in periods:
        for k in totals:
            totals[k] += p[k]
    order = sorted(agencies.values(), key=lambda a: (-(a["missing"] + a["late"]), a["name"]))
    return {
        "id": plan.id,
        "title": plan.title,
        "symbol": plan.symbol,
        "manages": manages,
        "periods": periods,
        "agencies": order,
        "totals": totals,
    }


def chart_data(figures: list[dict]) -> list[dict]:
    """What dashboard.js draws: one stacked bar chart per plan, a bar per period."""
    return [
        {
            "id": f"chart-plan-{f['id']}",
            "labels": [p["label"] for p in f["periods"]],
            "series": [
                {"key": k, "label": gettext(label), "data": [p[k] for p in f["periods"]]}
                for k, label in SERIES
            ],
        }
        for f in figures
        if f["periods"]
    ]


def my_deadlines(user: User, today: date) -> list[dict]:
    """The user's agency's open reporting duties: overdue, or due within DUE_SOON_DAYS."""
    if not user.has_role("reporter", "agency_leader"):
        return []
    plan_ids = access.plans_query(user).with_only_columns(Plan.id)
    assignments = db.session.scalars(
        select(Assignment)
        .join(Plan)
        .where(
            Assignment.agency_id == user.agency_id,
            Assignment.reports.is_(True),
            Assignment.plan_id.in_(plan_ids),
            Plan.status != PlanStatus.DRAFT,
        )
    ).all()
    reports = {
        r.period_id: r
        for r in db.session.scalars(select(Report).where(Report.agency_id == user.agency_id))
    }
    rows: list[dict[str, Any]] = []
    for a in assignments:
        for period in a.plan.periods:
            if period.status != PeriodStatus.OPEN:
                continue
            r = reports.get(period.id)
            if r is not None and r.status in DONE:
                continue
            due = deadlines.effective_due(period, user.agency_id)
            left = (due - today).days
            if left > DUE_SOON_DAYS:
                continue
            rows.append(
                {
                    "plan": a.plan,
                    "period": period,
                    "report": r,
                    "due": due,
                    "extended": due != deadlines.assignment_due(period, user.agency_id),
                    "days_left": left,
                    "overdue": left < 0,
                    "locked": deadlines.is_period_locked(period, user.agency_id, today),
                }
            )
    rows.sort(key=lambda x: x["due"])
    return rows


def running_documents(user: User) -> list[Document]:
    """Documents of the user's agency, or of plans it manages, whose files are being made (not
    the released plans an assigned agency may merely read)."""
    q = access.documents_query(user).where(Document.render_state.in_(["queued", "running"]))
    if not access.is_admin(user):
        managed = select(Plan.id).where(
            or_(Plan.issuer_id == user.agency_id, Plan.standing_agency_id == user.agency_id)
        )
        q = q.where(or_(Document.agency_id == user.agency_id, Document.plan_id.in_(managed)))
    return list(db.session.scalars(q.order_by(Document.id.desc()).limit(20)))


def pending_extensions_query(user: User):  # noqa: ANN201
    """Extension requests waiting on this standing-agency specialist."""
    q = (
        select(Extension)
        .join(Plan, Extension.plan_id == Plan.id)
        .where(Extension.status == ExtensionStatus.PENDING)
    )
    if not user.has_role("admin"):
        q = q.where(Plan.standing_agency_id == user.agency_id)
    return q.order_by(Extension.created_at, Extension.id)


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def build(user: User, today: date | None = None) -> dict:
    today = today or clock.today()
    plans = db.session.scalars(
        access.plans_query(user).where(Plan.status != PlanStatus.DRAFT).order_by(Plan.id.desc())
    ).all()
    figures = [plan_figures(p, user, today) for p in plans]
    totals = _empty()
    for f in figures:
        for k in totals:
            totals[k] += f["totals"][k]
    drafts = db.session.scalars(
        access.plans_query(user).where(Plan.status == PlanStatus.DRAFT).order_by(Plan.id.desc())
    ).all()
    extensions = (
        db.session.scalar(
            select(func.count()).select_from(pending_extensions_query(user).subquery())
        )
        if user.has_role("specialist", "admin")
        else 0
    )
    return {
        "figures": figures,
        "charts": chart_data(figures),
        "totals": totals,
        "drafts": drafts,
        "mine": my_deadlines(user, today),
        "running": running_documents(user),
        "pending_extensions": extensions,
        "today": today,
        "soon": today + timedelta(days=DUE_SOON_DAYS),
    }
