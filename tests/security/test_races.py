"""Issue 10, finding 5: races on rows the UI changes, with real concurrent requests (threads,
each its own connection) on PostgreSQL. Whatever the interleaving, exactly one of two racing
decisions wins, the other gets a 409 page in Vietnamese showing the decision made next to what
the loser typed; double clicks make one row."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db as _db
from app.models import (
    AuditEvent,
    Document,
    DocumentKind,
    Extension,
    ExtensionStatus,
    Notification,
    Report,
    Role,
    User,
)
from app.services import deadlines, loader
from tests.conftest import add_user, postgresql_only
from tests.security.sessions import separate_users, sign_in
from tests.security.test_routes_by_role import (  # noqa: F401  (this module's own world)
    ROOT,
    app,
    backend,
    shared,
    world,
)

ROUNDS = 6


# concurrent transactions: PostgreSQL (SQLite serializes writers)
pytestmark = postgresql_only


def _race(*calls):  # noqa: ANN002, ANN202
    """Run the calls at the same moment, each in its own thread; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call) -> None:  # noqa: ANN001
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _poster(client, url: str, data: dict):  # noqa: ANN001, ANN202
    """A call posting ``data`` to ``url`` (plain values only: threads have no app context)."""
    return lambda: client.post(url, data=data)


def _person(agency, role):  # noqa: ANN001, ANN202
    name = f"{role}.{agency.code}".lower()
    return _db.session.scalar(select(User).where(User.username == name)) or add_user(
        name, agency, [role]
    )


def _client(app, user):  # noqa: ANN001, ANN202, F811
    c = app.test_client()
    sign_in(c, user)
    return c


def _count(model, *where) -> int:  # noqa: ANN001, ANN002
    _db.session.rollback()
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_grant_and_refuse_of_one_extension_exactly_one_wins(app, db, world) -> None:  # noqa: ANN001, F811
    separate_users(app)
    period, agency = world["period"], world["a"]
    reporter, spec = world["a_reporter"], world["standing"]
    second = _person(world["plan"].standing_agency, Role.SPECIALIST)
    if second.id == spec.id:
        second = add_user("specialist2.standing", world["plan"].standing_agency, [Role.SPECIALIST])
    db.session.commit()
    ext = world["ext"]
    outcomes = []
    for round_ in range(ROUNDS):
        if round_:
            due = deadlines.effective_due(period, agency.id) + timedelta(days=10)
            ext = deadlines.request_extension(period, reporter, due, f"Lý do lần {round_}")
            db.session.commit()
        ext_id, requested = ext.id, ext.requested_due
        notes_before = _count(Notification, Notification.user_id == reporter.id)
        a, b = _client(app, spec), _client(app, second)
        grant = {"decision": "grant", f"g{ext_id}-granted_due": requested.isoformat()}
        refuse = {"decision": "refuse", f"r{ext_id}-comment": f"Không đủ căn cứ {round_}"}
        ra, rb = _race(
            lambda a=a, ext_id=ext_id, grant=grant: a.post(
                f"/extensions/{ext_id}/decide", data=grant
            ),
            lambda b=b, ext_id=ext_id, refuse=refuse: b.post(
                f"/extensions/{ext_id}/decide", data=refuse
            ),
        )
        codes = sorted([ra.status_code, rb.status_code])
        assert codes == [302, 409], (round_, codes)
        loser = ra if ra.status_code == 409 else rb
        body = loser.get_data(as_text=True)
        assert "Đề nghị gia hạn đã được quyết định" in body
        if loser is rb:
            assert f"Không đủ căn cứ {round_}" in body  # what the loser typed is kept
        decided = _count(
            AuditEvent,
            AuditEvent.object_type == "extension",
            AuditEvent.object_id == ext_id,
            AuditEvent.action.in_(("grant_extension", "refuse_extension")),
        )
        assert decided == 1, round_
        db.session.expire_all()
        row = db.session.get(Extension, ext_id)
        assert row.status in (ExtensionStatus.GRANTED, ExtensionStatus.REFUSED)
        assert (row.status == ExtensionStatus.GRANTED) == (ra.status_code == 302)
        assert _count(Notification, Notification.user_id == reporter.id) == notes_before + 1
        outcomes.append(row.status)
    print(f"\ngrant vs refuse over {ROUNDS} rounds: {outcomes}")


def test_double_grant_writes_one_event_and_one_notification(app, db, world) -> None:  # noqa: ANN001, F811
    separate_users(app)
    period, agency, reporter, spec = (
        world["period"],
        world["b"],
        world["b_reporter"],
        world["standing"],
    )
    for round_ in range(ROUNDS):
        due = deadlines.effective_due(period, agency.id) + timedelta(days=7)
        ext = deadlines.request_extension(period, reporter, due, f"B lần {round_}")
        db.session.commit()
        notes_before = _count(Notification, Notification.user_id == reporter.id)
        data = {"decision": "grant", f"g{ext.id}-granted_due": due.isoformat()}
        clients = [_client(app, spec), _client(app, spec)]
        url = f"/extensions/{ext.id}/decide"
        results = _race(*(_poster(c, url, data) for c in clients))
        assert sorted(r.status_code for r in results) == [302, 409], round_
        assert (
            _count(
                AuditEvent,
                AuditEvent.object_type == "extension",
                AuditEvent.object_id == ext.id,
                AuditEvent.action == "grant_extension",
            )
            == 1
        )
        assert _count(Notification, Notification.user_id == reporter.id) == notes_before + 1


def test_double_extension_request_makes_one_pending_request(app, db, world) -> None:  # noqa: ANN001, F811
    separate_users(app)
    period = world["period"]
    plain = [
        a.agency
        for a in world["plan"].reporting_assignments
        if a.agency_id not in (world["a"].id, world["b"].id, world["plan"].standing_agency_id)
    ][:ROUNDS]
    for agency in plain:
        rep, lead = _person(agency, Role.REPORTER), _person(agency, Role.AGENCY_LEADER)
        db.session.commit()
        due = (deadlines.effective_due(period, agency.id) + timedelta(days=9)).isoformat()
        url = f"/periods/{period.id}/extension"
        results = _race(
            *(
                _poster(
                    _client(app, u),
                    url,
                    {"requested_due": due, "reason": f"Lý do của {u.username}"},
                )
                for u in (rep, lead)
            )
        )
        codes = sorted(r.status_code for r in results)
        assert codes[0] == 302 and codes[1] in (400, 409), (agency.code, codes)
        assert (
            _count(
                Extension,
                Extension.period_id == period.id,
                Extension.agency_id == agency.id,
                Extension.status == ExtensionStatus.PENDING,
            )
            == 1
        )
        loser = next(r for r in results if r.status_code != 302)
        assert "Lý do của" in loser.get_data(as_text=True)  # the loser's text is on the page


def test_double_start_of_a_report_is_one_report_and_no_500(app, db, world) -> None:  # noqa: ANN001, F811
    separate_users(app)
    period = world["period"]
    taken = set(db.session.scalars(select(Report.agency_id).where(Report.period_id == period.id)))
    free = [
        a.agency
        for a in world["plan"].reporting_assignments
        if a.agency_id not in taken and a.agency_id != world["plan"].standing_agency_id
    ][:ROUNDS]
    assert free
    for agency in free:
        rep, lead = _person(agency, Role.REPORTER), _person(agency, Role.AGENCY_LEADER)
        db.session.commit()
        url = f"/periods/{period.id}/start"
        results = _race(*(_poster(_client(app, u), url, {}) for u in (rep, lead)))
        assert [r.status_code for r in results] == [302, 302], agency.code
        assert len({r.headers["Location"] for r in results}) == 1
        assert _count(Report, Report.period_id == period.id, Report.agency_id == agency.id) == 1


def test_double_draft_plan_document_makes_one_document(app, db, world) -> None:  # noqa: ANN001, F811
    separate_users(app)
    spec = world["standing"]
    for round_ in range(3):
        data = loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml")
        data["code"] = f"{data['code']}-race-{round_}"
        plan = loader.load(data)
        db.session.commit()
        url = f"/plans/{plan.id}/draft-document"
        results = _race(*(_poster(_client(app, spec), url, {}) for _ in range(2)))
        assert [r.status_code for r in results] == [302, 302], round_
        assert (
            _count(Document, Document.plan_id == plan.id, Document.kind == DocumentKind.PLAN) == 1
        )
