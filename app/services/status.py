"""The status of each (reporting period, agency): the one place that decides whether an agency's
report is not yet due, on time, late or overdue (and by how many working days), or not required.
Every page, notification, reminder and document reads it; none recomputes it. The definition is
written in ``docs/status.md``.

Computed set-wise, not kept as rows: ``for_periods`` loads everything a set of periods needs with
a fixed number of queries (assignments with their agencies, reports, granted extensions,
reopenings, the calendar once per request) and decides in Python, so a page costs the same number
of queries at 10 or 1,000 agencies and no stored figure can drift from the reports it sums.
Counts over many agencies (``tally``, ``ranked_agencies``) are made by the database with the same
rule written in SQL (``_facts``), proved equal to ``decide`` by tests/dashboard/test_status_sql.py.
A period's counts are also kept as a row (app.services.facts stores ``tally``'s output, valid for
the period's data version and the day) for the pages that show many periods' counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple, cast

from sqlalchemy import Date, Integer, and_, case, exists, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import defer
from sqlalchemy.sql.expression import FunctionElement

from app.extensions import db
from app.models import (
    Agency,
    Assignment,
    Extension,
    ExtensionStatus,
    PeriodStatus,
    Plan,
    Reopen,
    Report,
    ReportingPeriod,
    ReportStatus,
)
from app.services import calendar, clock, deadline_text


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


class Result(StrEnum):
    NOT_YET_DUE = "not_yet_due"
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"
    NOT_REQUIRED = "not_required"


# Vietnamese labels (the source language); the web translates them with gettext.
LABELS = {
    Result.NOT_YET_DUE: N_("Chưa đến hạn"),
    Result.ON_TIME: N_("Đúng hạn"),
    Result.LATE: N_("Trễ hạn"),
    Result.OVERDUE: N_("Quá hạn, chưa gửi"),
    Result.NOT_REQUIRED: N_("Không phải báo cáo"),
}
DAYS = N_("%(n)s ngày làm việc")
# "Trễ 3 ngày làm việc" / "Quá hạn 3 ngày làm việc": one phrase for the web, notices and documents
PHRASES = {
    Result.LATE: N_("Trễ %(n)s ngày làm việc"),
    Result.OVERDUE: N_("Quá hạn %(n)s ngày làm việc"),
}

RECEIVED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


def days_phrase(n: int, translate: Callable[[str], str] = str) -> str:
    """A count of working days, always with its unit: "3 ngày làm việc"."""
    return translate(DAYS) % {"n": n}


@dataclass(frozen=True)
class Status:
    """What the system knows of one agency's report for one period."""

    plan_id: int
    period_id: int
    agency_id: int
    agency_code: str
    agency_name: str
    required: bool
    assignment_due: date  # the plan's, or the assignment's own date / working-day offset
    due: date  # effective: the latest granted extension, else ``assignment_due``
    report_id: int | None
    report_status: str | None
    first_submitted_on: date | None  # Vietnam date of the first submission
    received: bool  # a submission stands (submitted or accepted)
    accepted: bool
    returned: bool  # returned and not yet resubmitted
    times_returned: int
    lock_on: date | None  # first locked day (None: never locks)
    reopened: bool  # a reopening is in force
    locked: bool  # no report can be submitted now
    result: Result
    days: int  # working days late (LATE) or overdue (OVERDUE); 0 otherwise
    days_left: int  # calendar days from today to the due date (negative once passed)

    @property
    def extended(self) -> bool:
        return self.due != self.assignment_due

    @property
    def resubmitted(self) -> bool:
        """Returned at least once and standing again (submitted or accepted)."""
        return self.received and self.times_returned > 0

    @property
    def missing(self) -> bool:
        """Expected and not received."""
        return self.required and not self.received

    @property
    def counts_as_received(self) -> bool:
        return self.required and self.received

    @property
    def text(self) -> str:
        """The Vietnamese phrase: "Đúng hạn", "Trễ 2 ngày làm việc", "Quá hạn 5 ngày làm việc"…"""
        return phrase(self.result, self.days)


def phrase(result: Result | str, days: int = 0, translate: Callable[[str], str] = str) -> str:
    """The phrase of a result, Vietnamese unless ``translate`` is given (the web passes
    ``gettext``; documents stay Vietnamese)."""
    result = Result(result)
    if result in PHRASES and days:
        return translate(PHRASES[result]) % {"n": days}
    return translate(LABELS[result])


@dataclass
class Counts:
    """Figures of a set of statuses (only required ones count)."""

    expected: int = 0
    received: int = 0
    accepted: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    not_yet_due: int = 0
    returned: int = 0  # returned, waiting for the agency's resubmission
    resubmitted: int = 0
    working_days_late: int = 0  # sum over the late ones
    by_result: dict[str, int] = field(default_factory=dict)

    def add(self, s: Status) -> None:
        if not s.required:
            return
        self.expected += 1
        self.received += s.received
        self.accepted += s.accepted
        self.returned += s.returned
        self.resubmitted += s.resubmitted
        setattr(self, s.result.value, getattr(self, s.result.value) + 1)
        if s.result == Result.LATE:
            self.working_days_late += s.days

    def merge(self, other: Counts) -> None:
        for k, v in other.as_dict().items():
            setattr(self, k, getattr(self, k) + v)

    def as_dict(self) -> dict[str, int]:
        return {
            k: getattr(self, k)
            for k in (
                "expected",
                "received",
                "accepted",
                "on_time",
                "late",
                "overdue",
                "not_yet_due",
                "returned",
                "resubmitted",
                "working_days_late",
            )
        }


def count(statuses: Iterable[Status]) -> Counts:
    c = Counts()
    for s in statuses:
        c.add(s)
    return c


# -- the rule --------------------------------------------------------------------------------


class AssignmentFacts(NamedTuple):
    """What a status is decided from of an assignment (a plain row: ``for_periods`` reads
    these columns, not an ORM object per agency)."""

    plan_id: int
    agency_id: int
    reports: bool
    due: date | None
    due_text: str | None
    due_working_days: int | None
    group_id: int | None


class AgencyFacts(NamedTuple):
    """What a status is decided from, and names, of an agency (a plain row)."""

    id: int
    code: str
    name: str
    valid_from: date | None
    valid_to: date | None

    def is_active(self, on: date) -> bool:
        """``Agency.is_active``: in existence on ``on``."""
        return Agency.is_active(cast(Agency, self), on)


def required(
    plan: Plan | None,
    assignment: Assignment | AssignmentFacts,
    period: ReportingPeriod | None = None,
    agency: Agency | AgencyFacts | None = None,
) -> bool:
    """Whether an assignment owes a report (in ``period`` when given): ``Plan.requires_report``
    (marked ``reports``, not the standing agency's own, a group's member only while valid).
    ``assignment`` and ``agency`` may be rows or their facts (``AssignmentFacts``,
    ``AgencyFacts``); facts need ``agency`` when the assignment is a group's."""
    if plan is None:
        return bool(assignment.reports)
    if period is not None and assignment.group_id is not None and agency is not None:
        return plan.requires_report(cast(Assignment, assignment)) and agency.is_active(
            period.ends_on
        )
    return plan.requires_report(cast(Assignment, assignment), period)


def _vn_day(at: datetime | None) -> date | None:
    return at.astimezone(clock.VN).date() if at is not None else None


def _as_of(period: ReportingPeriod, today: date) -> date:
    """Overdue days stop counting when the round was closed."""
    closed = _vn_day(period.closed_at)
    return min(today, closed) if closed is not None else today


def _assignment_due(
    period: ReportingPeriod, a: Assignment | AssignmentFacts | None, cal: calendar.Days
) -> date:
    if a is not None and a.due is not None:
        return a.due
    if a is not None and a.due_text:
        # "trước ngày 25/12": the occurrence nearest to the period's cut-off (deadline_text)
        return deadline_text.due_for_cutoff(a.due_text, period.ends_on)
    if a is not None and a.due_working_days:
        return cal.add_working_days(period.ends_on, a.due_working_days)
    return period.due_on


class ReportFacts(NamedTuple):
    """What a status is decided from of a report (a plain row: ``for_periods`` reads these
    columns, not the report's data)."""

    id: int
    status: str
    first_submitted_at: datetime | None
    times_returned: int


def decide(
    *,
    period: ReportingPeriod,
    plan: Plan,
    assignment: Assignment | AssignmentFacts | None,
    agency: Agency | AgencyFacts,
    report: Report | ReportFacts | None,
    granted_due: date | None,
    reopens: Sequence[Reopen],
    today: date,
    cal: calendar.Days,
) -> Status:
    """The status of ``agency`` in ``period`` from its facts (no query): rows, or the plain
    facts ``for_periods`` reads (``AssignmentFacts``, ``AgencyFacts``, ``ReportFacts``)."""
    is_required = assignment is not None and required(plan, assignment, period, agency)
    base_due = _assignment_due(period, assignment, cal)
    due = granted_due or base_due
    status = report.status if report is not None else None
    received = status in RECEIVED
    first = _vn_day(report.first_submitted_at) if report is not None else None
    lock_on = (
        due + timedelta(days=period.lock_after_days + 1)
        if period.lock_after_days is not None
        else None
    )
    reopened = any(r.until is None or today <= r.until for r in reopens)
    locked = lock_on is not None and today >= lock_on and not reopened
    days = 0
    if not is_required:
        result = Result.NOT_REQUIRED
    elif received and first is not None:
        # a returned and resubmitted report keeps the date of its first submission
        if first <= due:
            result = Result.ON_TIME
        else:
            result = Result.LATE
            days = cal.working_days_late(due, first)
    elif period.status == PeriodStatus.PENDING:
        result = Result.NOT_YET_DUE
    else:
        as_of = _as_of(period, today)
        if as_of > due:
            result = Result.OVERDUE
            days = cal.working_days_late(due, as_of)
        else:
            result = Result.NOT_YET_DUE
    return Status(
        plan_id=plan.id,
        period_id=period.id,
        agency_id=agency.id,
        agency_code=agency.code,
        agency_name=agency.name,
        required=is_required,
        assignment_due=base_due,
        due=due,
        report_id=report.id if report is not None else None,
        report_status=status,
        first_submitted_on=first,
        received=received,
        accepted=status == ReportStatus.ACCEPTED,
        returned=status is not None and not received and bool(report and report.times_returned),
        times_returned=report.times_returned if report is not None else 0,
        lock_on=lock_on,
        reopened=reopened,
        locked=locked,
        result=result,
        days=days,
        days_left=(due - today).days,
    )


# -- set-wise loading ------------------------------------------------------------------------


def _decided(e: Extension) -> tuple:
    return (e.decided_at is not None, e.decided_at, e.id)


Key = tuple[int, int]  # (period_id, agency_id)


def for_periods(
    periods: Sequence[ReportingPeriod],
    *,
    agency_id: int | None = None,
    agency_ids: Iterable[int] | None = None,
    today: date | None = None,
    include_not_required: bool = False,
) -> dict[Key, Status]:
    """The status of every assigned agency (or only ``agency_id``, or only ``agency_ids``: a
    page's rows) in each of ``periods``,
    keyed by (period id, agency id), in the plans' assignment order. Five queries at most,
    whatever the number of periods, agencies and reports."""
    today = today or clock.today()
    if not periods:
        return {}
    period_ids = [p.id for p in periods]
    plan_ids = sorted({p.plan_id for p in periods})
    # the plans' definitions are not needed here (several MB at a hundred plans per request)
    plans = {
        p.id: p
        for p in db.session.scalars(
            select(Plan).where(Plan.id.in_(plan_ids)).options(defer(Plan.definition))
        )
    }
    # assignments and agencies as plain rows of the columns a status reads (an ORM object per
    # assignment and per agency was most of a 10,000-agency consolidation's status time)
    aq = (
        select(
            Assignment.plan_id,
            Assignment.agency_id,
            Assignment.reports,
            Assignment.due,
            Assignment.due_text,
            Assignment.due_working_days,
            Assignment.group_id,
            Agency.code,
            Agency.name,
            Agency.valid_from,
            Agency.valid_to,
        )
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(Assignment.plan_id.in_(plan_ids))
        .order_by(Assignment.plan_id, Assignment.position, Assignment.id)
    )
    # the few columns a status needs, as plain rows: not the reports' data (a report's answers,
    # JSON) nor an ORM object each (at 10,000 agencies they were most of a consolidation's time)
    rq = select(
        Report.period_id,
        Report.agency_id,
        Report.id,
        Report.status,
        Report.first_submitted_at,
        Report.times_returned,
    ).where(Report.period_id.in_(period_ids))
    eq = select(Extension).where(
        Extension.period_id.in_(period_ids), Extension.status == ExtensionStatus.GRANTED
    )
    oq = select(Reopen).where(Reopen.period_id.in_(period_ids))
    if agency_id is not None:
        aq = aq.where(Assignment.agency_id == agency_id)
        rq = rq.where(Report.agency_id == agency_id)
        eq = eq.where(Extension.agency_id == agency_id)
        oq = oq.where(Reopen.agency_id == agency_id)
    if agency_ids is not None:
        ids = sorted(set(agency_ids))
        aq = aq.where(Assignment.agency_id.in_(ids))
        rq = rq.where(Report.agency_id.in_(ids))
        eq = eq.where(Extension.agency_id.in_(ids))
        oq = oq.where(Reopen.agency_id.in_(ids))
    assignments: dict[int, list[tuple[AssignmentFacts, AgencyFacts]]] = {}
    for r in db.session.execute(aq):
        assignments.setdefault(r.plan_id, []).append(
            (
                AssignmentFacts._make(r[:7]),
                AgencyFacts(r.agency_id, r.code, r.name, r.valid_from, r.valid_to),
            )
        )
    reports = {
        (r.period_id, r.agency_id): ReportFacts(
            r.id, r.status, r.first_submitted_at, r.times_returned or 0
        )
        for r in db.session.execute(rq)
    }
    granted: dict[Key, Extension] = {}
    for e in db.session.scalars(eq):
        key = (e.period_id, e.agency_id)
        cur = granted.get(key)
        if cur is None or _decided(e) > _decided(cur):
            granted[key] = e
    reopens: dict[Key, list[Reopen]] = {}
    for o in db.session.scalars(oq):
        reopens.setdefault((o.period_id, o.agency_id), []).append(o)
    cal = calendar.days()
    out: dict[Key, Status] = {}
    for period in periods:
        plan = plans[period.plan_id]
        for a, ag in assignments.get(period.plan_id, []):
            if not (include_not_required or required(plan, a, period, ag)):
                continue
            key = (period.id, a.agency_id)
            ext = granted.get(key)
            out[key] = decide(
                period=period,
                plan=plan,
                assignment=a,
                agency=ag,
                report=cast(Report | None, reports.get(key)),
                granted_due=ext.granted_due if ext is not None else None,
                reopens=reopens.get(key, ()),
                today=today,
                cal=cal,
            )
    return out


def not_accepted(period: ReportingPeriod, limit: int) -> list[Agency]:
    """The first ``limit`` agencies (in assignment order) that owe a report in ``period`` and
    have none accepted: those a closing records as missing. One query; how many there are in
    all is ``tally``'s expected − accepted."""
    plan = db.session.get(Plan, period.plan_id)
    assert plan is not None
    accepted = select(Report.agency_id).where(
        Report.period_id == period.id, Report.status == ReportStatus.ACCEPTED
    )
    return list(
        db.session.scalars(
            select(Agency)
            .join(Assignment, Assignment.agency_id == Agency.id)
            .where(
                Assignment.plan_id == period.plan_id,
                Assignment.reports.is_(True),
                Assignment.agency_id != plan.standing_agency_id,
                Assignment.agency_id.not_in(accepted),
            )
            .order_by(Assignment.position, Assignment.id)
            .limit(limit)
        )
    )


def for_period(period: ReportingPeriod, today: date | None = None, **kw: object) -> list[Status]:
    """Every required agency's status in ``period``, in the plan's assignment order."""
    return list(for_periods([period], today=today, **kw).values())  # type: ignore[arg-type]


def of(period: ReportingPeriod, agency_id: int, today: date | None = None) -> Status | None:
    """One agency's status in ``period`` (None when the agency has no assignment in the plan)."""
    return for_periods([period], agency_id=agency_id, today=today, include_not_required=True).get(
        (period.id, agency_id)
    )


def for_report(report: Report, today: date | None = None) -> Status | None:
    return of(report.period, report.agency_id, today)


# -- aggregated in the database ----------------------------------------------------------------
#
# Pages that show figures over many agencies (the dashboard, the plans list) do not decide each
# (period, agency) in Python: ``tally`` and ``ranked_agencies`` let the database classify every
# row with ``_result_sql`` (the rule of ``decide`` above, written once more in SQL next to it;
# tests/dashboard/test_status_sql.py proves both give the same result on random worlds) and
# return only grouped counts. The working days late are counted in Python on the few distinct
# (due date, first submission) pairs, with the calendar, as ``decide`` counts them.


class vn_date(FunctionElement):  # noqa: N801 (a SQL function)
    """The Vietnam calendar day of a UTC timestamp (UTC+7, no daylight saving: ``clock.VN``)."""

    type = Date()
    inherit_cache = True


@compiles(vn_date, "postgresql")
def _vn_date_pg(element: vn_date, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(list(element.clauses)[0], **kw)
    return f"CAST(({arg} AT TIME ZONE 'UTC') + INTERVAL '7 hours' AS DATE)"


@compiles(vn_date)
def _vn_date_sqlite(element: vn_date, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(list(element.clauses)[0], **kw)
    return f"date({arg}, '+7 hours')"


class days_between(FunctionElement):  # noqa: N801 (a SQL function)
    """Calendar days from the first date to the second (negative when it is earlier)."""

    type = Integer()
    inherit_cache = True


@compiles(days_between, "postgresql")
def _days_between_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({b} AS DATE) - CAST({a} AS DATE))"


@compiles(days_between)
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({b}) - julianday({a}) AS INTEGER)"


def _granted_sql(period_filter: Any) -> Any:
    """The latest granted extension of each (period, agency) of the periods, as ``_decided``
    orders them (decided ones first, the latest decision, then the latest request): a
    subquery of (period_id, agency_id, granted_due)."""
    rank = (
        func.row_number()
        .over(
            partition_by=(Extension.period_id, Extension.agency_id),
            order_by=(
                case((Extension.decided_at.is_(None), 1), else_=0),
                Extension.decided_at.desc(),
                Extension.id.desc(),
            ),
        )
        .label("rank")
    )
    ranked = (
        select(Extension.period_id, Extension.agency_id, Extension.granted_due, rank)
        .join(ReportingPeriod, ReportingPeriod.id == Extension.period_id)
        .where(period_filter, Extension.status == ExtensionStatus.GRANTED)
        .subquery("ranked_extension")
    )
    return (
        select(ranked.c.period_id, ranked.c.agency_id, ranked.c.granted_due)
        .where(ranked.c.rank == 1)
        .subquery("granted")
    )


def _special_dues(period_filter: Any, agency_id: int | None = None) -> Any:
    """``_assignment_due`` for the assignments whose due date is not the period's: worded
    ("trước ngày 25/12", read by deadline_text) or N working days after the period's end. The
    few distinct (period, wording) and (period, N) pairs are dated in Python by the same
    functions ``decide`` uses and handed to SQL as a CASE (None when there are none). Reads only
    those assignments (partial indexes). An assignment with its own date is decided before."""
    special = select(Assignment.plan_id, Assignment.due_text, Assignment.due_working_days).where(
        Assignment.plan_id.in_(select(ReportingPeriod.plan_id).where(period_filter)),
        Assignment.due.is_(None),
        or_(Assignment.due_text.is_not(None), Assignment.due_working_days > 0),
    )
    if agency_id is not None:
        special = special.where(Assignment.agency_id == agency_id)
    sa_ = special.distinct().subquery("special")
    rows: Sequence[Any] = db.session.execute(
        select(ReportingPeriod.id, ReportingPeriod.ends_on, sa_.c.due_text, sa_.c.due_working_days)
        .join(sa_, sa_.c.plan_id == ReportingPeriod.plan_id)
        .where(period_filter)
    ).all()
    if not rows:
        return None
    cal = calendar.days()
    worded: dict[tuple[int, str], date] = {}
    counted: dict[tuple[int, int], date] = {}
    for pid, ends_on, text_, n in rows:
        if text_:  # the wording wins over a count of working days, as in _assignment_due
            try:
                worded[(pid, text_)] = deadline_text.due_for_cutoff(text_, ends_on)
            except deadline_text.DeadlineTextError:
                continue  # refused on entry; ``decide`` would refuse it too
        elif n and n > 0:
            counted[(pid, int(n))] = cal.add_working_days(ends_on, int(n))
    whens: list[Any] = [
        (and_(ReportingPeriod.id == pid, Assignment.due_text == t), literal(d, Date))
        for (pid, t), d in worded.items()
    ]
    whens += [
        (
            and_(
                ReportingPeriod.id == pid,
                Assignment.due_working_days == n,
                or_(Assignment.due_text.is_(None), Assignment.due_text == ""),
            ),
            literal(d, Date),
        )
        for (pid, n), d in counted.items()
    ]
    return case(*whens, else_=ReportingPeriod.due_on) if whens else None


def _required_sql(ends_on: Any) -> Any:
    """``required`` in SQL, over ``Assignment``, ``Plan`` and the assigned ``Agency`` (joined
    by the caller): marked ``reports``, not the standing agency's own, and a group's member only
    while valid on the period's cut-off ``ends_on``."""
    valid = and_(
        or_(Agency.valid_from.is_(None), Agency.valid_from <= ends_on),
        or_(Agency.valid_to.is_(None), ends_on <= Agency.valid_to),
    )
    return and_(
        Assignment.reports.is_(True),
        Assignment.agency_id != Plan.standing_agency_id,
        or_(Assignment.group_id.is_(None), valid),
    )


def expected_agencies(
    period: ReportingPeriod, *, limit: int | None = None, offset: int = 0
) -> list[tuple[int, str, str]]:
    """(id, code, name) of every agency that owes a report in ``period`` (``required``), in
    the plan's assignment order — the agencies ``for_period`` decides, without deciding them
    (only ``limit`` of them from ``offset`` when given: a page's). One query of plain rows;
    how many there are in all is ``tally``'s ``expected``."""
    return [
        (int(r.id), r.code, r.name)
        for r in db.session.execute(
            select(Agency.id, Agency.code, Agency.name)
            .join(Assignment, Assignment.agency_id == Agency.id)
            .join(Plan, Plan.id == Assignment.plan_id)
            .where(Assignment.plan_id == period.plan_id, _required_sql(period.ends_on))
            .order_by(Assignment.position, Assignment.id)
            .limit(limit)
            .offset(offset or None)
        )
    ]


def _facts(
    period_filter: Any,
    today: date,
    required_only: bool = True,
    agency_id: int | None = None,
    agency_ids: Iterable[int] | None = None,
    period_ids: list[int] | None = None,
    with_lock: bool = False,
) -> Any:
    """One row per (period, assigned agency) of the periods ``period_filter`` selects (only
    the assignments that owe a report, unless ``required_only`` is false), with what
    ``decide`` reads and its result, as a subquery (and ``locked`` when ``with_lock``)."""
    special = _special_dues(period_filter, agency_id)
    granted = _granted_sql(period_filter)
    base_due = case(
        (Assignment.due.is_not(None), Assignment.due),
        else_=special if special is not None else ReportingPeriod.due_on,
    )
    # only the reports of these periods (the planner then reads them by index, not all)
    rep = (
        select(
            Report.period_id,
            Report.agency_id,
            Report.status,
            Report.first_submitted_at,
            Report.times_returned,
        )
        .where(
            Report.period_id.in_(
                period_ids
                if period_ids is not None
                else select(ReportingPeriod.id).where(period_filter)
            )
        )
        .subquery("rep")
    )
    received = rep.c.status.in_(RECEIVED)
    closed = vn_date(ReportingPeriod.closed_at)
    today_sql = literal(today, Date)
    lock_facts: list[Any] = (
        [
            ReportingPeriod.lock_after_days.label("lock_after_days"),
            exists()
            .where(
                Reopen.period_id == ReportingPeriod.id,
                Reopen.agency_id == Assignment.agency_id,
                or_(Reopen.until.is_(None), Reopen.until >= today_sql),
            )
            .label("reopened"),
        ]
        if with_lock
        else []
    )
    is_required = _required_sql(ReportingPeriod.ends_on)
    inner: Any = (
        select(
            ReportingPeriod.id.label("period_id"),
            ReportingPeriod.plan_id.label("plan_id"),
            Assignment.agency_id.label("agency_id"),
            is_required.label("required"),
            func.coalesce(granted.c.granted_due, base_due, type_=Date).label("due"),
            vn_date(rep.c.first_submitted_at).label("first_on"),
            (ReportingPeriod.status == PeriodStatus.PENDING).label("pending"),
            case((and_(closed.is_not(None), closed < today_sql), closed), else_=today_sql).label(
                "as_of"
            ),
            case((received, 1), else_=0).label("received"),
            case((rep.c.status == ReportStatus.ACCEPTED, 1), else_=0).label("accepted"),
            case(
                (and_(~received, rep.c.status.is_not(None), rep.c.times_returned > 0), 1),
                else_=0,
            ).label("returned"),
            case((and_(received, rep.c.times_returned > 0), 1), else_=0).label("resubmitted"),
            *lock_facts,
        )
        .select_from(ReportingPeriod)
        .join(Plan, Plan.id == ReportingPeriod.plan_id)
        .join(Assignment, Assignment.plan_id == ReportingPeriod.plan_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .outerjoin(
            rep,
            and_(rep.c.period_id == ReportingPeriod.id, rep.c.agency_id == Assignment.agency_id),
        )
        .outerjoin(
            granted,
            and_(
                granted.c.period_id == ReportingPeriod.id,
                granted.c.agency_id == Assignment.agency_id,
            ),
        )
        .where(period_filter, *([is_required] if required_only else []))
    )
    if agency_id is not None:
        inner = inner.where(Assignment.agency_id == agency_id)
    if agency_ids is not None:
        inner = inner.where(Assignment.agency_id.in_(sorted(set(agency_ids))))
    inner = inner.subquery("inner_facts")
    i = inner.c
    delivered = and_(i.received == 1, i.first_on.is_not(None))
    # the rule of ``decide``, in the same order
    result = case(
        (~i.required, Result.NOT_REQUIRED.value),
        (and_(delivered, i.first_on <= i.due), Result.ON_TIME.value),
        (delivered, Result.LATE.value),
        (i.pending, Result.NOT_YET_DUE.value),
        (i.as_of > i.due, Result.OVERDUE.value),
        else_=Result.NOT_YET_DUE.value,
    )
    # the lock of ``decide``: from the day after due + lock_after_days, unless reopened
    lock = (
        [
            case(
                (
                    and_(
                        i.lock_after_days.is_not(None),
                        days_between(i.due, today_sql) > i.lock_after_days,
                        ~i.reopened,
                    ),
                    1,
                ),
                else_=0,
            ).label("locked")
        ]
        if with_lock
        else []
    )
    return select(
        *lock,
        i.period_id,
        i.plan_id,
        i.agency_id,
        case((i.required, 1), else_=0).label("required"),
        i.due,
        i.first_on,
        i.received,
        i.accepted,
        i.returned,
        i.resubmitted,
        result.label("result"),
    ).subquery("facts")


def locked(periods: Any, agency_id: int | None = None, *, today: date | None = None) -> Any:
    """The (period, agency) pairs locked today (``Status.locked``: no report can be sent) of the
    periods ``periods`` selects (a WHERE clause on ``ReportingPeriod``), only ``agency_id``'s
    if given: a subquery of (period_id, agency_id) for the work queues' SQL. Every assignment
    counts, as ``of`` (``include_not_required``) decides the lock the report's flow is given."""
    today = today or clock.today()
    f = _facts(
        _period_filter(periods), today, required_only=False, agency_id=agency_id, with_lock=True
    )
    return select(f.c.period_id, f.c.agency_id).where(f.c.locked == 1).subquery("locked")


def _ids(periods: Sequence[ReportingPeriod] | Any) -> list[int] | None:
    """The period ids when ``periods`` is a list (the planner then reads their reports by
    index), None for a WHERE clause."""
    return [p.id for p in periods] if isinstance(periods, Sequence) else None


def _period_filter(periods: Sequence[ReportingPeriod] | Any) -> Any:
    """A WHERE clause on ``ReportingPeriod``: a list of periods, or a clause already."""
    if isinstance(periods, Sequence):
        return ReportingPeriod.id.in_([p.id for p in periods])
    return periods


def tally(
    periods: Sequence[ReportingPeriod] | Any,
    by: Sequence[str] = ("period_id",),
    *,
    agency_id: int | None = None,
    agency_ids: Iterable[int] | None = None,
    today: date | None = None,
) -> dict[tuple, Counts]:
    """``count`` of the required statuses of ``periods`` (a list, or a WHERE clause on
    ``ReportingPeriod``), grouped by the facts' columns ``by`` (``period_id``, ``plan_id``,
    ``agency_id``; ``()`` for one total), counted by the database: one query (two when some
    assignments are due N working days after the period) whatever the number of agencies."""
    today = today or clock.today()
    if isinstance(periods, Sequence) and not periods:
        return {}
    f = _facts(
        _period_filter(periods),
        today,
        agency_id=agency_id,
        agency_ids=agency_ids,
        period_ids=_ids(periods),
    )
    keys = [f.c[k] for k in by]
    late = f.c.result == Result.LATE.value
    late_due = case((late, f.c.due), else_=None)
    late_first = case((late, f.c.first_on), else_=None)
    q = select(
        *keys,
        f.c.result,
        f.c.received,
        f.c.accepted,
        f.c.returned,
        f.c.resubmitted,
        late_due.label("late_due"),
        late_first.label("late_first"),
        func.count().label("n"),
    )
    q = q.group_by(
        *keys,
        f.c.result,
        f.c.received,
        f.c.accepted,
        f.c.returned,
        f.c.resubmitted,
        late_due,
        late_first,
    )
    cal = calendar.days()
    out: dict[tuple, Counts] = {}
    for row in db.session.execute(q):
        key = tuple(row[: len(keys)])
        c = out.setdefault(key, Counts())
        n = row.n
        c.expected += n
        c.received += row.received * n
        c.accepted += row.accepted * n
        c.returned += row.returned * n
        c.resubmitted += row.resubmitted * n
        setattr(c, row.result, getattr(c, row.result) + n)
        if row.result == Result.LATE.value:
            c.working_days_late += cal.working_days_late(row.late_due, row.late_first) * n
    return out


def ranked_agencies(
    periods: Sequence[ReportingPeriod] | Any, limit: int, *, today: date | None = None
) -> dict[int, tuple[int, list[int]]]:
    """Per plan, the agencies with the most late or overdue reports over ``periods`` (then by
    name), at most ``limit`` of them, and how many agencies owe reports in all:
    ``{plan_id: (agencies, [agency_id, …])}``. One query."""
    today = today or clock.today()
    if isinstance(periods, Sequence) and not periods:
        return {}
    f = _facts(_period_filter(periods), today, period_ids=_ids(periods))
    bad = func.sum(case((f.c.result.in_((Result.LATE.value, Result.OVERDUE.value)), 1), else_=0))
    per_agency = (
        select(f.c.plan_id, f.c.agency_id, bad.label("bad"))
        .group_by(f.c.plan_id, f.c.agency_id)
        .subquery()
    )
    rank = (
        func.row_number()
        .over(
            partition_by=per_agency.c.plan_id,
            order_by=(per_agency.c.bad.desc(), Agency.name, Agency.id),
        )
        .label("rank")
    )
    total = func.count().over(partition_by=per_agency.c.plan_id).label("total")
    ranked = (
        select(per_agency.c.plan_id, per_agency.c.agency_id, rank, total)
        .join(Agency, Agency.id == per_agency.c.agency_id)
        .subquery()
    )
    out: dict[int, tuple[int, list[int]]] = {}
    for row in db.session.execute(
        select(ranked).where(ranked.c.rank <= limit).order_by(ranked.c.plan_id, ranked.c.rank)
    ):
        out.setdefault(int(row.plan_id), (int(row.total), []))[1].append(int(row.agency_id))
    return out


def agency_rounds(
    periods: Any,
    agency_id: int,
    *,
    limit: int,
    offset: int = 0,
    due_within: int | None = None,
    today: date | None = None,
) -> tuple[int, list[int]]:
    """The rounds (periods ``periods`` selects, a WHERE clause on ``ReportingPeriod``) in which
    ``agency_id`` owes a report, in the inbox's order — open rounds first, then by effective
    due date (extensions and the assignment's own date included), then newest plan first and
    in the plan's period order — as (how many in all, the ids of ``limit`` of them from
    ``offset``). With ``due_within`` only those not received and due within that many days
    (or past due). Ordered and paged by the database in one query, so a page decides
    (``for_periods``) only the rounds it shows, whatever the number of the agency's rounds."""
    today = today or clock.today()
    f = _facts(periods, today, agency_id=agency_id)
    rp = ReportingPeriod.__table__.alias("shown_period")
    q = select(f.c.period_id, func.count().over().label("total")).join(rp, rp.c.id == f.c.period_id)
    if due_within is not None:
        q = q.where(f.c.received == 0, f.c.due <= today + timedelta(days=due_within))
    q = q.order_by(
        case((rp.c.status == PeriodStatus.OPEN, 0), else_=1),
        f.c.due,
        f.c.plan_id.desc(),
        rp.c.starts_on,
        rp.c.id,
    )
    rows = db.session.execute(q.limit(limit).offset(offset)).all()
    if not rows and offset:
        # past the end: how many there are, for the caller to show the last page
        total = db.session.scalar(select(func.count()).select_from(q.order_by(None).subquery()))
        return int(total or 0), []
    return (int(rows[0].total) if rows else 0), [int(r.period_id) for r in rows]
