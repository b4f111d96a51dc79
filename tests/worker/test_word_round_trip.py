"""The Word round trip: the drafter downloads the draft, edits it in Word, uploads it as the next
version; the leader signs that version; the released document is that version with the number
filled in. Hostile uploads are refused with a Vietnamese message naming the file field."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

from docx import Document as Docx

from app.models import Role
from app.services import clock, documents, reports, storage
from tests.documents.pages import pdf_pages
from tests.services.test_plan_lifecycle import VN, issue, load_plan, report_and_submit
from tests.web.conftest import login
from tests.worker.test_jobs import fresh, queued, run_queue  # noqa: F401

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ADDED = "Đoạn bổ sung do chuyên viên sửa trong Word & kiểm tra <lại>."


def _edited(docx: bytes) -> bytes:
    """What a clerk does in Word: a paragraph added after the introduction."""
    d = Docx(io.BytesIO(docx))
    body = [p for p in d.paragraphs if p.text.startswith("Thực hiện ")][0]
    new = body.insert_paragraph_before(body.text)
    body.text = ADDED
    del new
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def _with(docx: bytes, name: str, data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    parts = {n: src.read(n) for n in src.namelist()}
    parts[name] = data
    return _zip(parts)


def test_word_edited_draft_is_what_is_signed_and_released(app, db, client, queued, people):  # noqa: ANN001, F811
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    period = plan.periods[0]
    agency = plan.reporting_assignments[0].agency
    clock.set_now(datetime(2024, 12, 20, 10, tzinfo=VN))
    r = report_and_submit(plan, period, agency, people, {"banners": 12, "articles": 2})
    reports.transition(r, "accept", people(plan.standing_agency, Role.SPECIALIST))
    reporter = people(agency, Role.REPORTER)
    doc = documents.create_document(
        "report", agency, "Báo cáo kết quả", reporter, plan=plan, period=period, report=r
    )
    db.session.commit()
    run_queue(queued)
    login(client, reporter)
    resp = client.get(f"/documents/{doc.id}/file/docx")
    assert resp.status_code == 200
    assert "Du-thao-lan-1-BC-" in resp.headers["Content-Disposition"]
    draft = resp.get_data()

    url = f"/documents/{doc.id}/draft"

    def upload(data: bytes, name: str = "du-thao.docx"):  # noqa: ANN202
        return client.post(
            url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
        )

    # hostile or wrong files: refused, named, nothing kept
    numbered = Docx(io.BytesIO(draft))
    for p in numbered.tables[0].rows[1].cells[0].paragraphs:
        if p.text.startswith("Số:"):
            p.runs[0].text = "Số: 05/BC-STTTT"
            for run in p.runs[1:]:
                run.text = ""
    buf = io.BytesIO()
    numbered.save(buf)
    bomb = _with(draft, "word/media/bomb.bin", b"\0" * (30 * 1024 * 1024))
    macro = _with(draft, "word/vbaProject.bin", b"x")
    rels = zipfile.ZipFile(io.BytesIO(draft)).read("word/_rels/document.xml.rels")
    external = _with(
        draft,
        "word/_rels/document.xml.rels",
        rels.replace(
            b"</Relationships>",
            b'<Relationship Id="rX" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/image" Target="http://127.0.0.1:9/x.png" '
            b'TargetMode="External"/></Relationships>',
        ),
    )
    for data, name, message in (
        (b"not a zip", "a.docx", "không phải là tệp Word"),
        (draft, "a.pdf", "Tệp phải là tệp Word (.docx)."),
        (buf.getvalue(), "a.docx", "Số văn bản phải để trống"),
        (bomb, "a.docx", "quá lớn khi giải nén"),
        (macro, "a.docx", "có macro"),
        (external, "a.docx", "tài nguyên bên ngoài"),
    ):
        resp = upload(data, name)
        assert resp.status_code == 400, name
        assert message in resp.get_data(as_text=True), message
    assert fresh(db, doc.id).draft_version == 1

    # the edited draft: version 2, its PDF is that text with the draft mark of version 2
    assert upload(_edited(draft)).status_code == 302
    doc = fresh(db, doc.id)
    assert doc.draft_version == 2 and doc.source_path
    run_queue(queued)
    doc = fresh(db, doc.id)
    assert doc.render_state == "done", doc.render_error
    pages = pdf_pages(storage.read(doc.pdf_path))
    assert all("DỰ THẢO (lần 2)" in p for p in pages)
    assert ADDED in " ".join(" ".join(pages).split())

    # signed and released: that version, the number and date filled in, no draft mark
    documents.transition(doc, "request_signature", reporter)
    documents.transition(doc, "sign", people(agency, Role.SIGNER))
    db.session.commit()
    resp = upload(_edited(draft))
    assert resp.status_code == 400 and "còn là dự thảo" in resp.get_data(as_text=True)
    documents.transition(doc, "release", people(agency, Role.CLERK), issued_on=date(2025, 1, 3))
    db.session.commit()
    run_queue(queued)
    doc = fresh(db, doc.id)
    assert doc.render_state == "done", doc.render_error
    released = Docx(io.BytesIO(storage.read(doc.docx_path)))
    texts = [p.text for p in released.paragraphs]
    assert ADDED in texts
    header = [p.text for c in released.tables[0].rows[1].cells for p in c.paragraphs]
    assert f"Số: {doc.number:02d}/BC-{agency.abbreviation}" in header
    assert "Trà Vinh, ngày 03 tháng 01 năm 2025" in header
    pages = pdf_pages(storage.read(doc.pdf_path))
    assert not any("DỰ THẢO" in p for p in pages)
    assert f"Số: {doc.number:02d}/BC-{agency.abbreviation}" in pages[0]
    # the draft left the name blank (no signer kept yet): the released copy names who signed
    assert people(agency, Role.SIGNER).full_name in " ".join(pages)
    resp = client.get(f"/documents/{doc.id}/file/docx")
    assert f"{doc.number:02d}-BC-" in resp.headers["Content-Disposition"]


def test_a_draft_saved_by_libreoffice_gets_its_number_on_release(tmp_path, monkeypatch):
    """The file a clerk saves from LibreOffice (its own .docx writer: other runs, other
    headers) still gets the number, the date and the stamp, and loses the draft mark."""
    from unoserver.client import UnoClient  # type: ignore[import-untyped]

    from tests.documents import samples
    from worker import convert, edited
    from worker.contexts import draft_mark, report_context
    from worker.render import render_docx

    monkeypatch.setenv("KEHOACH_CONVERT_DIR", str(tmp_path / "convert"))
    draft_ctx = report_context(samples.REPORT, samples.AGENCIES, None, None)
    draft_ctx["draft_mark"] = draft_mark(1)
    try:
        conv = convert.converter()
        assert conv is not None
        saved = UnoClient(port=str(conv.port)).convert(
            indata=render_docx(TEMPLATES / "report.docx", draft_ctx), convert_to="docx"
        )
        released = report_context(samples.REPORT, samples.AGENCIES, 3, date(2025, 1, 2))
        released["e_stamp"] = "Số: 03/BC-STTTT\n2025-01-02T09:00:00+07:00"
        released["signer_name"] = "Người Ký Thật"  # signed by someone else than drafted
        pages = pdf_pages(convert.docx_to_pdf(edited.apply(bytes(saved), released)))
    finally:
        convert.stop()
    assert not any("DỰ THẢO" in p for p in pages)
    assert "Số: 03/BC-STTTT" in pages[0] and "Trà Vinh, ngày 02 tháng 01 năm 2025" in pages[0]
    assert "2025-01-02T09:00:00+07:00" in pages[0]
    text = " ".join(" ".join(pages).split())
    assert "Người Ký Thật" in text and samples.REPORT["signer"]["name"] not in text
