"""The kept facts of a period (``app.services.facts``): what the plans list, the plan page and the
consolidation page read of a period as a whole is what the status module and the form engine
compute fresh, after any sequence of users' actions, and a page of plans whose periods are kept
makes no aggregate over agencies.

- A stateful property test: random sequences of reports started, sent, accepted and returned,
  extensions granted, reopenings, locks, rounds closed and period statuses changed, a day off
  added to or removed from the calendar, an assignment's own due date and an agency's name
  changed, and the clock moving to another day — each committed through the services as a
  request would. After every step the kept counts (``facts.counts``) equal ``status.tally``
  counted fresh, the kept consolidated figures equal ``forms.consolidate`` run fresh, the
  consolidation page's figures (one page of agencies) equal the whole period's computed without
  any kept row, and a second read is served from the kept row (it was stored, and is current).
- The plans list, read twice: the second time no statement counts statuses (no ``status.tally``
  SQL); after a report is sent, one statement counts that period alone.
- Races on PostgreSQL (two sessions): a writer committing while a reader counts, before or after
  the reader's counting, never leaves a kept row read as current; readers storing the same row
  at once do not fail.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Agency,
    Assignment,
    CalendarDay,
    FormVersion,
    PeriodFacts,
    Plan,
    Report,
    ReportingPeriod,
    Role,
)
from app.services import calendar, clock, consolidation, deadlines, facts, plans, reports, status
from app.services.exceptions import ServiceError
from tests.conftest import postgresql_only
from tests.querycount import page_queries
from tests.web.conftest import PASSWORD, login
from workflows import TransitionRefused

VN = timezone(timedelta(hours=7))
SCHEMA = {
    "title": "Kết quả",
    "fields": [
        {"name": "banners", "label": "Băng rôn", "type": "integer", "consolidate": "sum"},
        {"name": "hard", "label": "Khó khăn", "type": "text", "consolidate": "list"},
    ],
}
N_AGENCIES = 4
START = date(2024, 12, 16)  # a Monday
REFUSED = (ServiceError, TransitionRefused)
_run = itertools.count()


def world(db, make_user) -> dict:  # noqa: ANN001
    """A standing agency, N_AGENCIES assigned agencies (one with its own due date, one due 3 working
    days after the period's end), a plan in
        progress with two open periods and a form of a sum and a listed text."""
    k = next(_run)
    standing = Agency(code=f"F{k}-CA", name=f"Thường trực {k}", abbreviation="CA", place="TV")
    agencies = [
        Agency(code=f"F{k}-S{i}", name=f"Sở {k}-{i}", abbreviation="S", place="TV")
        for i in range(N_AGENCIES)
    ]
    db.session.add_all([standing, *agencies])
    db.session.flush()
    plan = Plan(
        code=f"facts-{k}",
        title=f"Kế hoạch {k}",
        status="in_progress",
        issuer_id=standing.id,
        standing_agency_id=standing.id,
        definition={},
    )
    db.session.add(plan)
    db.session.flush()
    db.session.add(FormVersion(plan_id=plan.id, version=1, schema=SCHEMA))
    for i, key in enumerate(("2024-12", "2025-01")):
        db.session.add(
            ReportingPeriod(
                plan_id=plan.id,
                key=key,
                label=f"Kỳ {key}",
                kind="monthly",
                starts_on=START,
                ends_on=START + timedelta(days=7 * i),
                due_on=START + timedelta(days=4 + 7 * i),
                status="open",
            )
        )
    db.session.add(Assignment(plan_id=plan.id, agency_id=standing.id, position=0))
    for i, ag in enumerate(agencies):
        db.session.add(
            Assignment(
                plan_id=plan.id,
                agency_id=ag.id,
                position=i + 1,
                due=START + timedelta(days=9) if i == 3 else None,
                # due 3 working days after the period's end: the calendar moves its deadline
                due_working_days=3 if i == 2 else None,
            )
        )
    db.session.flush()
    out = {
        "plan": plan,
        "standing": standing,
        "agencies": agencies,
        "periods": list(plan.periods),
        "specialist": make_user(f"f{k}-cv", standing, [Role.SPECIALIST], PASSWORD),
        "reporters": [
            make_user(f"f{k}-bc{i}", a, [Role.REPORTER, Role.AGENCY_LEADER], PASSWORD)
            for i, a in enumerate(agencies)
        ],
    }
    db.session.commit()
    return out


def fresh_totals(period: ReportingPeriod) -> dict:
    """The period's consolidated figures as ``forms.consolidate`` adds them up now (no kept
    row), in the kept shape, through JSON as the kept row is."""
    results = consolidation._added_up(period, status.expected_agencies(period), ("accepted",))
    return json.loads(json.dumps(consolidation.kept_totals(results)))


def check(db, periods: list[ReportingPeriod]) -> None:  # noqa: ANN001
    """The kept facts read by the pages equal the facts computed fresh; the second read is
    served from a current kept row."""
    db.session.expire_all()
    today = clock.today()
    kept = facts.counts(periods)
    fresh = status.tally(periods, by=("period_id",), today=today)
    for p in periods:
        assert kept[p.id].as_dict() == fresh.get((p.id,), status.Counts()).as_dict(), p.key
        assert consolidation.period_totals(p) == fresh_totals(p), p.key
        page = consolidation.compute(p, page=(1, 50))
        whole = consolidation.compute(p)
        assert page["summary"] == whole["summary"]
        assert [(f["name"], f["value"], f["display"], f["n"]) for f in page["fields"]] == [
            (f["name"], f["value"], f["display"], f["n"]) for f in whole["fields"]
        ]
        assert page["agencies"] == whole["agencies"]  # one page holds all 4 agencies
    # kept: both facts stored with the current version (and today, for the counts)
    rows = {
        r.period_id: r
        for r in db.session.scalars(
            select(PeriodFacts).where(PeriodFacts.period_id.in_([p.id for p in periods]))
        )
    }
    versions = dict(
        db.session.execute(
            select(ReportingPeriod.id, ReportingPeriod.facts_version).where(
                ReportingPeriod.id.in_([p.id for p in periods])
            )
        ).all()
    )
    for p in periods:
        row = rows[p.id]
        assert (row.counts_version, row.counts_day) == (versions[p.id], today)
        assert row.totals_version == versions[p.id]
        # what a page reads now is the kept row (the statement that reads it, nothing else)
    again = facts.counts(periods)
    assert {i: c.as_dict() for i, c in again.items()} == {i: c.as_dict() for i, c in kept.items()}
    db.session.commit()


def machine(db, make_user) -> type[RuleBasedStateMachine]:  # noqa: ANN001, C901
    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            clock.set_now(datetime.combine(START, datetime.min.time(), VN).replace(hour=9))
            w = world(db, make_user)
            self.plan, self.periods = w["plan"], w["periods"]
            self.agencies, self.reporters = w["agencies"], w["reporters"]
            self.specialist = w["specialist"]

        def report(self, p: int, i: int) -> Report | None:
            return db.session.scalar(
                select(Report).where(
                    Report.period_id == self.periods[p].id,
                    Report.agency_id == self.agencies[i].id,
                )
            )

        def done(self, action) -> None:  # noqa: ANN001
            """Run ``action`` as a request would: committed, or rolled back when refused."""
            try:
                action()
            except REFUSED:
                db.session.rollback()
            else:
                db.session.commit()

        @rule(days=st.integers(1, 6))
        def time_passes(self, days: int) -> None:
            clock.set_now(clock.now() + timedelta(days=days))

        @rule(p=st.integers(0, 1), i=st.integers(0, N_AGENCIES - 1), n=st.integers(0, 9))
        def agency_sends(self, p: int, i: int, n: int) -> None:
            reporter = self.reporters[i]

            def send() -> None:
                r = self.report(p, i) or reports.start_report(self.plan, self.periods[p], reporter)
                if r.status in ("draft", "returned"):
                    data = {"banners": n, "hard": f"Thiếu kinh phí {n}" if n % 2 else ""}
                    reports.save_draft(r, data, reporter, r.version)
                    reports.transition(r, "submit_for_approval", reporter)
                reports.transition(r, "approve", reporter)

            self.done(send)

        @rule(p=st.integers(0, 1), i=st.integers(0, N_AGENCIES - 1), accept=st.booleans())
        def standing_reviews(self, p: int, i: int, accept: bool) -> None:
            r = self.report(p, i)
            if r is None or r.status != "submitted":
                return
            trigger = "accept" if accept else "return_for_revision"
            self.done(
                lambda: reports.transition(r, trigger, self.specialist, comment="Bổ sung số liệu")
            )

        @rule(p=st.integers(0, 1), i=st.integers(0, N_AGENCIES - 1), days=st.integers(1, 10))
        def extension_granted(self, p: int, i: int, days: int) -> None:
            period = self.periods[p]

            def grant() -> None:
                st_ = status.of(period, self.agencies[i].id)
                assert st_ is not None
                ext = deadlines.request_extension(
                    period, self.reporters[i], st_.due + timedelta(days=days), "Chờ số liệu"
                )
                deadlines.decide_extension(ext, self.specialist, grant=True)

            self.done(grant)

        @rule(p=st.integers(0, 1), days=st.sampled_from([None, 0, 2, 5]))
        def lock_set(self, p: int, days: int | None) -> None:
            self.periods[p].lock_after_days = days
            db.session.commit()

        @rule(p=st.integers(0, 1), i=st.integers(0, N_AGENCIES - 1), until=st.integers(0, 3))
        def reopened(self, p: int, i: int, until: int) -> None:
            self.done(
                lambda: deadlines.reopen_for(
                    self.periods[p],
                    self.agencies[i],
                    self.specialist,
                    until=clock.today() + timedelta(days=until) if until else None,
                )
            )

        @rule(p=st.integers(0, 1))
        def round_closed(self, p: int) -> None:
            self.done(lambda: plans.close_round(self.periods[p], self.specialist))

        @rule(p=st.integers(0, 1), to=st.sampled_from(["pending", "open", "reported"]))
        def period_status_set(self, p: int, to: str) -> None:
            period = self.periods[p]
            period.status = to
            if to != "reported":
                period.closed_at = None
            db.session.commit()

        @rule(offset=st.integers(0, 20), remove=st.booleans())
        def calendar_edited(self, offset: int, remove: bool) -> None:
            day = START + timedelta(days=offset)
            row = db.session.get(CalendarDay, day)
            if remove and row is not None:
                db.session.delete(row)
                db.session.commit()
            elif not remove:
                calendar.load_days([{"day": day, "kind": "holiday", "name": "Nghỉ bù"}])
                db.session.commit()

        @rule(i=st.integers(0, N_AGENCIES - 1), due=st.one_of(st.none(), st.integers(0, 20)))
        def own_due_changed(self, i: int, due: int | None) -> None:
            a = db.session.scalar(
                select(Assignment).where(
                    Assignment.plan_id == self.plan.id,
                    Assignment.agency_id == self.agencies[i].id,
                )
            )
            assert a is not None
            a.due = START + timedelta(days=due) if due is not None else None
            db.session.commit()

        @rule(i=st.integers(0, N_AGENCIES - 1), n=st.integers(0, 3))
        def agency_renamed(self, i: int, n: int) -> None:
            self.agencies[i].name = f"Sở đổi tên {n}-{i}"
            db.session.commit()

        @invariant()
        def kept_equals_fresh(self) -> None:
            check(db, self.periods)

    return Machine


SETTINGS = settings(
    max_examples=12,
    stateful_step_count=14,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_kept_facts_equal_fresh_after_any_actions(app, db, make_user) -> None:  # noqa: ANN001
    run_state_machine_as_test(machine(db, make_user), settings=SETTINGS)


def test_every_kind_of_write_makes_the_kept_facts_stale(app, db, make_user) -> None:  # noqa: ANN001
    """Deterministic: each kind of write, committed, raises the period's version (the kept row
    is then stale and recomputed), and reading does not."""
    clock.set_now(datetime(2024, 12, 23, 9, tzinfo=VN))
    w = world(db, make_user)
    period = w["periods"][0]

    def version() -> int:
        db.session.expire_all()
        return int(
            db.session.scalar(
                select(ReportingPeriod.facts_version).where(ReportingPeriod.id == period.id)
            )
        )

    check(db, w["periods"])
    v = version()
    check(db, w["periods"])
    assert version() == v, "reading raised the version"
    made: dict = {}
    writes = [
        lambda: made.update(r=reports.start_report(w["plan"], period, w["reporters"][0])),
        # a row changed or deleted while expired (its period not loaded): read before the flush
        lambda: setattr(made["r"], "status", "submitted"),
        lambda: db.session.delete(made["r"]),
        lambda: calendar.load_days([{"day": date(2024, 12, 18), "kind": "holiday", "name": "x"}]),
        lambda: setattr(w["agencies"][1], "name", "Sở mới"),
        lambda: setattr(period, "lock_after_days", 3),
        lambda: setattr(w["plan"], "standing_agency_id", w["agencies"][2].id),
        lambda: db.session.add(FormVersion(plan_id=w["plan"].id, version=2, schema=SCHEMA)),
    ]
    for write in writes:
        write()
        db.session.commit()
        assert version() > v
        v = version()
        check(db, w["periods"])


def test_a_fresh_page_of_plans_counts_nothing_over_agencies(
    app,
    db,
    make_user,
    client,  # noqa: ANN001
) -> None:
    """The plans list whose periods are kept reads the kept rows: no statement of
    ``status.tally`` (its ``inner_facts``, its ``ranked_extension``): no status decided."""
    clock.set_now(datetime(2024, 12, 23, 9, tzinfo=VN))
    w = world(db, make_user)
    login(client, w["specialist"])
    first = page_queries(client, "/plans/")
    assert any("inner_facts" in s for s in first.statements)  # counted once, then kept
    second = page_queries(client, "/plans/")
    assert not [s for s in second.statements if "inner_facts" in s or "ranked_extension" in s]
    assert second.count < first.count
    # a report sent: that period alone is counted again, the other read from its row
    r = reports.start_report(w["plan"], w["periods"][0], w["reporters"][0])
    reports.transition(r, "submit_for_approval", w["reporters"][0])
    db.session.commit()
    third = page_queries(client, "/plans/")
    tallies = [s for s in third.statements if "inner_facts" in s]
    assert len(tallies) == 1
    # the next day: counted again (overdue counts by the day), then kept
    clock.set_now(datetime(2024, 12, 24, 9, tzinfo=VN))
    assert any("inner_facts" in s for s in page_queries(client, "/plans/").statements)
    assert not any("inner_facts" in s for s in page_queries(client, "/plans/").statements)


# -- races (two sessions on PostgreSQL) ------------------------------------------------------


def _accept_in_other_session(db, report_id: int) -> None:  # noqa: ANN001
    """A writer in its own session and transaction: the report accepted, committed."""
    with Session(db.engine) as other:
        r = other.get(Report, report_id)
        assert r is not None
        r.status = "accepted"
        r.accepted_at = clock.now()
        other.commit()


@postgresql_only
def test_a_writer_committing_while_a_reader_counts_is_never_hidden(
    app,
    db,
    make_user,
    monkeypatch,  # noqa: ANN001
) -> None:
    clock.set_now(datetime(2024, 12, 23, 9, tzinfo=VN))
    w = world(db, make_user)
    period = w["periods"][0]
    reporter = w["reporters"][0]
    r = reports.start_report(w["plan"], period, reporter)
    reports.transition(r, "submit_for_approval", reporter)
    reports.transition(r, "approve", reporter)
    db.session.commit()
    rid = r.id
    real_tally, real_keep = status.tally, facts._keep

    # (1) the writer commits after the reader read the version, before it counts
    def tally_after_a_write(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        _accept_in_other_session(db, rid)
        return real_tally(*a, **kw)

    monkeypatch.setattr(status, "tally", tally_after_a_write)
    facts.counts([period])
    monkeypatch.setattr(status, "tally", real_tally)
    db.session.commit()
    check(db, [period])
    assert facts.counts([period])[period.id].accepted == 1

    # (2) the writer commits after the reader counted, before it keeps the row
    r2 = reports.start_report(w["plan"], period, w["reporters"][1])
    reports.transition(r2, "submit_for_approval", w["reporters"][1])
    reports.transition(r2, "approve", w["reporters"][1])
    db.session.commit()
    rid2 = r2.id

    def keep_after_a_write(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        _accept_in_other_session(db, rid2)
        return real_keep(*a, **kw)

    monkeypatch.setattr(facts, "_keep", keep_after_a_write)
    before = facts.counts([period])[period.id]
    monkeypatch.setattr(facts, "_keep", real_keep)
    db.session.commit()
    assert before.accepted == 1  # counted before the write
    after = facts.counts([period])[period.id]  # the kept row is stale: counted again
    assert after.accepted == 2
    check(db, [period])


@postgresql_only
def test_readers_keeping_the_same_row_at_once_do_not_fail(app, db, make_user, caplog) -> None:  # noqa: ANN001
    clock.set_now(datetime(2024, 12, 23, 9, tzinfo=VN))
    w = world(db, make_user)
    ids = [p.id for p in w["periods"]]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def reader() -> None:
        try:
            with app.app_context():
                periods = list(
                    db.session.scalars(select(ReportingPeriod).where(ReportingPeriod.id.in_(ids)))
                )
                barrier.wait()
                facts.counts(periods)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    with caplog.at_level(logging.WARNING, logger="app.services.facts"):
        threads = [threading.Thread(target=reader) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert not [r for r in caplog.records if "not kept" in r.getMessage()]
    check(db, w["periods"])
