"""The kept facts of each reporting period: what its pages show of it as a whole, computed once
when it changes and read everywhere (style habit 17; DHIS2 keeps a completeness registration per
data set, period and organisation unit the same way).

Two facts are kept per period (``PeriodFacts``):

- its counts, ``status.Counts``, exactly as ``status.tally`` counts them (the status module's
  own output stored, not a second rule), valid for the period's data version and the Vietnam day
  they were counted on (a report not received becomes overdue as days pass);
- its consolidated figures, as ``forms.consolidate`` adds up the period's accepted reports
  (without each agency's cells, which a page reads for its own agencies), valid for the data
  version alone (nothing in them depends on the day).

**The data version** (``ReportingPeriod.facts_version``) is raised in the transaction of every
write that can change a period's facts, by one session hook (``_bump``, after each flush):
a report, extension or reopening of the period; the period itself (status, dates, closing,
lock); its plan, the plan's assignments and form versions (who owes a report and by when, the
form the figures are added up with); an agency assigned in the plan (name, code, validity);
and any day of the working-day calendar (every period). Bulk ``update()``/``delete()``
statements on those tables, which bypass the flush, raise every period's version
(``_bulk``); the code base runs none today.

**Readers** read the version and the kept row in one statement, compute what is missing or
stale from the database, and keep it carrying the version they read first: a writer that
commits meanwhile has raised the version, so the row is stale from the start and the next
reader computes again; a row is never read as current for data it was not computed from. A
reader keeps rows in a transaction of its own (a page's GET commits nothing), and only when its
own session has written nothing in the current transaction: uncommitted data is never kept,
and on SQLite a session holding the write lock would wait for itself. Concurrent readers
storing the same row do not fail: the write is ``INSERT … ON CONFLICT DO UPDATE`` (PostgreSQL and
SQLite), and never replaces a row of a newer version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from itertools import chain
from typing import Any, cast

from sqlalchemy import Table, event, inspect, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session

from app.extensions import db
from app.models import (
    Agency,
    Assignment,
    CalendarDay,
    Extension,
    FormVersion,
    PeriodFacts,
    Plan,
    Reopen,
    Report,
    ReportingPeriod,
)
from app.services import clock, status

log = logging.getLogger(__name__)
_PERIOD = cast(Table, ReportingPeriod.__table__)
_FACTS = cast(Table, PeriodFacts.__table__)

# session.info: this session's transaction has written something (nothing is kept then)
_WROTE = "kehoach_facts_wrote"
_OF_PERIOD = (Report, Extension, Reopen)  # rows of one period (``period_id``)
_OF_PLAN = (Assignment, FormVersion)  # rows of one plan: every period of it (``plan_id``)
# the tables whose rows the facts are computed from (a bulk statement on one raises them all)
FACT_TABLES = frozenset(
    m.__table__.name  # type: ignore[attr-defined]
    for m in (*_OF_PERIOD, *_OF_PLAN, Plan, ReportingPeriod, Agency, CalendarDay)
)


# -- the version, raised by writers --------------------------------------------------------


def _values(obj: object, attr: str) -> set[int]:
    """The values ``obj``'s ``attr`` had and has in this flush (a row moved to another period
    changes both); an expired value is loaded (before the flush: the row is still there)."""
    h = inspect(obj).attrs[attr].history
    return {v for v in chain(h.deleted or (), (getattr(obj, attr),)) if v is not None}


def _changed(session: Session, obj: object) -> bool:
    return obj not in session.dirty or session.is_modified(obj, include_collections=False)


Affected = tuple[set[int], set[int], set[int], bool]


def affected(session: Session, objects: Iterable[object]) -> Affected:
    """(period ids, plan ids, agency ids, every period) whose facts the flushed ``objects`` can
    change."""
    periods: set[int] = set()
    plans: set[int] = set()
    agencies: set[int] = set()
    everything = False
    for obj in objects:
        if isinstance(obj, _OF_PERIOD):
            periods |= _values(obj, "period_id")
        elif isinstance(obj, ReportingPeriod):
            if obj.id is not None and obj not in session.new:
                periods.add(obj.id)
        elif isinstance(obj, _OF_PLAN):
            plans |= _values(obj, "plan_id")
        elif isinstance(obj, Plan):
            if obj not in session.new:
                plans.add(obj.id)
        elif isinstance(obj, Agency):
            if obj not in session.new:
                agencies.add(obj.id)
        elif isinstance(obj, CalendarDay):
            everything = True
    return periods, plans, agencies, everything


def _raise_versions(
    session: Session, periods: set[int], plans: set[int], agencies: set[int], everything: bool
) -> None:
    """One UPDATE of ``reporting_period.facts_version`` in the session's transaction."""
    if not (periods or plans or agencies or everything):
        return
    stmt = update(_PERIOD).values(facts_version=_PERIOD.c.facts_version + 1)
    if not everything:
        c = _PERIOD.c
        where = []
        if periods:
            where.append(c.id.in_(sorted(periods)))
        if plans:
            where.append(c.plan_id.in_(sorted(plans)))
        if agencies:
            where.append(
                c.plan_id.in_(
                    select(Assignment.plan_id).where(Assignment.agency_id.in_(sorted(agencies)))
                )
            )
        stmt = stmt.where(or_(*where))
    session.connection().execute(stmt)


_PENDING = "kehoach_facts_pending"  # session.info: what the flush under way changes


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context: Any, instances: Any) -> None:  # noqa: ANN401
    # changed and deleted rows are read before the flush (their periods and plans can be
    # loaded then); new rows after it, once their keys are set
    objects = [o for o in chain(session.dirty, session.deleted) if _changed(session, o)]
    if objects:
        before: Affected = session.info.get(_PENDING) or (set(), set(), set(), False)
        now = affected(session, objects)
        session.info[_PENDING] = (
            before[0] | now[0],
            before[1] | now[1],
            before[2] | now[2],
            before[3] or now[3],
        )


@event.listens_for(Session, "after_flush")
def _bump(session: Session, flush_context: Any) -> None:  # noqa: ANN401
    pending = session.info.pop(_PENDING, None)
    new = list(session.new)  # still the flush's
    if not new and pending is None:
        return
    session.info[_WROTE] = True
    periods, plans, agencies, everything = affected(session, new)
    if pending is not None:
        periods |= pending[0]
        plans |= pending[1]
        agencies |= pending[2]
        everything = everything or pending[3]
    _raise_versions(session, periods, plans, agencies, everything)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    state.session.info[_WROTE] = True
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in FACT_TABLES:
        # which periods a bulk statement touches is not known here: all of them
        _raise_versions(state.session, set(), set(), set(), True)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: Any) -> None:  # noqa: ANN401
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


# -- the kept rows, read by pages ----------------------------------------------------------


def _storable(session: Session) -> bool:
    """Whether what this session computes now may be kept: it has written nothing in its
    transaction and has nothing pending (read from committed data only)."""
    return not (session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


def _keep(values: list[dict[str, Any]], version_col: str, cols: Sequence[str]) -> None:
    """Upsert ``values`` (rows of ``period_facts``) in a transaction of their own; a row of a
    newer version is left as it is. A failure (the period deleted meanwhile, a lock) is
    logged: the next reader computes again."""
    session = db.session()
    if not values or not _storable(session):
        return
    engine = db.engine
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(_FACTS).values(values)
    kept = _FACTS.c[version_col]
    stmt = stmt.on_conflict_do_update(
        index_elements=[_FACTS.c.period_id],
        set_={c: stmt.excluded[c] for c in cols},
        where=or_(kept.is_(None), kept <= stmt.excluded[version_col]),
    )
    try:
        with engine.begin() as conn:
            conn.execute(stmt)
    except DBAPIError as exc:
        log.warning("period facts not kept (%s): %s", [v["period_id"] for v in values], exc)


def counts(
    periods: Sequence[ReportingPeriod], *, today: date | None = None
) -> dict[int, status.Counts]:
    """``status.tally(periods, by=("period_id",))`` keyed by period id (every given period,
    ``Counts()`` when none owes a report), read from the kept rows; the missing or stale
    ones are counted by ``status.tally`` in one go and kept. Fresh: one query."""
    today = today or clock.today()
    if not periods:
        return {}
    by_id = {p.id: p for p in periods}
    rp, pf = _PERIOD.c, _FACTS.c
    rows = db.session.execute(
        select(rp.id, rp.facts_version, pf.counts_version, pf.counts_day, pf.counts)
        .outerjoin(_FACTS, pf.period_id == rp.id)
        .where(rp.id.in_(sorted(by_id)))
    ).all()
    out: dict[int, status.Counts] = {}
    stale: dict[int, int] = {}  # period id → the version read before counting
    for r in rows:
        if r.counts is not None and r.counts_version == r.facts_version and r.counts_day == today:
            out[r.id] = status.Counts(**r.counts)
        else:
            stale[r.id] = r.facts_version
    if stale:
        tallied = status.tally([by_id[i] for i in sorted(stale)], by=("period_id",), today=today)
        for i in stale:
            out[i] = tallied.get((i,), status.Counts())
        _keep(
            [
                {
                    "period_id": i,
                    "counts_version": v,
                    "counts_day": today,
                    "counts": out[i].as_dict(),
                }
                for i, v in sorted(stale.items())
            ],
            "counts_version",
            ("counts_version", "counts_day", "counts"),
        )
    return out


def totals(period: ReportingPeriod, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The period's consolidated figures (JSON) from its kept row, or ``compute()`` (the
    consolidation service adds the period up with ``forms.consolidate``) kept when missing or
    stale. Fresh: one query."""
    rp, pf = _PERIOD.c, _FACTS.c
    row = db.session.execute(
        select(rp.facts_version, pf.totals_version, pf.totals)
        .outerjoin(_FACTS, pf.period_id == rp.id)
        .where(rp.id == period.id)
    ).one()
    if row.totals is not None and row.totals_version == row.facts_version:
        return dict(row.totals)
    data = compute()
    _keep(
        [{"period_id": period.id, "totals_version": row.facts_version, "totals": data}],
        "totals_version",
        ("totals_version", "totals"),
    )
    return data
