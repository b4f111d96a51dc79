"""A consolidated report of more agencies than a document should carry (``ANNEX_ROWS``; lowered
here so the Trà Vinh plan is "large"): the per-agency figures go to a spreadsheet annex (Phụ
lục, .xlsx) kept with the version, the body keeps the totals, names the annex and prints its
SHA-256, and the PDF is a few pages. Checked as a user would: the .docx read with python-docx,
the annex with openpyxl (every agency's row; the column's sum is the body's total), the PDF's
pages with pdftotext, the file downloaded from the document page. Real RQ, real LibreOffice,
both databases."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date

from openpyxl import load_workbook

from app.models import Agency, Role
from app.services import clock, consolidation, documents, plans, reports, status
from tests.documents.pages import pdf_pages
from tests.documents.test_consolidated_every_field import table_rows
from tests.documents.test_signed_is_reviewed import paragraphs
from tests.files import stored
from tests.services.test_plan_lifecycle import issue, load_plan, report_and_submit
from tests.web.conftest import login
from tests.worker.test_jobs import fresh, queued, run_queue  # noqa: F401
from worker import contexts

BANNERS = [1200, 34, 0, 7, 51, 3, 900, 5]


def large_round(db, people, monkeypatch):  # noqa: ANN001, ANN201
    """The Trà Vinh round closed with BANNERS reported, consolidated as "large" (ANNEX_ROWS
    lowered): (plan, period, specialist, the reporting agencies, every agency's table name)."""
    monkeypatch.setattr(contexts, "ANNEX_ROWS", 5)
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    clock.set_now(date(2024, 12, 20))
    period = plan.periods[0]
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    agencies = [a.agency for a in plan.reporting_assignments[: len(BANNERS)]]
    for agency, banners in zip(agencies, BANNERS, strict=True):
        r = report_and_submit(plan, period, agency, people, {"banners": banners})
        reports.transition(r, "accept", specialist)
    db.session.commit()
    plans.close_round(period, specialist, today=date(2025, 1, 8))
    clock.set_now(date(2025, 1, 8))
    # every agency that owes a report, as the tables name it (short name, else name)
    expected = [
        (a.short_name or a.name)
        for a in (db.session.get(Agency, st.agency_id) for st in status.for_period(period))
        if a is not None
    ]
    assert len(expected) > contexts.ANNEX_ROWS
    return plan, period, specialist, agencies, expected


def test_a_large_consolidation_has_its_table_in_a_spreadsheet_annex(  # noqa: ANN201
    app,  # noqa: ANN001
    db,  # noqa: ANN001
    queued,  # noqa: ANN001, F811
    people,  # noqa: ANN001
    client,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
):
    plan, period, specialist, agencies, expected = large_round(db, people, monkeypatch)
    doc = consolidation.draft_consolidated_report(period, specialist)
    db.session.commit()
    run_queue(queued)
    doc = fresh(db, doc.id)
    body = stored(app, doc.docx_path)
    text = "\n".join(paragraphs(body))
    total = sum(BANNERS)

    # the body: the total, the annex named with its digest, no per-agency table
    shown_total = f"{total:,}".replace(",", ".")  # 2.200: the one number formatting
    assert f"- Số băng rôn, áp phích, biểu ngữ đã treo: {shown_total} cái;" in text
    assert (
        f"Kết quả của từng cơ quan, đơn vị ({len(expected)} cơ quan, đơn vị) tại Mục I Phụ lục "
        "kèm theo Báo cáo này." in text
    )
    assert not any(agencies[1].name in cell for row in table_rows(body) for cell in row)
    annex_key = documents.annex_path(doc.docx_path)
    annex = stored(app, annex_key)
    digest = re.search(r"mã kiểm tra \(SHA-256\) của tệp: ([0-9a-f ]+)\.", text)
    assert digest is not None, text
    assert digest.group(1).replace(" ", "") == hashlib.sha256(annex).hexdigest()

    # the annex: the appendix heading, every agency's row, the totals agree with the body
    wb = load_workbook(io.BytesIO(annex), data_only=True)
    assert wb.sheetnames[0] == "Mục I"
    rows = [list(r) for r in wb["Mục I"].iter_rows(values_only=True)]
    assert rows[0][0] == "Phụ lục"
    assert rows[1][0] == "KẾT QUẢ THỰC HIỆN CỦA CÁC CƠ QUAN, ĐƠN VỊ"
    assert str(rows[2][0]).startswith("(Kèm theo Báo cáo số") and "ngày" in str(rows[2][0])
    head = next(i for i, r in enumerate(rows) if r[0] == "STT")
    column = next(i for i, h in enumerate(rows[head]) if h and "Băng rôn" in str(h))
    data = [r for r in rows[head + 1 :] if isinstance(r[0], int)]
    assert [r[1] for r in data] == expected  # every agency, in the table's order
    assert [r[0] for r in data] == list(range(1, len(expected) + 1))
    shown = {r[1]: r[column] for r in data}
    for agency, banners in zip(agencies, BANNERS, strict=True):
        assert shown[agency.short_name or agency.name] == banners
    assert sum(v for v in shown.values() if v is not None) == total
    totals = next(r for r in rows if r[1] == "Tổng hợp")
    assert totals[column] == total

    # the PDF: the body alone, a few pages, converted by the warm converter in seconds
    pages = pdf_pages(stored(app, doc.pdf_path))
    assert len(pages) <= 4, len(pages)
    assert "Phụ lục là tệp bảng tính" in " ".join(" ".join(p.split()) for p in pages)

    # the document page offers the annex; the download is that file
    login(client, specialist)
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "Tải Phụ lục kèm theo (bảng tính .xlsx)" in page
    got = client.get(f"/documents/{doc.id}/file/annex")
    assert got.status_code == 200 and got.data == annex
    assert "Ph%E1%BB%A5%20l%E1%BB%A5c.xlsx" in got.headers["Content-Disposition"]


def printed_digest(text: str) -> str:
    """The SHA-256 the body prints for its annex (hex, without the spaces)."""
    found = re.search(r"mã kiểm tra \(SHA-?256\) của tệp: ([0-9a-f ]+)\.", " ".join(text.split()))
    assert found is not None, text
    return found.group(1).replace(" ", "")


def test_the_released_annex_is_kept_downloaded_and_sent_with_the_edxml_packet(  # noqa: ANN201
    app,  # noqa: ANN001
    db,  # noqa: ANN001
    queued,  # noqa: ANN001, F811
    people,  # noqa: ANN001
    client,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
):
    """Signed and numbered: the released version keeps its own annex (its "Kèm theo Báo cáo
    số …" line numbered), the released body and PDF print that file's SHA-256, the document
    page downloads those bytes, and the edXML packet carries them as its third attachment."""
    from sqlalchemy import select

    from app.services import edxml
    from app.services.edxml import parse_packet

    plan, period, specialist, _, _ = large_round(db, people, monkeypatch)
    for n, agency in enumerate(db.session.scalars(select(Agency)).all()):
        agency.organ_id = f"000.00.{n + 10:02d}.H57"  # recipients reachable through the hub
    doc = consolidation.draft_consolidated_report(period, specialist)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.standing_agency, Role.SIGNER))
    db.session.commit()
    run_queue(queued)
    signed_version = documents.current_version(fresh(db, doc.id))
    assert signed_version is not None and signed_version.stage == "signed"
    signed_annex = stored(app, documents.annex_path(signed_version.docx_path))
    clerk = people(plan.standing_agency, Role.CLERK)
    documents.transition(fresh(db, doc.id), "release", clerk)
    db.session.commit()
    run_queue(queued)
    doc = fresh(db, doc.id)
    version = documents.current_version(doc)
    assert (
        version is not None and version.stage == "released" and doc.docx_path == version.docx_path
    )
    annex = stored(app, documents.annex_path(version.docx_path))
    digest = hashlib.sha256(annex).hexdigest()
    # the body the leader signed printed the signed annex's digest; the released one, its own
    assert printed_digest("\n".join(paragraphs(stored(app, signed_version.docx_path)))) == (
        hashlib.sha256(signed_annex).hexdigest()
    )
    assert printed_digest("\n".join(paragraphs(stored(app, doc.docx_path)))) == digest
    assert printed_digest(" ".join(pdf_pages(stored(app, doc.pdf_path)))) == digest
    # the released annex is the numbered one: its reference line names the register number
    rows = [list(r) for r in load_workbook(io.BytesIO(annex))["Mục I"].iter_rows(values_only=True)]
    assert doc.symbol and f"(Kèm theo Báo cáo số {doc.symbol}" in str(rows[2][0]), rows[2]
    assert annex != signed_annex  # the number is filled in there too

    # downloaded from the document page: the same bytes
    login(client, clerk)
    got = client.get(f"/documents/{doc.id}/file/annex")
    assert got.status_code == 200 and got.data == annex

    # exported through the hub: PDF, .docx and the annex, whose digest the body prints
    resp = client.post(f"/documents/{doc.id}/edxml")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    packet = parse_packet(resp.get_data())
    pdf, docx, sheet = packet.attachments
    assert sheet.data == annex and sheet.name.endswith("Phụ lục.xlsx")
    assert sheet.content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        printed_digest("\n".join(paragraphs(docx.data))) == hashlib.sha256(sheet.data).hexdigest()
    )
    assert printed_digest(" ".join(pdf_pages(pdf.data))) == hashlib.sha256(sheet.data).hexdigest()
    assert edxml.parse_packet(edxml.build_packet(packet)).attachments[2].data == annex


def test_a_word_edited_draft_keeps_the_annex_sentence_with_the_new_digest(  # noqa: ANN201
    app,  # noqa: ANN001
    db,  # noqa: ANN001
    queued,  # noqa: ANN001, F811
    people,  # noqa: ANN001
    client,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
):
    """The drafter's Word file carries the digest of the annex of the draft downloaded (or one
    typed over): each version made from it prints the digest of the annex made with it; a file
    without the sentence is refused (the annex would go out unbound)."""
    from docx import Document as Docx

    _, period, specialist, _, _ = large_round(db, people, monkeypatch)
    doc = consolidation.draft_consolidated_report(period, specialist)
    db.session.commit()
    run_queue(queued)
    login(client, specialist)
    draft = client.get(f"/documents/{doc.id}/file/docx").get_data()
    assert contexts.annex_sentence(None).startswith(documents.ANNEX_SENTENCE_START)

    def edited(change) -> bytes:  # noqa: ANN001
        d = Docx(io.BytesIO(draft))
        [p] = [p for p in d.paragraphs if p.text.startswith(documents.ANNEX_SENTENCE_START)]
        change(p)
        out = io.BytesIO()
        d.save(out)
        return out.getvalue()

    def upload(data: bytes):  # noqa: ANN202
        return client.post(
            f"/documents/{doc.id}/draft",
            data={"file": (io.BytesIO(data), "du-thao.docx")},
            content_type="multipart/form-data",
        )

    def drop(p) -> None:  # noqa: ANN001
        p._p.getparent().remove(p._p)

    resp = upload(edited(drop))
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "Bản sửa phải giữ câu “Phụ lục là tệp bảng tính (.xlsx) gửi kèm…”" in page
    assert fresh(db, doc.id).source_path is None  # nothing kept

    def forge(p) -> None:  # noqa: ANN001
        for r in p.runs[1:]:
            r._r.getparent().remove(r._r)
        p.runs[0].text = contexts.annex_sentence("0" * 64)

    assert upload(edited(forge)).status_code == 302
    run_queue(queued)
    doc = fresh(db, doc.id)
    assert doc.source_path is not None
    annex = stored(app, documents.annex_path(doc.docx_path))
    text = "\n".join(paragraphs(stored(app, doc.docx_path)))
    assert printed_digest(text) == hashlib.sha256(annex).hexdigest() != "0" * 64
    assert printed_digest(" ".join(pdf_pages(stored(app, doc.pdf_path)))) == (
        hashlib.sha256(annex).hexdigest()
    )
