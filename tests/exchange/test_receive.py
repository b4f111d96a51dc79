"""Incoming edXML from the exchange (issue 15, follow-up): the token-authenticated endpoint
``POST /api/v1/edxml`` (the API's policy: the token acts as its user) and the periodic job that
reads the exchange folder (RQ's scheduler, a real worker), each taking status packets of sent
documents and document packets addressed to an agency; a received document becomes a draft
plan's căn cứ from the plan page. Refusals in Vietnamese, nothing changed. Both databases."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app.models import ExchangeIncoming, ExchangeStatus, Plan, Role
from app.services import api_tokens, clock, exchange
from app.services.edxml import Organ, build_packet
from tests.conftest import REDIS_TEST_URL, add_agency
from tests.exchange.test_basis import PARENT
from tests.exchange.test_exchange import (
    BILLION_LAUGHS,
    ISSUER_CODE,
    STANDING_CODE,
    TZ,
    export,
    status_bytes,
)
from tests.web.conftest import login
from tests.web.test_pages import text


def _token(db, agency, *roles: str) -> dict:  # noqa: ANN001
    _, raw = api_tokens.create(agency, f"Trục liên thông {agency.code}", list(roles), None)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}", "Content-Type": "application/xml"}


def _count(db, model) -> int:  # noqa: ANN001
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_endpoint_takes_status_packets(client, plan, people, db, released):  # noqa: ANN001
    doc, _, _ = released
    login(client, people(plan.issuer, Role.CLERK))
    export(client, doc)
    client.post("/auth/logout")
    standing = Organ(organ_id=STANDING_CODE, name=plan.standing_agency.name)
    arrived = status_bytes(doc, standing, "01", datetime(2024, 11, 5, 16, 0, tzinfo=TZ))
    issuer = _token(db, plan.issuer, Role.CLERK)

    # no token, a token of an agency that did not send it, an empty body, hostile XML: refused
    resp = client.post("/api/v1/edxml", data=arrived, headers={"Content-Type": "application/xml"})
    assert resp.status_code == 401
    assert resp.get_json()["message"] == "Thiếu hoặc sai mã truy cập API."
    reporter = _token(db, plan.issuer, Role.REPORTER)  # a token without the clerk's role
    resp = client.post("/api/v1/edxml", data=arrived, headers=reporter)
    assert resp.status_code == 403
    assert resp.get_json()["message"] == (
        "Chỉ văn thư (mã truy cập có quyền văn thư) được gửi gói edXML qua trục liên thông."
    )
    other = _token(db, plan.standing_agency, Role.CLERK)
    resp = client.post("/api/v1/edxml", data=arrived, headers=other)
    assert resp.status_code == 403
    assert "Chỉ văn thư của cơ quan ban hành" in resp.get_json()["message"]
    resp = client.post("/api/v1/edxml", data=b"", headers=issuer)
    assert resp.status_code == 400
    assert "Thân yêu cầu trống" in resp.get_json()["message"]
    resp = client.post("/api/v1/edxml", data=BILLION_LAUGHS, headers=issuer)
    assert resp.status_code == 422
    assert resp.get_json()["message"].startswith("Gói edXML không hợp lệ: có khai báo DTD")
    assert _count(db, ExchangeStatus) == 0

    resp = client.post("/api/v1/edxml", data=arrived, headers=issuer)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["kind"] == "status" and body["new"] is True
    assert body["message"] == f"{plan.standing_agency.name} — Đã đến"
    again = client.post("/api/v1/edxml", data=arrived, headers=issuer).get_json()
    assert again["new"] is False and again["message"] == "Gói này đã được nhận trước đó."
    done = status_bytes(doc, standing, "06", datetime(2024, 11, 9, 9, 0, tzinfo=TZ))
    assert client.post("/api/v1/edxml", data=done, headers=issuer).status_code == 200
    assert _count(db, ExchangeStatus) == 2
    login(client, people(plan.issuer, Role.CLERK))
    page = text(client.get(f"/documents/{doc.id}"))
    assert "Đã hoàn thành" in page and "09/11/2024 09:00" in page


def test_endpoint_takes_a_document_that_becomes_a_plans_basis(client, plan, people, db):  # noqa: ANN001
    clock.set_now(date(2024, 10, 20))
    plan.issuer.organ_id = ISSUER_CODE  # PARENT is addressed to it
    add_agency("BCDNQ-CP", name="Ban Chỉ đạo Nhân quyền Chính phủ", organ_id="000.00.00.G22")
    db.session.commit()
    data = build_packet(PARENT)
    # a token of an agency it is not addressed to: refused; addressed to no agency here: refused
    resp = client.post(
        "/api/v1/edxml", data=data, headers=_token(db, plan.standing_agency, Role.CLERK)
    )
    assert resp.status_code == 403
    assert resp.get_json()["message"] == (
        "Chỉ văn thư của cơ quan nhận được nhận văn bản gửi qua trục liên thông."
    )
    issuer = _token(db, plan.issuer, Role.CLERK)
    nowhere = build_packet(replace(PARENT, recipients=(Organ("000.00.99.H99", "Lạ"),)))
    resp = client.post("/api/v1/edxml", data=nowhere, headers=issuer)
    assert resp.status_code == 422
    assert resp.get_json()["message"] == (
        "Gói văn bản 12/KH-BCĐNQ không gửi đến cơ quan nào có trong hệ thống (nơi nhận: "
        "000.00.99.H99)."
    )
    assert _count(db, ExchangeIncoming) == 0

    resp = client.post("/api/v1/edxml", data=data, headers=issuer)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json()["message"] == (
        "Kế hoạch số 12/KH-BCĐNQ của Ban Chỉ đạo Nhân quyền Chính phủ"
    )
    assert client.post("/api/v1/edxml", data=data, headers=issuer).get_json()["new"] is False
    assert _count(db, ExchangeIncoming) == 1

    # the draft plan's page lists it; one click adds it as the last căn cứ
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    page = text(client.get(f"/plans/{plan.id}"))
    assert "Văn bản nhận qua trục liên thông" in page
    assert "Kế hoạch số 12/KH-BCĐNQ của Ban Chỉ đạo Nhân quyền Chính phủ (14/10/2024)" in page
    incoming = db.session.scalar(select(ExchangeIncoming))
    resp = client.post(f"/plans/{plan.id}/can-cu-edxml/{incoming.id}", follow_redirects=True)
    page = text(resp)
    assert "Đã thêm căn cứ: Thực hiện Kế hoạch số 12/KH-BCĐNQ" in page
    assert "Thêm làm căn cứ" not in page  # used: no longer offered
    db.session.expire_all()
    fresh = db.session.get(Plan, plan.id)
    assert "12/KH-BCĐNQ" in fresh.definition["legal_basis"][-1]


@pytest.fixture
def queue(app):  # noqa: ANN001, ANN201
    name = f"kehoach-test-{secrets.token_hex(4)}"
    app.config.update(REDIS_URL=REDIS_TEST_URL, RQ_QUEUE=name)
    conn = Redis.from_url(REDIS_TEST_URL)
    yield Queue(name, connection=conn)
    for key in conn.scan_iter(f"rq:*{name}*"):
        conn.delete(key)


def test_periodic_job_reads_the_exchange_folder(
    app, client, plan, people, db, released, queue, tmp_path
):  # noqa: ANN001
    """RQ's scheduler runs the job at its time in a real worker; the job reads the folder and
    schedules the next reading."""
    doc, _, _ = released
    login(client, people(plan.issuer, Role.CLERK))
    export(client, doc)
    add_agency("BCDNQ-CP", name="Ban Chỉ đạo Nhân quyền Chính phủ", organ_id="000.00.00.G22")
    db.session.commit()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    app.config.update(EDXML_INBOX=str(inbox), EDXML_POLL_SECONDS=60)
    standing = Organ(organ_id=STANDING_CODE, name=plan.standing_agency.name)
    (inbox / "a-03.xml").write_bytes(
        status_bytes(doc, standing, "03", datetime(2024, 11, 6, 8, 0, tzinfo=TZ))
    )
    (inbox / "b-van-ban.edxml").write_bytes(build_packet(PARENT))
    (inbox / "c-bad.xml").write_bytes(BILLION_LAUGHS)

    # the slot of two minutes ago: due now; asking twice for it makes one job
    past = datetime.now(UTC) - timedelta(seconds=150)
    at = exchange.schedule_inbox(past)
    assert at is not None and at < datetime.now(UTC)
    assert exchange.schedule_inbox(past) == at
    assert queue.scheduled_job_registry.count == 1
    assert _count(db, ExchangeStatus) == 0

    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=True)

    assert _count(db, ExchangeStatus) == 1
    assert _count(db, ExchangeIncoming) == 1
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == [
        "a-03.xml",
        "b-van-ban.edxml",
    ]
    assert "DTD" in (inbox / "refused" / "c-bad.xml.loi.txt").read_text("utf-8")
    # the next reading is scheduled, a slot from now
    assert queue.scheduled_job_registry.count == 1
    page = text(client.get(f"/documents/{doc.id}"))
    assert "Đã tiếp nhận" in page and "06/11/2024 08:00" in page
