"""Drafting the consolidated report from the page is never a long request: the request records
the draft and queues the work; a worker (real RQ on the real Redis, real LibreOffice) adds the
reports up, stores the consolidation and renders the draft while the document page shows the
progress."""

from __future__ import annotations

import io
import secrets
from datetime import date

from docx import Document as Docx
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from app.models import AuditEvent, Consolidation, Document, Role
from app.services import clock, plans, reports
from tests.conftest import REDIS_TEST_URL
from tests.services.test_plan_lifecycle import issue, report_and_submit
from tests.web.conftest import login
from worker import jobs


def test_the_worker_consolidates_and_renders_the_draft(app, db, client, plan, people, tmp_path):  # noqa: ANN001
    name = f"kehoach-test-{secrets.token_hex(4)}"
    app.config.update(REDIS_URL=REDIS_TEST_URL, RQ_QUEUE=name, FILES_DIR=str(tmp_path / "files"))
    conn = Redis.from_url(REDIS_TEST_URL)
    queue = Queue(name, connection=conn)
    jobs.set_app(app)
    try:
        clock.set_now(date(2024, 11, 5))
        issue(plan, people, date(2024, 11, 5))
        db.session.commit()
        period = plan.periods[0]
        specialist = people(plan.standing_agency, Role.SPECIALIST)
        clock.set_now(date(2024, 12, 20))
        for i, a in enumerate(plan.reporting_assignments[:2]):
            r = report_and_submit(plan, period, a.agency, people, {"banners": 1000 + i})
            reports.transition(r, "accept", specialist)
        db.session.commit()
        plans.close_round(period, specialist, today=date(2025, 1, 8))
        db.session.commit()
        clock.set_now(date(2025, 1, 8))
        queue.empty()  # the plan's own renders are not what this test times

        login(client, specialist)
        resp = client.post(f"/periods/{period.id}/consolidation")
        assert resp.status_code == 302
        doc_url = resp.headers["Location"]
        doc_id = int(doc_url.rstrip("/").rsplit("/", 1)[-1])
        # the request only recorded the draft: nothing added up yet, the work is queued
        db.session.rollback()
        assert db.session.scalar(select(Consolidation)) is None
        assert [j.func_name for j in queue.jobs] == ["worker.jobs.consolidate_document"]
        page = client.get(doc_url).get_data(as_text=True)
        assert "Đang chờ tạo tệp" in page
        assert client.get(f"{doc_url}/status.json").get_json()["state"] == "queued"

        SimpleWorker([queue], connection=conn).work(burst=True)  # consolidate, then render

        db.session.rollback()
        row = db.session.scalar(select(Consolidation))
        assert row is not None and row.period_id == period.id
        assert row.results["summary"]["included"] == 2
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consolidate"))
        assert event is not None and event.actor_id == specialist.id
        status = client.get(f"{doc_url}/status.json").get_json()
        assert status["state"] == "done" and status["docx"] and status["pdf"], status
        assert "Đã tạo tệp" in client.get(doc_url).get_data(as_text=True)
        docx = client.get(f"{doc_url}/file/docx")
        assert docx.status_code == 200
        word = Docx(io.BytesIO(docx.data))
        cells = "\n".join(c.text for t in word.tables for row in t.rows for c in row.cells)
        assert "2.001" in cells  # 1000 + 1001 banners, the consolidated total
        doc = db.session.get(Document, doc_id)
        assert doc is not None and doc.render_state == "done"
    finally:
        jobs._app = None
        for key in conn.scan_iter(f"rq:*{name}*"):
            conn.delete(key)
