"""The status of each (reporting period, agency): the one place that decides whether an agency's
report is not yet due, on time, late or overdue (and by how many working days), or not required.
Every page, notification, reminder and document reads it; none recomputes it. The definition is
written in ``docs/status.md``.

Computed set-wise, not kept as rows: ``for_periods`` loads everything a set of periods needs with
a fixed number of queries (assignments with their agencies, reports, granted extensions,
reopenings, the calendar once per request) and decides in Python, so a page costs the same number
of queries at 10 or 1,000 agencies and no stored figure can drift from the reports it sums.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select

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


def required(
    plan: Plan | None,
    assignment: Assignment,
    period: ReportingPeriod | None = None,
    agency: Agency | None = None,
) -> bool:
    """Whether an assignment owes a report (in ``period`` when given): ``Plan.requires_report``
    (marked ``reports``, not the standing agency's own, a group's member only while valid)."""
    if plan is None:
        return bool(assignment.reports)
    if period is not None and assignment.group_id is not None and agency is not None:
        return plan.requires_report(assignment) and agency.is_active(period.ends_on)
    return plan.requires_report(assignment, period)


def _vn_day(at: datetime | None) -> date | None:
    return at.astimezone(clock.VN).date() if at is not None else None


def _as_of(period: ReportingPeriod, today: date) -> date:
    """Overdue days stop counting when the round was closed."""
    closed = _vn_day(period.closed_at)
    return min(today, closed) if closed is not None else today


def _assignment_due(period: ReportingPeriod, a: Assignment | None, cal: calendar.Days) -> date:
    if a is not None and a.due is not None:
        return a.due
    if a is not None and a.due_text:
        # "trước ngày 25/12": the occurrence nearest to the period's cut-off (deadline_text)
        return deadline_text.due_for_cutoff(a.due_text, period.ends_on)
    if a is not None and a.due_working_days:
        return cal.add_working_days(period.ends_on, a.due_working_days)
    return period.due_on


def decide(
    *,
    period: ReportingPeriod,
    plan: Plan,
    assignment: Assignment | None,
    agency: Agency,
    report: Report | None,
    granted_due: date | None,
    reopens: Sequence[Reopen],
    today: date,
    cal: calendar.Days,
) -> Status:
    """The status of ``agency`` in ``period`` from its facts (no query)."""
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
    today: date | None = None,
    include_not_required: bool = False,
) -> dict[Key, Status]:
    """The status of every assigned agency (or only ``agency_id``) in each of ``periods``,
    keyed by (period id, agency id), in the plans' assignment order. Five queries at most,
    whatever the number of periods, agencies and reports."""
    today = today or clock.today()
    if not periods:
        return {}
    period_ids = [p.id for p in periods]
    plan_ids = sorted({p.plan_id for p in periods})
    plans = {p.id: p for p in db.session.scalars(select(Plan).where(Plan.id.in_(plan_ids)))}
    aq = (
        select(Assignment, Agency)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(Assignment.plan_id.in_(plan_ids))
        .order_by(Assignment.plan_id, Assignment.position, Assignment.id)
    )
    rq = select(Report).where(Report.period_id.in_(period_ids))
    eq = select(Extension).where(
        Extension.period_id.in_(period_ids), Extension.status == ExtensionStatus.GRANTED
    )
    oq = select(Reopen).where(Reopen.period_id.in_(period_ids))
    if agency_id is not None:
        aq = aq.where(Assignment.agency_id == agency_id)
        rq = rq.where(Report.agency_id == agency_id)
        eq = eq.where(Extension.agency_id == agency_id)
        oq = oq.where(Reopen.agency_id == agency_id)
    assignments: dict[int, list[tuple[Assignment, Agency]]] = {}
    for a, ag in db.session.execute(aq).all():
        assignments.setdefault(a.plan_id, []).append((a, ag))
    reports = {(r.period_id, r.agency_id): r for r in db.session.scalars(rq)}
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
                report=reports.get(key),
                granted_due=ext.granted_due if ext is not None else None,
                reopens=reopens.get(key, ()),
                today=today,
                cal=cal,
            )
    return out


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
