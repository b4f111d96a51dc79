"""edXML exchange (issue 15 point 3): a released plan exported as an edXML packet through the
document page, read back against the project's XSD with every header field checked; status
packets 01, 03 and 06 imported and shown per recipient; hostile packets refused with nothing
changed; the exchange folder read by the CLI. Real databases, real LibreOffice (the released
files are made by the real render job)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from lxml import etree
from sqlalchemy import func, select

from app.models import AuditEvent, Document, ExchangeRecipient, ExchangeStatus, Role
from app.services import clock, documents, edxml, exchange
from app.services.edxml import Organ, StatusPacket, build_status, parse_packet
from tests.documents.helpers import render_now
from tests.files import stored
from tests.querycount import page_queries
from tests.web.conftest import login
from tests.web.test_pages import issue_via_pages, text

TZ = clock.VN
ISSUER_CODE = "000.00.30.H57"
STANDING_CODE = "000.00.10.H57"


def give_codes(db, plan):  # noqa: ANN001, ANN201
    """Codes for the issuer, the standing agency and every assigned agency but the last
    (which stays without one: the page names it)."""
    plan.issuer.organ_id = ISSUER_CODE
    plan.standing_agency.organ_id = STANDING_CODE
    coded, uncoded = [], None
    agencies = [a.agency for a in plan.assignments if a.agency_id != plan.standing_agency_id]
    for n, agency in enumerate(agencies):
        if agency.id in (plan.issuer_id,):
            continue
        if n == len(agencies) - 1:
            uncoded = agency
            continue
        agency.organ_id = f"000.00.{n + 40:02d}.H57"
        coded.append(agency)
    db.session.commit()
    return coded, uncoded


@pytest.fixture
def released(client, plan, people, db):  # noqa: ANN001, ANN201
    clock.set_now(date(2024, 11, 5))
    coded, uncoded = give_codes(db, plan)
    doc = issue_via_pages(client, plan, people, db)
    render_now(doc.id)  # the released version's .docx and PDF, by the real job
    doc = db.session.get(Document, doc.id)
    assert doc.status == "released" and doc.render_state == "done"
    clock.set_now(datetime(2024, 11, 5, 15, 30, tzinfo=TZ))
    return doc, coded, uncoded


def export(client, doc):  # noqa: ANN001, ANN201
    resp = client.post(f"/documents/{doc.id}/edxml")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert ".edxml" in resp.headers["Content-Disposition"]
    return resp.get_data()


def test_export_released_plan_every_header_field(app, client, plan, people, db, released):  # noqa: ANN001
    doc, coded, uncoded = released
    clerk = people(plan.issuer, Role.CLERK)
    login(client, clerk)
    page = text(client.get(f"/documents/{doc.id}"))
    assert "Gửi, nhận qua trục liên thông (edXML)" in page
    assert "Tải gói edXML để gửi" in page
    assert "Chưa có mã định danh, không gửi được qua trục:" in page and uncoded.name in page

    data = export(client, doc)
    schema = etree.XMLSchema(etree.parse(str(edxml.SCHEMA_PATH)))
    assert schema.validate(etree.fromstring(data)), schema.error_log
    packet = parse_packet(data)

    db.session.expire_all()
    doc = db.session.get(Document, doc.id)
    signer = doc.snapshot["signer"]
    assert packet.document_id == f"{ISSUER_CODE},2024/11/05,01/KH-BCĐNQ"
    assert packet.sender.organ_id == ISSUER_CODE
    assert packet.sender.name == plan.issuer.name
    expected_to = {STANDING_CODE} | {a.organ_id for a in coded}
    assert {r.organ_id for r in packet.recipients} == expected_to
    assert uncoded.name not in {r.name for r in packet.recipients}
    assert (packet.code_number, packet.code_notation) == ("01", "KH-BCĐNQ")
    assert (packet.place, packet.promulgation_date) == ("Trà Vinh", date(2024, 11, 5))
    assert (packet.type_code, packet.type_detail, packet.type_name) == (1, 10, "Kế hoạch")
    assert packet.subject == plan.title
    assert packet.signer_full_name == signer["name"]
    assert packet.signer_position == signer["title"]
    competence = f"{signer.get('authority') or ''} {signer.get('authority_of') or ''}".strip()
    assert packet.signer_competence == competence
    assert packet.due_date == min(p.due_on for p in plan.periods)
    printed = [r.rstrip(";") for r in plan.definition["recipients"]]
    assert list(packet.to_places) == printed  # Nơi nhận as printed, without "Lưu"
    assert packet.priority == edxml.PRIORITY_NORMAL
    assert packet.steering_type == edxml.STEERING_ORDINARY
    assert packet.business_doc_type == edxml.BUSINESS_NEW
    assert packet.sent_at == datetime(2024, 11, 5, 15, 30, tzinfo=TZ)
    assert packet.sent_at.utcoffset().total_seconds() == 7 * 3600
    pdf, docx = packet.attachments
    assert pdf.content_type == "application/pdf" and pdf.name == "01-KH-BCĐNQ.pdf"
    assert pdf.data == stored(app, doc.pdf_path) and pdf.data.startswith(b"%PDF-")
    assert docx.name == "01-KH-BCĐNQ.docx" and docx.data == stored(app, doc.docx_path)
    assert packet.page_amount is not None and packet.page_amount >= 2

    assert packet.response_for == ()  # a plan answers no document of kehoach
    # a report on the plan answers the plan's released document (ResponseFor)
    report = documents.create_document(
        "report", coded[0], "Báo cáo kết quả", None, plan=plan, render=False
    )
    (ref,) = exchange.response_for(report)
    assert (ref.organ_id, ref.code, ref.promulgation_date, ref.document_id) == (
        ISSUER_CODE,
        "01/KH-BCĐNQ",
        date(2024, 11, 5),
        packet.document_id,
    )
    db.session.rollback()

    rows = db.session.scalars(select(ExchangeRecipient)).all()
    assert {r.organ_id for r in rows} == expected_to
    assert all(r.packet_id == packet.document_id for r in rows)
    page = text(client.get(f"/documents/{doc.id}"))
    assert "Tình hình xử lý tại nơi nhận" in page and "Chưa có phản hồi" in page


def status_bytes(doc, organ: Organ, code: str, at: datetime, **kw) -> bytes:  # noqa: ANN001
    return build_status(
        StatusPacket(
            response_organ_id=kw.get("issuer", ISSUER_CODE),
            response_code=doc.symbol,
            response_date=doc.issued_on,
            document_id=kw.get("document_id", f"{ISSUER_CODE},2024/11/05,{doc.symbol}"),
            sender=organ,
            status_code=code,
            timestamp=at,
            description=kw.get("description", ""),
        )
    )


def upload(client, doc, data: bytes, name: str = "trang-thai.xml"):  # noqa: ANN001, ANN201
    return client.post(
        f"/documents/{doc.id}/edxml/status",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def counts(db) -> tuple[int, int, int]:  # noqa: ANN001
    return (
        db.session.scalar(select(func.count()).select_from(ExchangeStatus)),
        db.session.scalar(select(func.count()).select_from(ExchangeRecipient)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def test_status_packets_01_03_06_shown_per_recipient(client, plan, people, db, released):  # noqa: ANN001
    doc, coded, _ = released
    login(client, people(plan.issuer, Role.CLERK))
    export(client, doc)
    standing = Organ(organ_id=STANDING_CODE, name=plan.standing_agency.name)
    for code, hour in (("01", 16), ("03", 17)):
        at = datetime(2024, 11, 5, hour, 5, tzinfo=TZ)
        resp = upload(client, doc, status_bytes(doc, standing, code, at))
        assert resp.status_code == 200
    page = text(
        upload(
            client, doc, status_bytes(doc, standing, "03", datetime(2024, 11, 5, 17, 5, tzinfo=TZ))
        )
    )
    assert "Gói trạng thái này đã được nhập trước đó." in page  # the same packet twice: kept once
    other = Organ(organ_id=coded[0].organ_id, name=coded[0].name)
    done_at = datetime(2024, 11, 8, 10, 0, tzinfo=TZ)
    page = text(upload(client, doc, status_bytes(doc, other, "06", done_at)))
    assert f"Đã ghi nhận: {coded[0].name} — Đã hoàn thành." in page

    tree = etree.HTML(page)
    rows = {
        r.get("data-organ"): r
        for r in tree.iterfind(".//table[@class='list compact exchange-status']/tbody/tr")
    }
    standing_row = rows[STANDING_CODE]

    def cell(row, cls: str) -> str:  # noqa: ANN001
        found = row.find(f".//*[@class='{cls}']")
        return "".join(found.itertext()).strip() if found is not None else ""

    assert cell(standing_row, "current") == "Đã tiếp nhận"
    assert cell(standing_row, "stage-sent") == "Đã gửi: 05/11/2024 15:30"
    assert cell(standing_row, "stage-arrived") == "Đã đến: 05/11/2024 16:05"
    assert cell(standing_row, "stage-accepted") == "Đã tiếp nhận: 05/11/2024 17:05"
    assert cell(standing_row, "stage-done") == ""
    other_row = rows[coded[0].organ_id]
    assert cell(other_row, "current") == "Đã hoàn thành"
    assert cell(other_row, "stage-done") == "Đã hoàn thành: 08/11/2024 10:00"
    assert cell(rows[coded[1].organ_id], "current") == "Chưa có phản hồi"
    assert db.session.scalar(select(func.count()).select_from(ExchangeStatus)) == 3

    # the page's queries do not grow with the statuses received
    few = page_queries(client, f"/documents/{doc.id}").count
    for n, agency in enumerate(coded[1:], start=1):
        organ = Organ(organ_id=agency.organ_id, name=agency.name)
        for code in ("01", "03", "05"):
            at = datetime(2024, 11, 6, 8 + n % 10, n % 60, tzinfo=TZ)
            exchange.import_status(status_bytes(doc, organ, code, at), None)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ExchangeStatus)) == 3 * len(coded)
    assert page_queries(client, f"/documents/{doc.id}").count == few


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol2;</edXML>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&xxe;</edXML>"""
WRONG_ROOT = b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>'


def test_hostile_and_wrong_status_packets_refused_nothing_changed(
    client, plan, people, db, released
):  # noqa: ANN001
    doc, coded, uncoded = released
    login(client, people(plan.issuer, Role.CLERK))
    export(client, doc)
    before = counts(db)
    standing = Organ(organ_id=STANDING_CODE, name=plan.standing_agency.name)
    at = datetime(2024, 11, 6, 8, 0, tzinfo=TZ)
    cases = [
        (
            BILLION_LAUGHS,
            "Gói edXML không hợp lệ: có khai báo DTD hoặc thực thể (không được phép).",
        ),
        (EXTERNAL, "Gói edXML không hợp lệ: có khai báo DTD hoặc thực thể (không được phép)."),
        (WRONG_ROOT, "Gói edXML không hợp lệ: sai cấu trúc ở trường html."),
        (b"<edXML", "Gói edXML không hợp lệ: không phải XML đúng cú pháp."),
        (b"x" * (1024 * 1024 + 1), "Gói edXML không hợp lệ: tệp quá lớn (tối đa 1024 KB)."),
        (
            status_bytes(
                doc,
                standing,
                "01",
                at,
                document_id="000.00.00.G22,2024/11/05,9/KH-X",
                issuer="000.00.00.G22",
            ),
            "Gói trạng thái không khớp văn bản nào đã gửi qua trục",
        ),
        (
            status_bytes(doc, Organ(organ_id="000.00.99.H99", name="Cơ quan lạ"), "01", at),
            "Đơn vị gửi trạng thái (000.00.99.H99 – Cơ quan lạ) không có trong nơi nhận",
        ),
    ]
    for data, message in cases:
        resp = upload(client, doc, data)
        assert resp.status_code == 400
        assert message in text(resp), (message, text(resp)[-2000:])
        assert counts(db) == before
    # a document packet is not a status packet
    resp = upload(client, doc, export(client, doc))
    assert "không phải gói trạng thái" in text(resp)
    # only the issuing agency's clerk may import
    login(client, people(plan.standing_agency, Role.CLERK))
    resp = upload(client, doc, status_bytes(doc, standing, "01", at))
    assert resp.status_code in (400, 403)
    assert db.session.scalar(select(func.count()).select_from(ExchangeStatus)) == 0


def test_folder_import_moves_processed_and_refused_files(
    app, client, plan, people, db, released, tmp_path
):  # noqa: ANN001
    doc, coded, _ = released
    login(client, people(plan.issuer, Role.CLERK))
    export(client, doc)
    standing = Organ(organ_id=STANDING_CODE, name=plan.standing_agency.name)
    (tmp_path / "a-01.xml").write_bytes(
        status_bytes(doc, standing, "01", datetime(2024, 11, 5, 16, 0, tzinfo=TZ))
    )
    (tmp_path / "b-06.edxml").write_bytes(
        status_bytes(doc, standing, "06", datetime(2024, 11, 9, 9, 0, tzinfo=TZ))
    )
    (tmp_path / "c-bad.xml").write_bytes(BILLION_LAUGHS)
    (tmp_path / "ghi-chu.txt").write_text("không phải gói")
    result = app.test_cli_runner().invoke(args=["edxml", "import-folder", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Đã nhập 2 gói (trạng thái hoặc văn bản), 0 gói đã có, từ chối 1 gói." in result.output
    assert sorted(p.name for p in (tmp_path / "processed").iterdir()) == ["a-01.xml", "b-06.edxml"]
    assert sorted(p.name for p in (tmp_path / "refused").iterdir()) == [
        "c-bad.xml",
        "c-bad.xml.loi.txt",
    ]
    assert "DTD" in (tmp_path / "refused" / "c-bad.xml.loi.txt").read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ghi-chu.txt", "processed", "refused"]
    db.session.expire_all()
    page = text(client.get(f"/documents/{doc.id}"))
    assert "Đã hoàn thành" in page and "09/11/2024 09:00" in page


def test_export_refused_before_release_and_for_others(client, plan, people, db):  # noqa: ANN001
    give_codes(db, plan)
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document(
        "plan", plan.issuer, plan.title, specialist, plan=plan, render=False
    )
    db.session.commit()
    login(client, people(plan.issuer, Role.CLERK))
    page = text(client.get(f"/documents/{doc.id}"))
    assert "Gửi, nhận qua trục liên thông (edXML)" not in page  # a draft: no exchange section
    page = text(client.post(f"/documents/{doc.id}/edxml", follow_redirects=True))
    assert "Chỉ gửi được văn bản đã phát hành." in page
    login(client, specialist)
    page = text(client.post(f"/documents/{doc.id}/edxml", follow_redirects=True))
    assert "Chỉ văn thư của cơ quan ban hành được gửi văn bản qua trục liên thông (edXML)." in page
    assert db.session.scalar(select(func.count()).select_from(ExchangeRecipient)) == 0
