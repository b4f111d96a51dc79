"""Every route, as every kind of visitor, with the ids of another agency's objects."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.models import (
    Agency,
    AuditEvent,
    Document,
    Extension,
    Notification,
    Plan,
    Report,
    ReportingPeriod,
    Role,
    User,
)
from app.services import clock, deadlines, documents, loader, reports
from tests.conftest import BACKENDS, add_agency, add_user, app_for_test, shared_app
from tests.web.conftest import login

ROOT = Path(__file__).resolve().parents[2]
VN = timezone(timedelta(hours=7))
MARK_A = "BÍ-MẬT-CỦA-A-7391"
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
PUBLIC = {
    "auth.login",
    "auth.set_language",
    "main.health",
    "main.ready",
    "static",
    "editor.static",
    "kehoach_forms.static",
}


pytestmark = pytest.mark.xdist_group("routes_by_role")  # one worker builds the world


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request) -> str:  # noqa: ANN001
    return request.param


def _build_world() -> tuple[dict, datetime]:
    """Two agencies' reports, a document and an extension of agency A, an unrelated agency;
    user text carrying XSS probes and A's secret mark. Returns (model, id) per key, and the
    clock the tests run at."""
    made = {}

    def people(agency, *roles):  # noqa: ANN001, ANN202
        key = (agency.code, roles)
        if key not in made:
            made[key] = add_user(f"{'-'.join(roles)}.{agency.code}".lower(), agency, list(roles))
        return made[key]

    data = loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml")
    data["title"] = data["title"] + " " + XSS[0] + XSS[1]
    plan = loader.load(data)
    _db.session.commit()
    clock.set_now(date(2024, 11, 5))
    spec = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, spec, plan=plan)
    documents.transition(doc, "request_signature", spec)
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    documents.transition(
        doc, "release", people(plan.issuer, Role.CLERK), issued_on=date(2024, 11, 5)
    )
    period = plan.periods[0]
    plain = [
        a.agency
        for a in plan.reporting_assignments
        if a.agency_id not in (plan.issuer_id, plan.standing_agency_id)
    ]
    a_agency, b_agency = plain[0], plain[1]
    a_agency.name = a_agency.name + " " + XSS[1]
    now = datetime(2024, 12, 20, 10, tzinfo=VN)
    clock.set_now(now)
    out = {}
    for key, ag in (("a", a_agency), ("b", b_agency)):
        rep, lead = people(ag, Role.REPORTER), people(ag, Role.AGENCY_LEADER)
        r = reports.start_report(plan, period, rep)
        text = (MARK_A + " " + XSS[0] + XSS[1]) if key == "a" else "Khó khăn của B"
        reports.save_draft(
            r,
            {"banners": 3, "slogans_used": True, "articles": 2, "difficulties": text},
            rep,
            r.version,
        )
        reports.transition(r, "submit_for_approval", rep)
        reports.transition(r, "approve", lead)
        out[key] = r
    reports.transition(out["a"], "return_for_revision", spec, comment="Lý do " + XSS[0] + XSS[1])
    a_doc = documents.create_document(
        "report",
        a_agency,
        MARK_A + " văn bản",
        people(a_agency, Role.REPORTER),
        report=out["a"],
        plan=plan,
        render=False,
    )
    ext = deadlines.request_extension(
        period, people(a_agency, Role.REPORTER), date(2025, 1, 20), MARK_A + " xin gia hạn"
    )
    other = add_agency("KHAC-TV", name="Cơ quan không liên quan")
    _db.session.commit()
    note = _db.session.scalar(
        select(Notification).where(Notification.user_id == people(a_agency, Role.REPORTER).id)
    )
    world = {
        "plan": plan,
        "period": period,
        "a": a_agency,
        "b": b_agency,
        "ra": out["a"],
        "rb": out["b"],
        "doc": a_doc,
        "ext": ext,
        "note": note,
        "a_reporter": people(a_agency, Role.REPORTER),
        "b_reporter": people(b_agency, Role.REPORTER),
        "outsider": people(other, Role.SPECIALIST),
        "admin": people(other, Role.ADMIN),
        "standing": spec,
    }
    _db.session.commit()
    return {k: (type(v), v.id) if v is not None else None for k, v in world.items()}, now


@pytest.fixture(scope="module")
def shared(backend):  # noqa: ANN001, ANN201
    """The world, built once per backend for the whole module; the tests only read it (the POST
    test checks that nothing changed)."""
    with shared_app(backend) as app:
        with app.app_context():
            keys, now = _build_world()
        clock.set_now(None)
        yield app, keys, now


@pytest.fixture
def app(shared):  # noqa: ANN001, ANN201
    module_app, _keys, now = shared
    with app_for_test(module_app, now) as a:
        yield a


@pytest.fixture
def world(shared, db):  # noqa: ANN001, ANN201
    """The world's objects, loaded in this test's session."""
    _app, keys, _now = shared
    return {k: db.session.get(*key) if key is not None else None for k, key in keys.items()}


def _ids(w) -> dict:  # noqa: ANN001
    return {
        "plan_id": w["plan"].id,
        "period_id": w["period"].id,
        "report_id": w["ra"].id,
        "doc_id": w["doc"].id,
        "ext_id": w["ext"].id,
        "agency_id": w["a"].id,
        "user_id": w["a_reporter"].id,
        "day": "2024-09-02",
        "which": "docx",
        "code": "vi",
        "notification_id": w["note"].id if w["note"] else 999999,
        "filename": "x.css",
        "field": "proof",
        "signer_id": 999999,
        "action": "len",
        "token_id": 999999,
        "group": "activities",
        "token": "0123abcd",  # an editor preview nobody asked for
        "n": 1,
        "who": "co-quan",  # digital signing: the agency's own key and seal
        "what": "xoa-khoa",
        "identity_id": 999999,
        "root_id": 999999,
        "row_id": 999999,  # revocation data (CRL, OCSP)
        "incoming_id": 999999,  # an edXML document packet received
    }


def _url(rule, ids) -> str:  # noqa: ANN001
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(ids[m.group(1)]), rule.rule)


def _rules(app, method):  # noqa: ANN001, ANN202
    return [r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint not in PUBLIC]


def test_anonymous_is_sent_to_login(app, world) -> None:  # noqa: ANN001
    client = app.test_client()
    ids = _ids(world)
    for rule in _rules(app, "GET") + _rules(app, "POST"):
        method = "GET" if "GET" in rule.methods else "POST"
        resp = client.open(_url(rule, ids), method=method)
        assert resp.status_code in (302, 401), (rule.rule, resp.status_code)
        if resp.status_code == 302:
            assert "/auth/login" in resp.headers["Location"], rule.rule


A_ONLY = {
    "reports.show",
    "reports.edit",
    "documents.show",
    "documents.status",
    "documents.download",
    "dashboard.notifications_page",
}


@pytest.mark.parametrize("who", ["b_reporter", "outsider", "admin"])
def test_get_every_route_with_other_agencys_ids(app, world, who) -> None:  # noqa: ANN001
    client = app.test_client()
    login(client, world[who])
    ids = _ids(world)
    for rule in _rules(app, "GET"):
        resp = client.get(_url(rule, ids))
        binary = resp.mimetype.endswith(".sheet")  # an Excel export: checked as text inside
        body = _xlsx_text(resp.data) if binary else resp.get_data(as_text=True)
        assert resp.status_code < 500, (rule.rule, resp.status_code)
        if resp.mimetype == "text/html":
            for x in XSS:
                assert x not in body, (rule.rule, x)
        if who == "admin":
            continue
        assert MARK_A not in body, (who, rule.rule)
        if rule.endpoint.startswith("admin."):
            assert resp.status_code == 403, rule.rule
        if rule.endpoint in A_ONLY - {"dashboard.notifications_page"}:
            assert resp.status_code in (403, 404), (who, rule.rule, resp.status_code)
        if (
            who == "outsider"
            and "plan_id" in rule.arguments | set()
            or (who == "outsider" and "period_id" in rule.arguments)
        ):
            assert resp.status_code in (403, 404), (who, rule.rule, resp.status_code)


def _xlsx_text(data: bytes) -> str:
    """Every cell of an exported workbook, as text (so agency A's data cannot hide in it)."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


def _snapshot(db) -> list:  # noqa: ANN001
    rows = []
    for model, cols in (
        (Report, ("status", "data", "version", "return_reason")),
        (Document, ("status", "title", "symbol", "signed_path")),
        (Extension, ("status", "granted_due")),
        (Plan, ("status", "title", "version")),
        (ReportingPeriod, ("status",)),
        (Agency, ("name", "valid_to")),
        (User, ("active", "password_hash", "roles", "agency_id")),
        (Notification, ("read_at",)),
    ):
        db.session.expire_all()
        for obj in db.session.scalars(select(model).order_by(model.id)):
            rows.append((model.__name__, obj.id, *(repr(getattr(obj, c, None)) for c in cols)))
    rows.append(("audit", db.session.query(AuditEvent).count()))
    return rows


# POSTs the user may legitimately make for their own agency or themselves
OWN = {
    "auth.logout",
    "auth.change_password",
    "dashboard.mark_all_read",
    "reports.start",
    "dashboard.request_extension",
    # plan.write (a specialist's, the outsider's too): the editor and the import page; what
    # is saved is judged by plan.create / plan.import (the POST matrix checks each verb)
    "editor.new",
    "editor.render_text",  # reads and keeps nothing
    "plans.import_plan",
}
FORMS = {
    "reports.action": {"trigger": "accept", "comment": "x"},
    "documents.action": {"trigger": "request_signature"},
    "dashboard.decide_extension": {"decision": "grant", "g%(ext_id)s-granted_due": "2025-01-20"},
    "dashboard.reopen": {"comment": "x"},
    "plans.close_round": {"comment": "x"},
}


@pytest.mark.parametrize("who", ["b_reporter", "outsider"])
def test_post_as_wrong_role_or_agency_changes_nothing(app, db, world, who) -> None:  # noqa: ANN001
    client = app.test_client()
    login(client, world[who])
    ids = _ids(world)
    before = _snapshot(db)
    for rule in _rules(app, "POST"):
        if rule.endpoint in OWN:
            continue
        form = {k % ids: v for k, v in FORMS.get(rule.endpoint, {}).items()}
        resp = client.post(_url(rule, ids), data=form)
        assert resp.status_code in (403, 404, 409), (who, rule.rule, resp.status_code)
        assert MARK_A not in resp.get_data(as_text=True), (who, rule.rule)
        db.session.rollback()
        assert _snapshot(db) == before, (who, rule.rule)


def test_every_post_needs_a_csrf_token(app, world) -> None:  # noqa: ANN001
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    ids = _ids(world)
    # signed in as admin through the session, so the token check is what refuses
    with client.session_transaction() as s:
        s["_user_id"] = world["admin"].get_id()
        s["_fresh"] = True
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(posts) >= 25
    for rule in posts:
        resp = client.post(_url(rule, ids), data={"trigger": "accept"})
        assert resp.status_code == 400, (rule.rule, resp.status_code)


def test_text_from_users_is_escaped(app, world) -> None:  # noqa: ANN001
    client = app.test_client()
    pages = {
        "standing": [
            f"/reports/{world['ra'].id}",
            f"/plans/{world['plan'].id}",
            "/plans/",
            f"/periods/{world['period'].id}/consolidation",
            "/extensions",
            "/review",
            "/",
            f"/documents/{world['doc'].id}",
            "/documents/",
        ],
        "a_reporter": [
            f"/reports/{world['ra'].id}",
            f"/reports/{world['ra'].id}/edit",
            "/inbox",
            "/",
            "/notifications?all=1",
            f"/plans/{world['plan'].id}",
        ],
        "admin": [
            "/quan-tri/co-quan",
            f"/quan-tri/co-quan/{world['a'].id}",
            "/quan-tri/nguoi-dung",
            f"/editor/{world['plan'].id}",
        ],
    }
    for who, urls in pages.items():
        login(client, world[who])
        for url in urls:
            resp = client.get(url, follow_redirects=True)
            body = resp.get_data(as_text=True)
            assert resp.status_code == 200, (who, url, resp.status_code)
            for x in XSS:
                assert x not in body, (who, url, x)
            assert "<script>alert" not in body and "<img src=x" not in body, (who, url)
