"""Issue 11 "Done when": a stateful property test. Random sequences of users' actions — several
agencies and periods, own due dates, extensions, locks, reopenings, returns and resubmissions,
closing the round, the consolidated report and reminders drafted, made for another signer, sent
for signature, returned, withdrawn, redrafted, signed and released through their pages — on
PostgreSQL, with the real worker (RQ on Redis, LibreOffice) rendering every version. Every run
starts with the first period's round closed and its consolidated report under way (the simplest
example signs and releases it for another signer than the draft named); a deterministic test walks
that path step by step. After every step:

(a) the status module agrees with a plain restatement of docs/status.md (an oracle written here),
    and the figures of the dashboard (chart data) of the standing agency and of every reporting
    agency, the plan page, the inbox of every agency (each row: due date, status or days left)
    and the consolidation page equal the status module's;
(b) an action a page offers succeeds for that user, and an action it does not offer is refused by
    the service: starting and sending a report (inbox), closing the round (plan page), drafting
    the consolidated report (consolidation page), and every document verb (document page:
    "Trình ký", "Rút lại để sửa", "Trả lại dự thảo", "Ký", "Cấp số và phát hành", "Soạn lại");
(c) every printed number is the register's: for every released document its register entry's
    symbol is the one on the document page, in the register page's row linking to it, in the
    number line of the released .docx ("Số: <symbol>", the only number line in it) and in its
    electronic stamp;
(d) signed = reviewed. "Same" means: the version the signer was shown (the page's
    ``content_sha256``, the SHA-256 of the frozen .docx) is the version signed; while signed the
    file delivered ("Tải bản Word") is byte for byte that file when the signer is the one it
    shows, and otherwise a version with the frozen version's template and context, only the
    signer block's keys changed; once released, the delivered file is rendered from the same
    template and the signed context with only the keys release fills (number line, date line,
    stamp, draft mark, appendix reference) changed; signed or released, its paragraphs differ
    from the shown file's only in paragraphs printing the changed keys' values
    (docs/documents.md).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import g
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from app.dashboard.data import DUE_SOON_DAYS
from app.models import (
    Agency,
    AgencySigner,
    Assignment,
    Document,
    DocumentVersion,
    FormVersion,
    Plan,
    RegisterEntry,
    Report,
    ReportingPeriod,
    Role,
)
from app.services import (
    clock,
    consolidation,
    deadlines,
    documents,
    loader,
    plans,
    reminders,
    reports,
    status,
    storage,
)
from app.services.documents import RELEASE_KEYS, SIGNER_KEYS
from app.services.exceptions import ServiceError
from tests.documents.test_signed_is_reviewed import changed_lines, paragraphs
from tests.web.conftest import PASSWORD, login
from tests.workers import run_queue
from worker import context as worker_context
from workflows import TransitionRefused

pytestmark = pytest.mark.libreoffice  # the worker renders every version (a few minutes)
VN = timezone(timedelta(hours=7))
SCHEMA = {
    "title": "Kết quả",
    "fields": [{"name": "banners", "label": "Băng rôn", "type": "integer", "consolidate": "sum"}],
}
N_AGENCIES = 4
START = date(2024, 12, 16)  # a Monday
REFUSED = (ServiceError, TransitionRefused)
_run = itertools.count()
DRAFT_PLAN = loader.parse_file(Path(__file__).resolve().parents[2] / "plans" / "tra-vinh-2024.yaml")
DONE: Counter = Counter()  # document verbs done, printed at the end (what the runs reached)


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


def _vn_day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _rows(page: str, section_id: str | None) -> dict[str, str]:
    """The table rows of the page (of the section labelled ``section_id``), by their period
    label (the second cell)."""
    if section_id is not None:
        start = page.find(f'aria-labelledby="{section_id}"')
        if start < 0:
            return {}
        page = page[start : page.index("</section>", start)]
    out = {}
    for row in re.findall(r"<tr[ >].*?</tr>", page, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        if len(cells) >= 2:
            out[cells[1].strip()] = row
    return out


@dataclass
class Delivered:
    """How the delivered .docx of a signed or released document differs from the file its
    signer was shown: the context keys, the paragraphs gone and the new ones."""

    changed: set[str]
    gone: list[str]
    new: list[str]


def _printed(value: object) -> list[str]:
    """What a context value prints: each line of a list (the signer block's lines), else the
    value."""
    if isinstance(value, list):
        return [str(x) for x in value if x]
    return [str(value)] if value else []


def machine(app, db, make_user, queued) -> type[RuleBasedStateMachine]:  # noqa: ANN001, C901, F811
    """The state machine over one world of the test's fixtures: the random test runs it, the
    deterministic tests call its steps and checks one by one."""
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

    def post(url: str, data: dict) -> int:
        """A form of the page sent as the current user; its status code."""
        db.session.commit()
        g.pop("_login_user", None)
        resp = current[0].post(url, data=data)
        db.session.expire_all()
        return resp.status_code

    def settle() -> None:
        """The worker renders what the step asked for (real RQ, real LibreOffice)."""
        db.session.commit()
        run_queue(queued)
        db.session.expire_all()

    def docx_of(rel: str) -> bytes:
        return storage.read(rel)

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
            self.shown: dict[int, str] = {}  # document id → the hash its signer was shown
            # the files already checked (a version's files never change): (c) by version id,
            # (d) by document, status and current version
            self.checked: set[tuple] = set()

            def mk(name, agency, roles):  # noqa: ANN001, ANN202
                return make_user(name, agency, roles, PASSWORD)

            self.specialist = mk(f"m{k}-cv", standing, [Role.SPECIALIST])
            self.signer = mk(f"m{k}-ld", standing, [Role.SIGNER])
            self.clerk = mk(f"m{k}-vt", standing, [Role.CLERK])
            self.reporters = [
                mk(f"m{k}-bc{i}", a, [Role.REPORTER, Role.AGENCY_LEADER])
                for i, a in enumerate(self.agencies)
            ]
            # the leader who signs, as the agency's settings name them (one click on "Ký")
            self.leader_signer = AgencySigner(
                agency_id=standing.id,
                name=f"Lãnh Đạo {k}",
                title="Giám đốc",
                user_id=self.signer.id,
            )
            db.session.add(self.leader_signer)
            # another leader of the agency, the one a draft may be made for instead: the leader
            # who signs with one click then prints their own block (the signer changes)
            self.deputy = mk(f"m{k}-pld", standing, [Role.SIGNER])
            self.deputy_signer = AgencySigner(
                agency_id=standing.id,
                name=f"Trần Thị Phó {k}",
                title="Phó Giám đốc",
                authority="KT.",
                authority_of="GIÁM ĐỐC",
                position=1,
                user_id=self.deputy.id,
            )
            db.session.add(self.deputy_signer)
            # a draft plan of the standing agency: its document is drafted, sent for signature,
            # edited while it awaits signature, signed and released through the pages
            d = copy.deepcopy(DRAFT_PLAN)
            d.update(code=f"machine-draft-{k}", issuer=standing.code)
            d.update(standing_agency=standing.code, agencies=[])
            d["assignments"] = [
                {"agency": a.code, "role": "lead", "label": a.name, "tasks": ["Thực hiện."]}
                for a in self.agencies[:2]
            ]
            self.draft = loader.load(d, self.specialist)
            self.edits = 0
            db.session.commit()

        # -- helpers --------------------------------------------------------------------------

        def documents(self) -> list[Document]:
            return list(
                db.session.scalars(
                    db.select(Document)
                    .where(Document.plan_id.in_([self.plan.id, self.draft.id]))
                    .order_by(Document.id)
                )
            )

        def consolidated(self, p: int) -> Document | None:
            return db.session.scalar(
                db.select(Document).where(
                    Document.period_id == self.periods[p].id, Document.kind == "consolidated"
                )
            )

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

        @rule(p=st.integers(0, 1))
        def consolidated_report(self, p: int) -> None:
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
            settle()

        @rule()
        def plan_document_drafted(self) -> None:
            """ "Soạn văn bản kế hoạch" on the draft plan's page."""
            as_user(self.specialist)
            page = get(f"/plans/{self.draft.id}")
            offered = f'action="/plans/{self.draft.id}/draft-document"' in page
            try:
                documents.draft_plan_document(self.draft, self.specialist)
            except REFUSED:
                db.session.rollback()
                assert not offered
                return
            db.session.commit()
            assert offered
            settle()

        @rule()
        def plan_edited(self) -> None:
            """The specialist edits the draft plan ("Sửa kế hoạch" on its page): a document
            awaiting signature goes back to draft, visibly; a signed one refuses the edit."""
            as_user(self.specialist)
            page = get(f"/plans/{self.draft.id}")
            offered = f'href="/editor/{self.draft.id}"' in page
            doc = plans.plan_document(self.draft)
            before = doc.status if doc is not None else None
            d = copy.deepcopy(self.draft.definition)
            self.edits += 1
            d["preamble"] = f"Nội dung sửa lần {self.edits}."
            try:
                plans.update_plan(self.draft, d, self.specialist, self.draft.version)
            except REFUSED:
                db.session.rollback()
                assert not offered, "the plan page offered an edit the service refused"
                return
            db.session.commit()
            assert offered, "the plan was edited although its page did not offer it"
            DONE[f"plan:edit while {before}"] += 1
            if before == "awaiting_signature":
                doc = db.session.get(Document, doc.id)
                assert doc.status == "draft"
                assert "Văn bản đã trở về dự thảo" in get(f"/documents/{doc.id}")
            settle()

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
            settle()

        def signer_chosen(self, doc: Document, signer: AgencySigner) -> None:
            """ "Người ký dự kiến" on the document's page, as the drafter: done if and only if
            the page offers that signer; the draft then shows them."""
            as_user(self.specialist)
            page = get(f"/documents/{doc.id}")
            form = page.partition(f'action="/documents/{doc.id}/signer"')[2].split("</form>")[0]
            offered = re.search(f'<option[^>]* value="{signer.id}"', form) is not None
            before = (doc.signer_id, doc.content_version, doc.status)
            code = post(f"/documents/{doc.id}/signer", {"signer_id": signer.id})
            doc = db.session.get(Document, doc.id)
            if not offered:
                assert (doc.signer_id, doc.content_version) == before[:2], "not offered, done"
                return
            assert code == 302 and doc.signer_id == signer.id, "offered, refused"
            assert (doc.content_version, doc.status) == (before[1] + 1, before[2])
            DONE[f"{doc.kind}:choose signer while {doc.status}"] += 1
            settle()
            assert signer.name in get(f"/documents/{doc.id}")

        @rule(which=st.integers(0, 5), deputy=st.booleans())
        def signer_changes(self, which: int, deputy: bool) -> None:
            """The drafter makes any document for the other leader (or back)."""
            docs = self.documents()
            if docs:
                signer = self.deputy_signer if deputy else self.leader_signer
                self.signer_chosen(docs[which % len(docs)], signer)

        def round_consolidated(self, p: int, signer_at: int, steps: int, data) -> Document:  # noqa: ANN001
            """Close the round, draft the consolidated report, and take it ``steps`` steps
            along its natural path; the drafter makes it for the other leader before sending
            it (``signer_at`` 0) or while it awaits signature (1), or not at all (2)."""
            self.round_closed(p)
            self.consolidated_report(p)
            doc = self.consolidated(p)
            assert doc is not None, "the consolidated report was not drafted"
            for i in range(steps + 1):
                if i == signer_at and i < 2:
                    self.signer_chosen(doc, self.deputy_signer)
                if i < steps:
                    self.moves_on(doc, 1, data)
                doc = db.session.get(Document, doc.id)
            return doc

        @initialize(
            days=st.integers(5, 12),
            path=st.integers(0, 3),
            plan_path=st.integers(0, 3),
            edit_at=st.integers(0, 2),
            reported=st.integers(0, N_AGENCIES),
            signer_at=st.integers(0, 2),
            # from the whole path down: the simplest example, which Hypothesis tries first,
            # signs and releases it
            cons_path=st.integers(0, 3).map(lambda n: 3 - n),
            data=st.data(),
        )
        def documents_under_way(  # noqa: ANN201, PLR0913
            self,
            days: int,
            path: int,
            plan_path: int,
            edit_at: int,
            reported: int,
            signer_at: int,
            cons_path: int,
            data,  # noqa: ANN001
        ):
            """Every run starts with three documents under way through their pages: the
            reminder to the agencies overdue after ``days`` (none has reported; the first
            period was due on day 4) and the draft plan's document, each taken ``path`` steps
            along its natural path (sent for signature, signed, released), the plan edited
            before step ``edit_at`` (1: while its document awaits signature, 2: once signed);
            then ``reported`` agencies report late, the first period's round is closed and its
            consolidated report is taken ``cons_path`` steps, the signer changed at
            ``signer_at`` (see :meth:`round_consolidated`)."""
            clock.set_now(clock.now() + timedelta(days=days))
            doc = reminders.draft_dispatch(self.periods[0], self.specialist, unit_abbr="TH")
            settle()
            self.moves_on(doc, path, data)
            self.plan_document_drafted()
            plan_doc = plans.plan_document(self.draft)
            for i in range(plan_path + 1):
                if i == edit_at:
                    self.plan_edited()
                if i < plan_path:
                    self.moves_on(plans.plan_document(self.draft), 1, data)
            assert plan_doc is not None
            for i in range(reported):
                self.agency_submits(0, i)
            self.round_consolidated(0, signer_at, cons_path, data)

        def moves_on(self, doc: Document, steps: int, data) -> None:  # noqa: ANN001
            """Whoever's page offers the next step of ``doc`` takes it, ``steps`` times."""
            for _ in range(steps):
                for user in (self.specialist, self.signer, self.clerk):
                    if self.act(doc, user, None, data) is not None:
                        break
                else:
                    return
                doc = db.session.get(Document, doc.id)

        def act(self, doc: Document, user, act: str | None, data=None) -> str | None:  # noqa: ANN001
            """The document verb ``act`` (or, with ``act=None``, one the page offers, drawn
            from ``data``) on ``doc``'s page as ``user``; checks offered ⇔ done."""
            as_user(user)
            page = get(f"/documents/{doc.id}")
            offered = set(re.findall(r'name="trigger" value="(\w+)"', page))
            if f'action="/documents/{doc.id}/regenerate"' in page:
                offered.add("regenerate")
            if act is None:
                forward = sorted(offered & {"request_signature", "sign", "release"})
                if not forward:
                    return None
                act = data.draw(st.sampled_from(forward), label="forward")
            shown = re.search(r'name="content_sha256" value="([0-9a-f]{64})"', page)
            try:
                if act == "regenerate":
                    documents.regenerate(doc, user)
                else:
                    documents.transition(
                        doc,
                        act,
                        user,
                        comment="Sửa lại số liệu" if act == "decline" else None,
                        expected_sha256=shown.group(1) if (act == "sign" and shown) else None,
                    )
            except REFUSED:
                db.session.rollback()
                assert act not in offered, f"the page offered {act!r} and the service refused"
                return None
            db.session.commit()
            assert act in offered, f"the service did {act!r}, which the page did not offer"
            DONE[f"{doc.kind}:{act}"] += 1
            if act == "sign":
                assert shown is not None
                self.shown[doc.id] = shown.group(1)
            if act == "release" and doc.kind == "consolidated":
                assert db.session.get(ReportingPeriod, doc.period_id).status == "consolidated"
            settle()
            return act

        @rule(
            which=st.integers(0, 5),
            who=st.sampled_from(["specialist", "signer", "clerk"]),
            act=st.sampled_from(
                ["request_signature", "withdraw", "decline", "sign", "release", "regenerate"]
            ),
        )
        def document_action(self, which: int, who: str, act: str) -> None:
            """Any document verb by anyone: done if and only if the page offers it."""
            docs = self.documents()
            if docs:
                self.act(docs[which % len(docs)], getattr(self, who), act)

        @rule(which=st.integers(0, 5), steps=st.integers(1, 3), data=st.data())
        def document_moves_on(self, which: int, steps: int, data) -> None:  # noqa: ANN001
            """The natural path: whoever's page offers the next step takes it (sent for
            signature, signed, released), up to ``steps`` times."""
            docs = self.documents()
            if docs:
                self.moves_on(docs[which % len(docs)], steps, data)

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
            for p in self.periods:
                n = chart["labels"].index(p.label)
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

        @invariant()
        def agency_pages_show_their_own_status(self) -> None:
            """(a) for the reporting agencies: their dashboard (chart and deadlines table) and
            their inbox, row by row."""
            today = clock.today()
            for i, reporter in enumerate(self.reporters):
                own = {p.id: status.of(p, self.agencies[i].id, today) for p in self.periods}
                as_user(reporter)
                dash = get("/")
                m = re.search(r'id="dashboard-data">(.*?)</script>', dash, re.S)
                chart = next(
                    c
                    for c in json.loads(m.group(1))["charts"]
                    if c["id"] == f"chart-plan-{self.plan.id}"
                )
                series = {x["key"]: x["data"] for x in chart["series"]}
                for p in self.periods:
                    n = chart["labels"].index(p.label)
                    got = [series[k][n] for k in ("on_time", "late", "overdue", "not_yet_due")]
                    want = [
                        int(own[p.id].result == k)
                        for k in ("on_time", "late", "overdue", "not_yet_due")
                    ]
                    assert got == want, (reporter.username, p.key, own[p.id])
                rows = _rows(dash, "mine-h")
                for p in self.periods:
                    s_ = own[p.id]
                    row = rows.get(p.label)
                    # the table lists what is open, not received, overdue or due soon
                    listed = p.status == "open" and not s_.received
                    assert (row is not None) == (listed and s_.days_left <= DUE_SOON_DAYS), (
                        p.key,
                        s_,
                    )
                    if row is None:
                        continue
                    assert _vn_day(s_.due) in row
                    if s_.result == "overdue":
                        assert s_.text in row
                    elif s_.days_left > 0:
                        assert f"Còn {s_.days_left} ngày" in row
                    assert ("Tiếp tục soạn" in row) == (
                        s_.report_status in ("draft", "returned") and not s_.locked
                    )
                inbox_rows = _rows(get("/inbox"), None)
                for p in self.periods:
                    s_, row = own[p.id], inbox_rows[p.label]
                    assert _vn_day(s_.due) in row, (p.key, row)
                    if s_.result in ("late", "overdue", "on_time"):
                        assert s_.text in row
                    elif p.status == "open" and not s_.received:
                        assert f"Còn {s_.days_left} ngày" in row
                    assert ("Tiếp tục soạn" in row) == (
                        s_.report_status in ("draft", "returned")
                        and p.status == "open"
                        and not s_.locked
                    ), (p.key, s_, row)

        @invariant()
        def printed_numbers_are_the_registers(self) -> None:
            """(c)"""
            released = [d for d in self.documents() if d.status == "released"]
            if not released:
                return
            as_user(self.clerk)
            registers: dict[int, str] = {}
            for doc in released:
                year = doc.issued_on.year
                if year not in registers:
                    registers[year] = get(f"/documents/register?year={year}")
                register_page = registers[year]
                (entry,) = db.session.scalars(
                    db.select(RegisterEntry).where(RegisterEntry.document_id == doc.id)
                ).all()
                assert (doc.symbol, doc.number) == (entry.symbol, entry.number)
                page = get(f"/documents/{doc.id}")
                assert f'<dd class="symbol">{entry.symbol}</dd>' in page
                assert f'<a href="/documents/{doc.id}">{entry.symbol}</a>' in register_page
                version = documents.current_version(doc)
                assert version.stage == "released" and version.sha256, "release not rendered"
                if ("c", version.id, entry.symbol) in self.checked:
                    continue
                self.checked.add(("c", version.id, entry.symbol))
                text = paragraphs(docx_of(version.docx_path))
                # the body's number line and the first-page stamp ("Số: …" then the time)
                number_lines = {
                    t.strip().split("\n")[0] for t in text if t.strip().startswith("Số:")
                }
                assert number_lines == {f"Số: {entry.symbol}"}, number_lines
                ctx = json.loads(docx_of(version.context_path))
                assert ctx["number_line"] == f"Số: {entry.symbol}"
                assert entry.symbol in ctx["e_stamp"]

        @invariant()
        def signed_is_what_the_signer_was_shown(self) -> None:
            """(d)"""
            for doc in self.documents():
                seen = ("d", doc.id, doc.status, doc.content_version)
                if doc.status in ("signed", "released") and seen not in self.checked:
                    self.checked.add(seen)
                    changed = self.signed_as_shown(doc).changed
                    block = "signer changed" if changed & set(SIGNER_KEYS) else "same signer"
                    DONE[f"{doc.kind}: (d) {doc.status}, {block}"] += 1

        def signed_as_shown(self, doc: Document) -> Delivered:
            """(d) for one signed or released document; returns how the delivered file differs
            from the one the signer was shown (nothing: the very file)."""
            versions = {
                v.number: v
                for v in db.session.scalars(
                    db.select(DocumentVersion).where(DocumentVersion.document_id == doc.id)
                )
            }
            frozen = versions[doc.snapshot["signed_version"]]
            assert frozen.sha256 == self.shown[doc.id], "signed another file than shown"
            shown_bytes = docx_of(frozen.docx_path)
            assert hashlib.sha256(shown_bytes).hexdigest() == frozen.sha256
            as_user(self.clerk)
            resp = current[0].get(f"/documents/{doc.id}/file/docx")
            assert resp.status_code == 200
            delivered = resp.get_data()
            current_v = documents.current_version(doc)
            assert hashlib.sha256(delivered).hexdigest() == current_v.sha256
            if current_v.number == frozen.number:  # signed as shown: the very file
                assert doc.status == "signed" and delivered == shown_bytes
                return Delivered(set(), [], [])
            allowed = set(SIGNER_KEYS) | (set(RELEASE_KEYS) if doc.status == "released" else set())
            assert current_v.template_path == frozen.template_path
            before = json.loads(docx_of(frozen.context_path))
            after = json.loads(docx_of(current_v.context_path))
            changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
            assert changed <= allowed, changed - allowed
            # the paragraphs that differ are those printing the changed keys' values
            fills_before = [v for k in changed for v in _printed(before.get(k))]
            fills_after = [v for k in changed for v in _printed(after.get(k))]
            gone, new = changed_lines(paragraphs(shown_bytes), paragraphs(delivered))
            for t in gone:
                assert not t.strip() or any(v in t for v in fills_before), t
            for t in new:
                assert not t.strip() or any(v in t for v in fills_after), t
            return Delivered(changed, gone, new)

    return Machine


SETTINGS = settings(
    max_examples=3, stateful_step_count=10, deadline=None, suppress_health_check=list(HealthCheck)
)
CHECKS = (  # the machine's invariants, called by the deterministic tests after each step
    "status_follows_the_definition",
    "pages_show_the_status_figures",
    "agency_pages_show_their_own_status",
    "printed_numbers_are_the_registers",
    "signed_is_what_the_signer_was_shown",
)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_every_page_agrees_with_the_status_module(app, db, make_user, queued) -> None:  # noqa: ANN001, F811
    run_state_machine_as_test(machine(app, db, make_user, queued), settings=SETTINGS)
    print(f"\ndocument verbs done: {dict(sorted(DONE.items()))}")


@pytest.mark.parametrize("backend", ["postgresql"])
def test_another_signer_changes_only_the_signer_block(app, db, make_user, queued) -> None:  # noqa: ANN001, F811
    """The consolidated report's natural path with a change of signer, step by step through
    the pages, every check of the machine after each step: close the round → draft the
    consolidated report → the drafter makes it for the deputy → send it for signature → the
    leader signs with one click (their own block) → release. The signed download differs from
    the file the leader was shown only in the signer block; the released one only in that block
    and what release fills in."""
    m = machine(app, db, make_user, queued)()

    def check() -> None:
        for name in CHECKS:
            getattr(m, name)()

    clock.set_now(clock.now() + timedelta(days=7))  # the first period was due on day 4
    m.agency_submits(0, 0)
    m.standing_reviews(0, 0, accept=True)
    m.agency_submits(0, 1)
    check()
    m.round_closed(0)
    check()
    m.consolidated_report(0)
    check()
    doc = m.consolidated(0)
    assert doc is not None and doc.signer_id == m.leader_signer.id  # the agency's first signer
    m.signer_chosen(doc, m.deputy_signer)
    check()
    shown = paragraphs(storage.read(documents.current_version(doc).docx_path))
    assert m.deputy_signer.name in shown and "KT. GIÁM ĐỐC" in shown
    assert m.leader_signer.name not in shown
    for user, act in ((m.specialist, "request_signature"), (m.signer, "sign")):
        assert m.act(doc, user, act) == act
        check()
    signed = m.signed_as_shown(db.session.get(Document, doc.id))
    assert signed.changed and signed.changed <= set(SIGNER_KEYS)
    assert m.deputy_signer.name in signed.gone and "KT. GIÁM ĐỐC" in signed.gone
    assert m.leader_signer.name in signed.new
    assert m.act(doc, m.clerk, "release") == "release"
    check()
    released = m.signed_as_shown(db.session.get(Document, doc.id))
    assert signed.changed < released.changed <= set(SIGNER_KEYS) | set(RELEASE_KEYS)
    assert m.deputy_signer.name in released.gone and m.leader_signer.name in released.new
    assert db.session.get(ReportingPeriod, doc.period_id).status == "consolidated"
