"""Issue 11 "Done when": a stateful property test. Random sequences of users' actions — several
agencies and periods, own due dates, extensions, locks, reopenings, returns and resubmissions,
closing the round, drafting, signing and releasing the consolidated report — on PostgreSQL. After
every step:

(a) the status module agrees with a plain restatement of docs/status.md (an oracle written here),
    and the figures of the dashboard (chart data), the plan page, the inbox of every agency and
    the consolidation page equal the status module's;
(b) an action a page offers succeeds for that user, and an action it does not offer is refused by
    the service (submitting, drafting the consolidated report).
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from flask import g
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from app.models import (
    Agency,
    Assignment,
    FormVersion,
    Plan,
    Report,
    ReportingPeriod,
    Role,
)
from app.services import (
    clock,
    consolidation,
    deadlines,
    documents,
    plans,
    reminders,
    reports,
    status,
)
from app.services.exceptions import ServiceError
from tests.web.conftest import PASSWORD, login
from worker import context as worker_context
from workflows import TransitionRefused

VN = timezone(timedelta(hours=7))
SCHEMA = {
    "title": "Kết quả",
    "fields": [{"name": "banners", "label": "Băng rôn", "type": "integer", "consolidate": "sum"}],
}
N_AGENCIES = 4
START = date(2024, 12, 16)  # a Monday
REFUSED = (ServiceError, TransitionRefused)
_run = itertools.count()


def _working_days_after(due: date, until: date) -> int:
    """Oracle: working days (Mon–Fri, the test's calendar has no holidays) from ``due`` to
    ``until``, a day off counting as the next working day."""
    while until.weekday() >= 5:
        until += timedelta(days=1)
    n, day = 0, due
    while day < until:
        day += timedelta(days=1)
        n += day.weekday() < 5
    return n


@pytest.mark.parametrize("backend", ["postgresql"])
def test_every_page_agrees_with_the_status_module(app, db, make_user) -> None:  # noqa: ANN001, C901
    clients: dict[int, object] = {}
    current: list = [None, None]

    def as_user(user) -> None:  # noqa: ANN001
        if user.id not in clients:
            c = app.test_client()
            login(c, user)
            clients[user.id] = c
        current[:] = [clients[user.id], user]

    def get(url: str) -> str:
        db.session.commit()
        g.pop("_login_user", None)  # the test's app context outlives requests: no cached user
        resp = current[0].get(url)
        if resp.status_code == 302 and "/auth/login" in resp.headers.get("Location", ""):
            login(current[0], current[1])  # the simulated days outlasted the session
            g.pop("_login_user", None)
            resp = current[0].get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        db.session.expire_all()
        return resp.get_data(as_text=True)

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            k = next(_run)
            clock.set_now(datetime.combine(START, datetime.min.time(), VN).replace(hour=9))
            standing = Agency(
                code=f"M{k}-CA", name=f"Thường trực {k}", abbreviation="CA", place="Trà Vinh"
            )
            self.agencies = [
                Agency(code=f"M{k}-S{i}", name=f"Sở {k}-{i}", abbreviation="S", place="Trà Vinh")
                for i in range(N_AGENCIES)
            ]
            db.session.add_all([standing, *self.agencies])
            db.session.flush()
            plan = Plan(
                code=f"machine-{k}",
                title=f"Kế hoạch máy {k}",
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
            for i, ag in enumerate(self.agencies):
                db.session.add(
                    Assignment(
                        plan_id=plan.id,
                        agency_id=ag.id,
                        position=i + 1,
                        due=START + timedelta(days=9) if i == 3 else None,
                    )
                )
            db.session.flush()
            self.plan = plan
            self.periods = list(plan.periods)

            def mk(name, agency, roles):  # noqa: ANN001, ANN202
                return make_user(name, agency, roles, PASSWORD)

            self.specialist = mk(f"m{k}-cv", standing, [Role.SPECIALIST])
            self.signer = mk(f"m{k}-ld", standing, [Role.SIGNER])
            self.clerk = mk(f"m{k}-vt", standing, [Role.CLERK])
            self.reporters = [
                mk(f"m{k}-bc{i}", a, [Role.REPORTER, Role.AGENCY_LEADER])
                for i, a in enumerate(self.agencies)
            ]
            db.session.commit()

        # -- helpers --------------------------------------------------------------------------

        def report(self, p: ReportingPeriod, i: int) -> Report | None:
            return db.session.scalar(
                db.select(Report).where(
                    Report.period_id == p.id, Report.agency_id == self.agencies[i].id
                )
            )

        # -- actions --------------------------------------------------------------------------

        @rule(days=st.integers(0, 6))
        def time_passes(self, days: int) -> None:
            clock.set_now(clock.now() + timedelta(days=days))

        @rule(p=st.integers(0, 1), i=st.integers(0, N_AGENCIES - 1))
        def agency_submits(self, p: int, i: int) -> None:
            period, reporter = self.periods[p], self.reporters[i]
            as_user(reporter)
            page = get("/inbox")
            r = self.report(period, i)
            offered = f'action="/periods/{period.id}/start"' in page or (
                r is not None and f"/reports/{r.id}/edit" in page
            )
            try:
                if r is None:
                    r = reports.start_report(self.plan, period, reporter)
                if r.status in ("draft", "returned"):
                    reports.save_draft(r, {"banners": i + 1}, reporter, r.version)
                    reports.transition(r, "submit_for_approval", reporter)
                reports.transition(r, "approve", reporter)
            except REFUSED:
                db.session.rollback()
                assert not offered, "the inbox offered a report that cannot be sent"
            else:
                db.session.commit()
                assert offered, "a report was sent that the inbox did not offer"

        @rule(p=st.integers(0, 1), i=st.integers(0, N_AGENCIES - 1), accept=st.booleans())
        def standing_reviews(self, p: int, i: int, accept: bool) -> None:
            r = self.report(self.periods[p], i)
            if r is None or r.status != "submitted":
                return
            trigger = "accept" if accept else "return_for_revision"
            reports.transition(r, trigger, self.specialist, comment="Bổ sung số liệu")
            db.session.commit()

        @rule(p=st.integers(0, 1), i=st.integers(0, N_AGENCIES - 1), days=st.integers(1, 10))
        def extension_granted(self, p: int, i: int, days: int) -> None:
            period = self.periods[p]
            st_ = status.of(period, self.agencies[i].id)
            try:
                ext = deadlines.request_extension(
                    period, self.reporters[i], st_.due + timedelta(days=days), "Chờ số liệu"
                )
                deadlines.decide_extension(ext, self.specialist, grant=True)
            except REFUSED:
                db.session.rollback()
            else:
                db.session.commit()

        @rule(p=st.integers(0, 1), days=st.integers(0, 5))
        def lock_set(self, p: int, days: int) -> None:
            self.periods[p].lock_after_days = days
            db.session.commit()

        @rule(p=st.integers(0, 1), i=st.integers(0, N_AGENCIES - 1))
        def reopened(self, p: int, i: int) -> None:
            deadlines.reopen_for(self.periods[p], self.agencies[i], self.specialist)
            db.session.commit()

        @rule(p=st.integers(0, 1))
        def round_closed(self, p: int) -> None:
            period = self.periods[p]
            as_user(self.specialist)
            offered = f'action="/plans/periods/{period.id}/close"' in get(f"/plans/{self.plan.id}")
            try:
                plans.close_round(period, self.specialist)
            except REFUSED:
                db.session.rollback()
                assert not offered
            else:
                db.session.commit()
                assert offered

        @rule(p=st.integers(0, 1), release=st.booleans())
        def consolidated_report(self, p: int, release: bool) -> None:
            period = self.periods[p]
            as_user(self.specialist)
            offered = "Tạo báo cáo tổng hợp</button>" in get(f"/periods/{period.id}/consolidation")
            try:
                doc = consolidation.draft_consolidated_report(period, self.specialist)
            except REFUSED:
                db.session.rollback()
                assert not offered
                return
            db.session.commit()
            assert offered
            # the text of the consolidated .docx says what the status module says
            c = status.count(status.for_period(period))
            text = json.dumps(worker_context.build(doc), default=str, ensure_ascii=False)
            assert (
                f"Có {c.expected} cơ quan, đơn vị phải báo cáo; đã nhận {c.received} báo cáo, "
                f"trong đó {c.on_time} đúng hạn, {c.late} trễ hạn; "
                f"{c.expected - c.received} cơ quan, đơn vị chưa báo cáo."
            ) in text
            if release:
                documents.transition(doc, "request_signature", self.specialist)
                documents.transition(doc, "sign", self.signer)
                documents.transition(doc, "release", self.clerk)
                db.session.commit()
                assert period.status == "consolidated"

        @rule(p=st.integers(0, 1))
        def reminder_drafted(self, p: int) -> None:
            period = self.periods[p]
            overdue = [s for s in status.for_period(period) if s.result == "overdue"]
            try:
                doc = reminders.draft_dispatch(period, self.specialist, unit_abbr="TH")
            except REFUSED:
                db.session.rollback()
                assert not overdue or period.status != "open"
                return
            db.session.commit()
            data, _agencies = worker_context.reminder_input(doc)
            assert {o["agency"] for o in data["overdue"]} == {s.agency_code for s in overdue}

        # -- what every page says -------------------------------------------------------------

        @invariant()
        def status_follows_the_definition(self) -> None:
            today = clock.today()
            for period in self.periods:
                for i, ag in enumerate(self.agencies):
                    s = status.of(period, ag.id, today)
                    r = self.report(period, i)
                    a = db.session.scalar(
                        db.select(Assignment).where(
                            Assignment.plan_id == self.plan.id, Assignment.agency_id == ag.id
                        )
                    )
                    granted = deadlines.granted_extension(period, ag.id)
                    due = granted.granted_due if granted else (a.due or period.due_on)
                    received = r is not None and r.status in ("submitted", "accepted")
                    assert s.due == due
                    if received:
                        first = r.first_submitted_at.astimezone(VN).date()
                        want = (
                            ("on_time", 0)
                            if first <= due
                            else ("late", _working_days_after(due, first))
                        )
                    else:
                        closed = (
                            period.closed_at.astimezone(VN).date() if period.closed_at else None
                        )
                        as_of = min(today, closed) if closed else today
                        want = (
                            ("overdue", _working_days_after(due, as_of))
                            if as_of > due
                            else ("not_yet_due", 0)
                        )
                    assert (s.result, s.days) == want, (period.key, ag.code)

        @invariant()
        def pages_show_the_status_figures(self) -> None:
            statuses = {p.id: status.for_period(p) for p in self.periods}
            counts = {pid: status.count(ss) for pid, ss in statuses.items()}
            as_user(self.specialist)
            dash = get("/")
            m = re.search(r'id="dashboard-data">(.*?)</script>', dash, re.S)
            chart = next(
                c
                for c in json.loads(m.group(1))["charts"]
                if c["id"] == f"chart-plan-{self.plan.id}"
            )
            series = {s["key"]: s["data"] for s in chart["series"]}
            for n, p in enumerate(self.periods):
                c = counts[p.id]
                assert [series[k][n] for k in ("on_time", "late", "overdue", "not_yet_due")] == [
                    c.on_time,
                    c.late,
                    c.overdue,
                    c.not_yet_due,
                ], (chart, [(x.key, x.status) for x in self.periods])
            plan_page = get(f"/plans/{self.plan.id}")
            for p in self.periods:
                for s in statuses[p.id]:
                    if s.result in ("late", "overdue") and p.status == "open":
                        assert s.text in plan_page
            for p in self.periods:
                page = get(f"/periods/{p.id}/consolidation")
                c = counts[p.id]
                nums = [int(x) for x in re.findall(r'<span class="num">(\d+)</span>', page)]
                assert nums[:2] == [c.expected, c.received]
                assert nums[3:7] == [c.on_time, c.late, c.overdue, c.not_yet_due]
                for s in statuses[p.id]:
                    assert s.text in page
            for i, reporter in enumerate(self.reporters):
                as_user(reporter)
                inbox = get("/inbox")
                for p in self.periods:
                    s = next(x for x in statuses[p.id] if x.agency_id == self.agencies[i].id)
                    if s.result in ("late", "overdue", "on_time"):
                        assert s.text in inbox

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=4,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
