"""Figures of the dashboard: completeness and timeliness per plan, period and agency, the
agency's own deadlines, documents being generated. Plain dicts, ready for the template and for
the JSON block the charts read."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import defer, joinedload, selectinload

from app.extensions import db
from app.lists import page_number
from app.models import (
    Agency,
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
from app.services import access, clock, facts, policy, status
from app.ui import N_

SERIES = (
    ("on_time", N_("Đúng hạn")),
    ("late", N_("Trễ hạn")),
    ("overdue", N_("Quá hạn, chưa gửi")),
    ("not_yet_due", N_("Chưa đến hạn")),
)
DUE_SOON_DAYS = 7


PLANS_PER_PAGE = 5  # plans shown with their figures, a page at a time
AGENCIES_SHOWN = 10  # per plan: the agencies with the most late or overdue reports


def _started(plan: Plan) -> list[ReportingPeriod]:
    return [p for p in plan.periods if p.status != PeriodStatus.PENDING]


def plan_figures(
    plan: Plan,
    manages: bool,
    per_period: dict[int, status.Counts],
    agencies: list[tuple[Agency, status.Counts]],
    n_agencies: int,
) -> dict:
    """Per period (the chart) and per agency (the table: the agencies with the most late or
    overdue reports, ``n_agencies`` owing reports in all), counted by ``status.tally``. Users of
    an assigned agency that does not manage the plan see only their own agency's line."""
    periods = [
        {"key": p.key, "label": p.label, **per_period.get(p.id, status.Counts()).as_dict()}
        for p in _started(plan)
    ]
    totals = status.Counts()
    for c in per_period.values():
        totals.merge(c)
    order = [{"code": ag.code, "name": ag.name, **c.as_dict()} for ag, c in agencies]
    return {
        "id": plan.id,
        "title": plan.title,
        "symbol": plan.symbol,
        "manages": manages,
        "periods": periods,
        "agencies": order,
        "agencies_total": n_agencies,
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


MINE_SHOWN = 20  # the agency's most urgent open rounds on its dashboard (all in the inbox)


def my_deadlines(user: User, today: date) -> tuple[list[dict], int]:
    """The user's agency's open reporting duties not yet received: overdue, or due within
    DUE_SOON_DAYS, the most urgent MINE_SHOWN of them (by due date), and how many there are in
    all. Picked and counted by the database (``status.agency_rounds``); only those shown are
    decided, whatever the number of the agency's rounds."""
    if not policy.can(user, "report.work") or user.agency_id is None:
        return [], 0
    visible = access.plans_query(user).where(Plan.status != PlanStatus.DRAFT)
    total, ids = status.agency_rounds(
        and_(
            ReportingPeriod.status == PeriodStatus.OPEN,
            ReportingPeriod.plan_id.in_(visible.with_only_columns(Plan.id)),
        ),
        user.agency_id,
        limit=MINE_SHOWN,
        due_within=DUE_SOON_DAYS,
        today=today,
    )
    by_id = {
        p.id: p
        for p in db.session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.id.in_(ids))
            .options(joinedload(ReportingPeriod.plan).defer(Plan.definition))
        )
    }
    periods = [by_id[i] for i in ids if i in by_id]
    statuses = status.for_periods(periods, agency_id=user.agency_id, today=today)
    rows: list[dict[str, Any]] = []
    for period in periods:
        s = statuses.get((period.id, user.agency_id))
        if s is None or s.received or s.days_left > DUE_SOON_DAYS:
            continue
        rows.append({"plan": period.plan, "period": period, "status": s})
    return rows, total


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
        .where(Extension.status == ExtensionStatus.PENDING, access.standing_plans(user))
    )
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


def plans_query(user: User):  # noqa: ANN201
    """The issued plans the user sees: those in progress first, then the consolidated ones,
    newest first."""
    return (
        access.plans_query(user)
        .where(Plan.status != PlanStatus.DRAFT)
        .options(selectinload(Plan.periods), defer(Plan.definition))
        .order_by((Plan.status == PlanStatus.CONSOLIDATED).asc(), Plan.id.desc())
    )


def figures_of(user: User, plans: list[Plan], today: date, limit: int | None) -> list[dict]:
    """The figures of ``plans``, counted in the database (a fixed number of queries): every
    agency's for the plans the user manages (the ``limit`` agencies with most late or overdue
    reports in the table; all when ``limit`` is None), the user's agency's for the others."""
    managed = {p.id for p in plans if access.manages_plan(user, p)}
    everyone = [pr for p in plans if p.id in managed for pr in _started(p)]
    own = [pr for p in plans if p.id not in managed for pr in _started(p)]
    per_period: dict[int, dict[int, status.Counts]] = {}
    # the periods the user manages: their kept counts (app.services.facts), counted again
    # only where a write or a new day made them stale
    kept = facts.counts(everyone, today=today)
    tallies = {(pr.plan_id, pr.id): kept[pr.id] for pr in everyone if kept[pr.id].expected}
    if own and user.agency_id is not None:
        tallies |= status.tally(
            own, by=("plan_id", "period_id"), agency_id=user.agency_id, today=today
        )
    for (plan_id, period_id), c in tallies.items():
        per_period.setdefault(plan_id, {})[period_id] = c
    ranked = status.ranked_agencies(everyone, limit or 10**9, today=today)
    if own and user.agency_id is not None:
        ranked |= {p.id: (1, [user.agency_id]) for p in plans if p.id not in managed}
    shown = {a for _n, ids in ranked.values() for a in ids}
    by_agency = (
        status.tally(everyone + own, by=("plan_id", "agency_id"), agency_ids=shown, today=today)
        if shown
        else {}
    )
    names = {ag.id: ag for ag in db.session.scalars(select(Agency).where(Agency.id.in_(shown)))}
    out = []
    for p in plans:
        n, ids = ranked.get(p.id, (0, []))
        rows = [(names[a], by_agency[(p.id, a)]) for a in ids if (p.id, a) in by_agency]
        out.append(plan_figures(p, p.id in managed, per_period.get(p.id, {}), rows, n))
    return out


def build(user: User, today: date | None = None, *, everything: bool = False) -> dict:
    """The dashboard: the issued plans a page at a time (``?trang=``; in progress first), or all
    of them with every agency's line when ``everything`` (the Excel download)."""
    today = today or clock.today()
    if everything:
        plans = list(db.session.scalars(plans_query(user)))
        page = None
    else:
        page = db.paginate(
            plans_query(user), page=page_number(), per_page=PLANS_PER_PAGE, error_out=False
        )
        plans = list(page.items)
    figures = figures_of(user, plans, today, None if everything else AGENCIES_SHOWN)
    totals = status.Counts()
    for f in figures:
        for k, v in f["totals"].items():
            setattr(totals, k, getattr(totals, k) + v)
    drafts = db.session.scalars(
        access.plans_query(user)
        .where(Plan.status == PlanStatus.DRAFT)
        .order_by(Plan.id.desc())
        .limit(PLANS_PER_PAGE * 4)
    ).all()
    extensions = (
        db.session.scalar(
            select(func.count()).select_from(pending_extensions_query(user).subquery())
        )
        if policy.can(user, "extension.queue")
        else 0
    )
    mine, mine_total = my_deadlines(user, today)
    return {
        "figures": figures,
        "charts": chart_data(figures),
        "totals": totals.as_dict(),
        "plans_page": page,
        "drafts": drafts,
        "mine": mine,
        "mine_total": mine_total,
        "running": running_documents(user),
        "pending_extensions": extensions,
        "today": today,
        "soon": today + timedelta(days=DUE_SOON_DAYS),
    }
