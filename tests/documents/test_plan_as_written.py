"""What a clerk reads in a generated plan (python-docx on the real .docx):

- an assignment line's deadline and activity window in words are printed as the clerk wrote
  them, after its tasks, for a group line ("UBND các huyện, thành phố") as for an agency, and
  never twice when the tasks already say them;
- a plan recorded as already issued on paper has its document: the official format with the
  recorded number and date, marked on every page as recorded from the issued original, made by
  the real worker (RQ on Redis, LibreOffice for its PDF), downloadable, with no new register
  number and no signing.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from docx import Document as Docx
from sqlalchemy import func, select

from app.models import (
    AuditEvent,
    Document,
    DocumentStatus,
    DocumentVersion,
    RegisterEntry,
    Role,
)
from app.services import clock, documents, loader, register
from tests.browser import SHOTS
from tests.documents.test_signed_is_reviewed import paragraphs
from tests.files import stored
from tests.services.test_assignments import PLAN, TEMPLATES, load
from tests.web.conftest import login
from tests.workers import run_queue
from worker import context as worker_context
from worker.contexts import RECORDED_MARK
from worker.render import render_docx

ROOT = Path(__file__).resolve().parents[2]


def plan_text(db, people, text: str | None = None) -> list[str]:  # noqa: ANN001
    plan = load(text=text) if text is not None else load()
    db.session.commit()
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    data = render_docx(TEMPLATES / "plan.docx", worker_context.build(doc))
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "plan-worded-deadlines.docx").write_bytes(data)  # looked at as PDF pages
    return [p.text for p in Docx(io.BytesIO(data)).paragraphs]


def test_a_group_line_prints_its_worded_deadline_as_written(db, people):  # noqa: ANN001
    text = plan_text(db, people)
    group = "Ủy ban nhân dân các huyện, thị xã, thành phố"
    iii = text.index("III. TỔ CHỨC THỰC HIỆN")
    iv = text.index("IV. PHÂN CÔNG CỤ THỂ VỀ TREO BĂNG RÔN")
    at = text.index("3. " + group, iii, iv)
    # the group's tasks, then its deadline as the clerk wrote it: "chậm nhất đến ngày 28/12"
    assert text[at + 1 : at + 3] == [
        "triển khai tuyên truyền trên địa bàn quản lý.",
        "Thời hạn hoàn thành: chậm nhất đến ngày 28/12.",
    ]
    # an agency's line the same ("trước ngày 25/12"), after its last task
    sttt = text.index("1. Sở Thông tin và Truyền thông tỉnh Thử Nghiệm", iii, iv)
    assert text[sttt + 3] == "Thời hạn hoàn thành: trước ngày 25/12."
    # a line's activity window, in section IV
    at_iv = text.index("2. " + group, iv)
    # (the body's last paragraph ends "./.", as the official format closes a document)
    assert text[at_iv + 2] == "Thời gian thực hiện: từ ngày 01/12 đến hết ngày 31/12./."
    assert sum("28/12" in t for t in text) == 1


def test_a_wording_the_tasks_already_say_is_not_printed_twice(db, people):  # noqa: ANN001
    source = PLAN.read_text(encoding="utf-8").replace(
        'tasks: ["triển khai tuyên truyền trên địa bàn quản lý."]',
        'tasks: ["triển khai tuyên truyền, báo cáo **chậm nhất đến ngày 28/12**."]',
        1,
    )
    text = plan_text(db, people, source)
    assert "triển khai tuyên truyền, báo cáo chậm nhất đến ngày 28/12." in text
    assert sum("28/12" in t for t in text) == 1


def test_the_editor_shows_the_worded_deadline_under_the_tasks(db, people, client):  # noqa: ANN001
    plan = load()
    db.session.commit()
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    page = client.get(f"/editor/{plan.id}").get_data(as_text=True)
    assert "Thời hạn hoàn thành: chậm nhất đến ngày 28/12." in page


TRA_VINH = ROOT / "plans" / "tra-vinh-2024.yaml"


@pytest.mark.libreoffice
def test_a_plan_recorded_as_issued_has_its_document(app, db, client, people, queued):  # noqa: ANN001, F811
    clock.set_now(date(2025, 1, 10))
    plan = loader.load(loader.parse_file(TRA_VINH))
    db.session.commit()
    clerk = people(plan.issuer, Role.CLERK)
    specialist = people(plan.issuer, Role.SPECIALIST)
    # a draft document was made before the paper original was issued: it becomes the record
    login(client, specialist)
    assert client.post(f"/plans/{plan.id}/draft-document").status_code == 302
    run_queue(queued)
    login(client, clerk)
    entries = db.session.scalar(select(func.count(RegisterEntry.id)))
    resp = client.post(
        f"/plans/{plan.id}/record-issued", data={"number": "45", "issued_on": "05/11/2024"}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    run_queue(queued)
    db.session.expire_all()
    doc = db.session.scalar(select(Document).where(Document.plan_id == plan.id))
    assert doc.status == DocumentStatus.RELEASED and doc.symbol == "45/KH-BCĐNQ"
    assert doc.issued_on == date(2024, 11, 5) and doc.render_state == "done"
    # one register line, the recorded one, pointing at the document; no number taken
    assert db.session.scalar(select(func.count(RegisterEntry.id))) == entries + 1
    entry = db.session.scalar(select(RegisterEntry).where(RegisterEntry.document_id == doc.id))
    assert (entry.number, entry.year) == (45, 2024)
    assert register.next_number(plan.issuer_id, 2024) == 46
    stages = db.session.scalars(
        select(DocumentVersion.stage)
        .where(DocumentVersion.document_id == doc.id)
        .order_by(DocumentVersion.number)
    ).all()
    assert stages == ["draft", "recorded"]  # never signed nor released in the application
    assert not db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.object_type == "document",
            AuditEvent.object_id == doc.id,
            AuditEvent.action.in_(("sign", "release")),
        )
    )
    # what the clerk downloads: the official format with the recorded number and date, marked
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "45/KH-BCĐNQ" in page and "Ghi lại từ văn bản đã ban hành trên giấy" in page
    docx = client.get(f"/documents/{doc.id}/file/docx")
    assert docx.status_code == 200, docx.status_code
    data = docx.get_data()
    assert data == stored(app, doc.docx_path)
    text = paragraphs(data)
    assert RECORDED_MARK in text  # the first page's header; every page's header has it too
    header = [p.text for p in Docx(io.BytesIO(data)).sections[0].header.paragraphs]
    assert RECORDED_MARK in header
    assert "Số: 45/KH-BCĐNQ" in text
    assert any("ngày 05 tháng 11 năm 2024" in t for t in text)
    assert not any(t.startswith("DỰ THẢO") for t in text)
    assert not any("2025-" in t or "2024-11-05T" in t for t in text)  # no electronic stamp
    assert "Lê Văn Hân" in text  # the signer the plan names, as on the original
    # it is not sent over the exchange as if the system had signed it
    sent = client.post(f"/documents/{doc.id}/edxml", follow_redirects=True)
    assert "ghi lại từ bản gốc đã ban hành trên giấy" in sent.get_data(as_text=True)
    pdf = stored(app, doc.pdf_path)
    assert pdf.startswith(b"%PDF-")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "plan-recorded-as-issued.pdf").write_bytes(pdf)  # looked at as page images
