"""The work queues are SQL (``app.services.workqueue``: one COUNT statement for every badge, the
first rows for the home page) built from the rules written once more in SQL next to the policy
(``policy.where``) and the flows (``flows.report_where``, ``flows.document_where``, the lock of
``status.locked``). On random worlds — plans in any state with two standing agencies, rounds
pending, open or closed and locked or not (reopened until a date, or open-ended), reports in every
state, pending extensions, documents of every kind and state with drafts sent back or not — and
for users of every role and agency (an inactive one included), this proves:

- each queue's badge count equals the number of items the queue lists;
- the items are exactly the objects the policy (``policy.can``) and the workflow
  (``Flow.can`` with the facts the services give it) let the user act on — a locked round's
  report is not counted;
- every SQL rule equals its Python rule on every object: ``policy.where`` = ``policy.can`` and
  ``flows.*_where`` = ``Flow.can`` and the policy's action behind the trigger
  (``policy.TRANSITIONS``), for each trigger the queues can ask about.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db as database
from app.models import (
    Agency,
    AuditEvent,
    Document,
    Extension,
    Reopen,
    Report,
    ReportingPeriod,
    User,
)
from app.services import calendar, clock, documents, flows, policy, reports, status, workqueue
from tests.conftest import add_user
from tests.worlds import (
    add_assignments,
    add_extension,
    add_period,
    add_plan,
    add_report,
    at_midnight,
)
from workflows import DocumentFlow, ReportFlow

TODAY = date(2025, 3, 12)  # a Wednesday
_run = itertools.count()

REPORT_STATES = [None, "draft", "awaiting_approval", "submitted", "returned", "accepted"]
period_world = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["pending", "open", "open", "open", "reported"]),
        "due": st.integers(-12, 4),  # days from today
        "lock": st.sampled_from([None, 0, 2, 5]),
        "reports": st.lists(st.sampled_from(REPORT_STATES), min_size=4, max_size=4),
        # per agency: no reopening, open-ended, or until that many days from today
        "reopen": st.lists(
            st.one_of(st.none(), st.just("open"), st.integers(-3, 3)), min_size=4, max_size=4
        ),
        "asked": st.lists(st.booleans(), min_size=4, max_size=4),  # a pending extension
    }
)
plan_world = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["draft", "issued", "in_progress", "in_progress", "reported"]),
        "reports": st.lists(st.booleans(), min_size=4, max_size=4),  # the assignment reports
        "own_due": st.lists(st.one_of(st.none(), st.integers(-12, 4)), min_size=4, max_size=4),
        "periods": st.lists(period_world, min_size=1, max_size=2),
    }
)
document_world = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["report", "consolidated", "reminder"]),
        "status": st.sampled_from(["draft", "awaiting_signature", "signed", "released"]),
        "agency": st.integers(0, 4),
        "plan": st.sampled_from([None, 0, 1]),
        "author": st.integers(0, 11),
        "last": st.sampled_from([None, "decline", "request_signature", "decline"]),
    }
)

# (agency index, roles, active): agencies 0 = S (standing of plan 0, issuer of plan 1),
# 1 = I (issuer of plan 0), 2..4 = A1..A3 (A1 also the standing agency of plan 1)
PEOPLE = [
    (0, ["specialist"], True),
    (2, ["specialist"], True),
    (0, ["admin"], True),
    (1, ["admin", "specialist"], True),
    (3, ["reporter"], True),
    (3, ["agency_leader"], True),
    (4, ["reporter", "agency_leader"], True),
    (1, ["signer"], True),
    (1, ["clerk"], True),
    (0, ["signer", "clerk"], True),
    (2, ["agency_leader", "specialist", "clerk"], True),
    (0, ["specialist"], False),
]


def build(db, plans: list[dict], docs: list[dict]) -> tuple[list[User], dict]:  # noqa: ANN001, C901
    k = next(_run)
    agencies = [
        Agency(code=f"WQ{k}-{i}", name=f"Cơ quan {k}-{i}", abbreviation="CQ", place="TV")
        for i in range(5)
    ]
    db.session.add_all(agencies)
    db.session.flush()
    users = []
    for n, (i, roles, active) in enumerate(PEOPLE):
        u = add_user(f"wq{k}.{n}", agencies[i], roles)
        u.active = active
        users.append(u)
    made_plans = []
    for p, pw in enumerate(plans):
        standing, issuer = (agencies[0], agencies[1]) if p == 0 else (agencies[2], agencies[0])
        plan, form = add_plan(
            db, f"wq-{k}-{p}", f"Kế hoạch {k}-{p}", pw["status"], issuer, standing
        )
        made_plans.append(plan)
        # the standing agency's own assignment too (it owes no report, but its lock exists)
        assigned = (
            [standing, *agencies[2:5]] if p == 0 else [agencies[0], *agencies[3:5], agencies[1]]
        )
        assignments = add_assignments(
            db,
            plan,
            [
                (
                    ag,
                    {
                        "reports": pw["reports"][i],
                        "due": TODAY + timedelta(days=pw["own_due"][i])
                        if pw["own_due"][i] is not None
                        else None,
                    },
                )
                for i, ag in enumerate(assigned)
            ],
        )
        for n, per in enumerate(pw["periods"]):
            due = TODAY + timedelta(days=per["due"])
            period = add_period(db, plan, n, due, per["status"], lock_after_days=per["lock"])
            for a, state, reopen, asked in zip(
                assignments, per["reports"], per["reopen"], per["asked"], strict=True
            ):
                if state is not None:
                    sent = state in ("submitted", "accepted", "returned")
                    add_report(
                        db,
                        period,
                        a,
                        form,
                        state,
                        sent_at=at_midnight(due, a.id % 30) if sent else None,
                        times_returned=int(state == "returned"),
                    )
                if reopen is not None:
                    db.session.add(
                        Reopen(
                            plan_id=plan.id,
                            period_id=period.id,
                            agency_id=a.agency_id,
                            until=None if reopen == "open" else TODAY + timedelta(days=reopen),
                        )
                    )
                if asked:
                    add_extension(db, period, a.agency_id, due + timedelta(days=5))
    db.session.flush()
    for n, dw in enumerate(docs):
        plan_ = (
            made_plans[dw["plan"]]
            if dw["plan"] is not None and dw["plan"] < len(made_plans)
            else None
        )
        doc = Document(
            kind=dw["kind"],
            status=dw["status"],
            agency_id=agencies[dw["agency"]].id,
            plan_id=plan_.id if plan_ is not None else None,
            title=f"Văn bản {k}-{n}",
            created_by_id=users[dw["author"]].id,
        )
        db.session.add(doc)
        db.session.flush()
        for action in ("create", dw["last"]):
            if action is not None:
                db.session.add(
                    AuditEvent(
                        actor_name="x", object_type="document", object_id=doc.id, action=action
                    )
                )
    db.session.flush()
    calendar.forget()
    return users, {"plans": made_plans}


def _expected(u: User, queue: str) -> set:
    """The items of ``queue`` from the Python rules: the policy and the flows, row by row."""
    all_reports = list(db_session().scalars(select(Report)))
    all_docs = list(db_session().scalars(select(Document)))
    if queue == "report":
        out = set()
        for period in db_session().scalars(select(ReportingPeriod)):
            plan = period.plan
            if plan.status not in ("in_progress", "issued") or period.status != "open":
                continue
            for a in plan.assignments:
                if a.agency_id != u.agency_id or not a.reports:
                    continue
                r = next(
                    (
                        x
                        for x in all_reports
                        if x.period_id == period.id and x.agency_id == u.agency_id
                    ),
                    None,
                )
                if r is None:
                    s_ = status.of(period, u.agency_id)
                    if not (s_ is not None and s_.locked):
                        out.add(("reports.start", period.id))
                elif reports.can_edit(u, r):
                    out.add(("reports.edit", r.id))
        return out
    if queue in ("approve", "review"):
        action, trigger = {
            "approve": ("report.approve", "approve"),
            "review": ("report.review", "accept"),
        }[queue]
        return {
            ("reports.show", r.id)
            for r in all_reports
            if policy.can(u, action, r) and reports.report_flow(r, u).can(trigger)
        }
    if queue == "extension":
        return {
            ("dashboard.extensions", e.id)
            for e in db_session().scalars(select(Extension).where(Extension.status == "pending"))
            if policy.can(u, "extension.decide", e.period)
        }
    if queue == "redraft":
        out = set()
        for d in all_docs:
            last = db_session().scalar(
                select(AuditEvent.action)
                .where(AuditEvent.object_type == "document", AuditEvent.object_id == d.id)
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
            if (
                d.created_by_id == u.id
                and d.status == "draft"
                and last == "decline"
                and policy.can(u, "document.request_signature", d)
            ):
                out.add(("documents.show", d.id))
        return out
    action, trigger = {
        "sign": ("document.sign", "sign"),
        "number": ("document.release", "release"),
    }[queue]
    return {
        ("documents.show", d.id)
        for d in all_docs
        if policy.can(u, action, d) and documents.document_flow(d, u).can(trigger)
    }


def db_session():  # noqa: ANN201
    return database.session


def _listed(u: User, queue: str, got: list[workqueue.WorkItem]) -> set:
    if queue == "extension":  # one page for all requests
        return {("dashboard.extensions", i.extra["extension_id"]) for i in got}
    return {(i.endpoint, next(iter(i.args.values()))) for i in got}


SQL_OBJECTS = {
    "report.edit": Report,
    "report.submit": Report,
    "report.approve": Report,
    "report.review": Report,
    "extension.decide": ReportingPeriod,
    "extension.decide@extension": Extension,
    "document.request_signature": Document,
    "document.sign": Document,
    "document.decline": Document,
    "document.release": Document,
}


def _check_rules(users: list[User]) -> None:
    """Every SQL rule equals its Python rule on every object, for every user."""
    s = db_session()
    assert set(SQL_OBJECTS) == set(policy.WHERE)
    rows = {m: list(s.scalars(select(m).order_by(m.id))) for m in set(SQL_OBJECTS.values())}
    report_triggers = [
        t
        for t in dict.fromkeys(x["trigger"] for x in ReportFlow.TRANSITIONS)
        if set(ReportFlow.guards(t)) <= set(flows.REPORT_GUARDS)
        and t in policy.TRANSITIONS["report"]
    ]
    doc_triggers = [
        t
        for t in dict.fromkeys(x["trigger"] for x in DocumentFlow.TRANSITIONS)
        if set(DocumentFlow.guards(t)) <= set(flows.DOCUMENT_GUARDS)
        and t in policy.TRANSITIONS["document"]
    ]
    assert {"approve", "accept", "submit_for_approval", "resubmit"} <= set(report_triggers)
    assert {"sign", "release", "request_signature"} <= set(doc_triggers)
    for u in [*users, None]:
        for action, model in SQL_OBJECTS.items():
            got = set(s.scalars(select(model.id).where(policy.where(u, action))))
            python_action = action.split("@")[0]
            want = {
                o.id
                for o in rows[model]
                if policy.can(u, python_action, o.period if model is Extension else o)
            }
            assert got == want, (u and (u.username, sorted(u.roles)), action)
        for t in report_triggers:
            got = set(s.scalars(select(Report.id).where(flows.report_where(u, t))))
            action = policy.TRANSITIONS["report"][t]
            want = {
                r.id
                for r in rows[Report]
                if reports.report_flow(r, u).can(t) and policy.can(u, action, r)
            }
            assert got == want, (u and (u.username, sorted(u.roles)), t)
        for t in doc_triggers:
            got = set(s.scalars(select(Document.id).where(flows.document_where(u, t))))
            action = policy.TRANSITIONS["document"][t]
            want = {
                d.id
                for d in rows[Document]
                if documents.document_flow(d, u).can(t) and policy.can(u, action, d)
            }
            assert got == want, (u and (u.username, sorted(u.roles)), t)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a failing world is printed; shrinking one is slow
)
@given(
    plans=st.lists(plan_world, min_size=1, max_size=2),
    docs=st.lists(document_world, max_size=6),
    today=st.integers(-2, 6).map(lambda d: TODAY + timedelta(days=d)),
)
def _check(db, plans, docs, today) -> None:  # noqa: ANN001
    clock.set_now(today)
    users, _world = build(db, plans, docs)
    try:
        for u in users:
            counts = workqueue.counts(u)
            listed = workqueue.items(u, limit=workqueue.CAP + 1)
            assert list(counts) == list(listed) == workqueue.queues(u)
            for queue, got in listed.items():
                who = (u.username, sorted(u.roles), u.active, queue)
                assert counts[queue] == len(got), who
                assert len(_listed(u, queue, got)) == len(got), who
                assert _listed(u, queue, got) == _expected(u, queue), who
        _check_rules(users)
    finally:
        db.session.rollback()
        calendar.forget()
        clock.set_now(None)


def test_queue_counts_lists_policy_and_flows_agree(app, db) -> None:  # noqa: ANN001
    _check(db)  # outside a request: nothing cached between the worlds
