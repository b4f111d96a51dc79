"""Figures of the dashboard: completeness and timeliness per plan, period and agency, the
agency's own deadlines, documents being generated. Plain dicts, ready for the template and for
the JSON block the charts read."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Document,
    Extension,
    ExtensionStatus,
    Notification,
    PeriodStatus,
    Plan,
    PlanStatus,
    ReportingPeriod,
    User,
)
from app.services import access, clock, status
from app.ui import N_

SERIES = (
    ("on_time", N_("Đúng hạn")),
    ("late", N_("Trễ hạn")),
    ("overdue", N_("Quá hạn, chưa gửi")),
    ("not_yet_due", N_("Chưa đến hạn")),
)
DUE_SOON_DAYS = 7


def _started(plan: Plan) -> list[ReportingPeriod]:
    return [p for p in plan.periods if p.status != PeriodStatus.PENDING]


def plan_figures(plan: Plan, manages: bool, statuses: dict[status.Key, status.Status]) -> dict:
    """Per period (the chart) and per agency (the table), counted from ``statuses``. Users of
    an assigned agency that does not manage the plan see only their own agency's line."""
    periods: list[dict] = []
    agencies: dict[int, tuple[status.Status, status.Counts]] = {}
    per_period: dict[int, list[status.Status]] = {}
    for s in statuses.values():
        per_period.setdefault(s.period_id, []).append(s)
    for p in _started(plan):
        rows = per_period.get(p.id, [])
        periods.append({"key": p.key, "label": p.label, **status.count(rows).as_dict()})
        for s in rows:
            agencies.setdefault(s.agency_id, (s, status.Counts()))[1].add(s)
    totals = status.Counts()
    for _s, c in agencies.values():
        for k, v in c.as_dict().items():
            setattr(totals, k, getattr(totals, k) + v)
    ranked = sorted(
        agencies.values(), key=lambda sc: (-(sc[1].overdue + sc[1].late), sc[0].agency_name)
    )
    order = [{"code": s.agency_code, "name": s.agency_name, **c.as_dict()} for s, c in ranked]
    return {
        "id": plan.id,
        "title": plan.title,
        "symbol": plan.symbol,
        "manages": manages,
        "periods": periods,
        "agencies": order,
        "totals": totals.as_dict(),
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


def my_deadlines(
    user: User, plans: list[Plan], statuses: dict[status.Key, status.Status], today: date
) -> list[dict]:
    """The user's agency's open reporting duties: overdue, or due within DUE_SOON_DAYS."""
    if not user.has_role("reporter", "agency_leader"):
        return []
    by_id = {p.id: p for p in plans}
    rows: list[dict[str, Any]] = []
    for p in plans:
        for period in p.periods:
            s = statuses.get((period.id, user.agency_id))
            if s is None or period.status != PeriodStatus.OPEN or s.received:
                continue
            if s.days_left > DUE_SOON_DAYS:
                continue
            rows.append({"plan": by_id[s.plan_id], "period": period, "status": s})
    rows.sort(key=lambda x: x["status"].due)
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
        access.plans_query(user)
        .where(Plan.status != PlanStatus.DRAFT)
        .options(selectinload(Plan.periods))
        .order_by(Plan.id.desc())
    ).all()
    managed = {p.id for p in plans if access.manages_plan(user, p)}
    started = [pr for p in plans for pr in _started(p)]
    everyone = [pr for pr in started if pr.plan_id in managed]
    own = [pr for pr in started if pr.plan_id not in managed]
    statuses = status.for_periods(everyone, today=today)
    statuses |= status.for_periods(own, agency_id=user.agency_id, today=today)
    by_plan: dict[int, dict[status.Key, status.Status]] = {}
    for key, s in statuses.items():
        by_plan.setdefault(s.plan_id, {})[key] = s
    figures = [plan_figures(p, p.id in managed, by_plan.get(p.id, {})) for p in plans]
    totals = status.Counts()
    for f in figures:
        for k, v in f["totals"].items():
            setattr(totals, k, getattr(totals, k) + v)
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
    mine_statuses = (
        statuses
        if user.agency_id is None
        else {k: s for k, s in statuses.items() if s.agency_id == user.agency_id}
    )
    return {
        "figures": figures,
        "charts": chart_data(figures),
        "totals": totals.as_dict(),
        "drafts": drafts,
        "mine": my_deadlines(user, list(plans), mine_statuses, today),
        "running": running_documents(user),
        "pending_extensions": extensions,
        "today": today,
        "soon": today + timedelta(days=DUE_SOON_DAYS),
    }
