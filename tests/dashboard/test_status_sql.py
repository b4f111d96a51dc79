"""The figures the database counts (``status.tally``, ``status.ranked_agencies``: the rule of
``status.decide`` written in SQL for pages at province scale) equal the figures counted from the
status module's own decisions (``status.for_periods`` + ``status.count``), on random worlds:
reports in every state and first submitted at any hour around the deadline (Vietnam time),
assignments with their own date or a working-day offset, the standing agency's own assignment
and ones not reporting, granted, refused and pending extensions (several per agency, decided in
any order), rounds pending, open, closed early or late, a holiday, and any "today"."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models import Agency, CalendarDay, ReportingPeriod
from app.services import calendar, status
from tests.worlds import (
    add_assignments,
    add_extension,
    add_period,
    add_plan,
    add_report,
    at_midnight,
)

DUE = date(2025, 1, 10)  # a Friday
N_AGENCIES = 5
_run = itertools.count()

report_states = st.sampled_from(
    ["submitted", None, "draft", "awaiting_approval", "accepted", "returned", "submitted"]
)
offsets = st.integers(-6, 12)  # days from the deadline
near = st.sampled_from([-1, 0, 0, 1]) | offsets  # the edges are where a rule can slip
agency_world = st.fixed_dictionaries(
    {
        "reports": st.sampled_from([True, True, True, False]),
        "own_due": st.one_of(st.none(), near),
        "working_days": st.one_of(st.none(), st.integers(0, 8)),
        # a deadline in words ("trước ngày D": D is late), dated per period by deadline_text
        "worded": st.one_of(
            st.none(),
            st.sampled_from(
                ["trước ngày 12/01", "chậm nhất ngày 15/01", "trước ngày 05/01/2025", "ngày 31/12"]
            ),
        ),
        "state": report_states,
        "first": near,
        # UTC: from 17:00 it is the next day in Vietnam
        "hour": st.sampled_from([0, 16, 17, 23]) | st.integers(0, 23),
        "returned": st.integers(0, 2),
        "extensions": st.lists(
            st.tuples(
                st.sampled_from(["granted", "refused", "pending"]),
                offsets,
                st.one_of(st.none(), st.integers(0, 5)),  # decided that many days after the 1st
            ),
            max_size=3,
        ),
    }
)
period_world = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["pending", "open", "open", "reported", "consolidated"]),
        "closed": st.one_of(st.none(), offsets),
        "shift": st.integers(0, 40),  # the period's deadline, days after DUE
        "agencies": st.lists(agency_world, min_size=N_AGENCIES, max_size=N_AGENCIES),
    }
)


def build(db, worlds: list[dict], holiday: bool) -> list[ReportingPeriod]:  # noqa: ANN001, C901
    k = next(_run)
    if holiday and db.session.get(CalendarDay, DUE + timedelta(days=3)) is None:
        db.session.add(CalendarDay(day=DUE + timedelta(days=3), kind="holiday", name="Nghỉ"))
    standing = Agency(code=f"Q{k}-CA", name=f"Thường trực {k}", abbreviation="CA", place="TV")
    agencies = [
        Agency(
            code=f"Q{k}-{i}",
            name=f"Cơ quan {k}-{(i * 3) % N_AGENCIES}",
            abbreviation="S",
            place="TV",
        )
        for i in range(N_AGENCIES)
    ]
    db.session.add_all([standing, *agencies])
    db.session.flush()
    plan, form = add_plan(db, f"sql-{k}", f"Kế hoạch {k}", "in_progress", standing, standing)
    # the first world's first agency's assignment is the standing agency's own
    first_world = worlds[0]["agencies"]
    assignments = add_assignments(
        db,
        plan,
        [
            (
                ag,
                {
                    "reports": w["reports"],
                    "due": DUE + timedelta(days=w["own_due"]) if w["own_due"] is not None else None,
                    "due_working_days": w["working_days"],
                    "due_text": w["worded"],
                },
            )
            for ag, w in zip([standing, *agencies[1:]], first_world, strict=True)
        ],
    )
    periods = []
    for n, pw in enumerate(worlds):
        due = DUE + timedelta(days=pw["shift"])
        closed = pw["closed"] is not None and pw["status"] != "pending"
        period = add_period(
            db,
            plan,
            n,
            due,
            pw["status"],
            lock_after_days=10,
            closed_at=at_midnight(due + timedelta(days=pw["closed"])) if closed else None,
        )
        periods.append(period)
        for a, w in zip(assignments, pw["agencies"], strict=True):
            if w["state"] is not None:
                sent = w["state"] in ("submitted", "accepted") or (
                    w["state"] == "returned" or w["returned"]
                )
                at = at_midnight(due + timedelta(days=w["first"]), w["hour"])
                add_report(
                    db,
                    period,
                    a,
                    form,
                    w["state"],
                    sent_at=at if sent else None,
                    times_returned=max(w["returned"], w["state"] == "returned"),
                )
            pending = False
            for state, offset, decided in w["extensions"]:
                if state == "pending":
                    if pending:
                        continue
                    pending = True
                add_extension(
                    db,
                    period,
                    a.agency_id,
                    due + timedelta(days=offset),
                    state,
                    decided_at=datetime(2025, 1, 1, 9, tzinfo=UTC) + timedelta(days=decided)
                    if decided is not None and state != "pending"
                    else None,
                )
    db.session.flush()
    calendar.forget()
    return periods


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@given(
    worlds=st.lists(period_world, min_size=1, max_size=3),
    holiday=st.booleans(),
    today=st.integers(-10, 60).map(lambda d: DUE + timedelta(days=d)),
)
def _check(db, worlds, holiday, today) -> None:  # noqa: ANN001
    periods = build(db, worlds, holiday)
    try:
        decided = status.for_periods(periods, today=today)
        started = [p for p in periods if p.status != "pending"]
        # per period, per agency, and one total: the database's counts == the module's
        for by, key in (
            (("period_id",), lambda s: (s.period_id,)),
            (("plan_id", "agency_id"), lambda s: (s.plan_id, s.agency_id)),
            ((), lambda s: ()),
        ):
            want: dict[tuple, status.Counts] = {}
            for s in decided.values():
                want.setdefault(key(s), status.Counts()).add(s)
            got = status.tally(periods, by=by, today=today)
            assert {k: c.as_dict() for k, c in got.items()} == {
                k: c.as_dict() for k, c in want.items()
            }, by
        # the agencies with most late or overdue reports, then by name
        if started:
            bad: dict[int, tuple[int, str, int]] = {}
            for s in status.for_periods(started, today=today).values():
                n, name, _id = bad.get(s.agency_id, (0, s.agency_name, s.agency_id))
                bad[s.agency_id] = (n + (s.result in ("late", "overdue")), name, s.agency_id)
            order = [a for a, _v in sorted(bad.items(), key=lambda kv: (-kv[1][0], kv[1][1:]))]
            ranked = status.ranked_agencies(started, 3, today=today)
            assert ranked == ({periods[0].plan_id: (len(order), order[:3])} if order else {})
        # who owes a report, as the consolidation page lists them without deciding them
        for p in periods:
            assert [a for a, _c, _n in status.expected_agencies(p)] == [
                s.agency_id for s in decided.values() if s.period_id == p.id and s.required
            ]
        # an agency's rounds as the inbox and its dashboard page them: ordered by the database
        # (open first, then effective due date) as the module's own decisions sort
        by_id = {p.id: p for p in periods}
        where = ReportingPeriod.id.in_(list(by_id))
        for agency_id in {s.agency_id for s in decided.values()}:
            mine = [s for s in decided.values() if s.agency_id == agency_id]
            mine.sort(
                key=lambda s: (
                    by_id[s.period_id].status != "open",
                    s.due,
                    -s.plan_id,
                    by_id[s.period_id].starts_on,
                    s.period_id,
                )
            )
            want = [s.period_id for s in mine]
            assert status.agency_rounds(where, agency_id, limit=10, today=today) == (
                len(want),
                want,
            )
            assert status.agency_rounds(where, agency_id, limit=1, offset=1, today=today) == (
                len(want),
                want[1:2],
            )
            soon = [s.period_id for s in mine if not s.received and (s.due - today).days <= 7]
            assert status.agency_rounds(where, agency_id, limit=10, due_within=7, today=today) == (
                len(soon),
                soon,
            )
    finally:
        db.session.rollback()
        calendar.forget()


def test_database_counts_equal_the_status_module(app, db) -> None:  # noqa: ANN001
    _check(db)
