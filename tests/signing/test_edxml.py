"""edXML packets: build, validate against the project's XSD, parse back; hostile XML refused."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from app.services.edxml import (
    NS,
    SCHEMA_PATH,
    STATUS_LABELS,
    Attachment,
    Organ,
    Packet,
    Reference,
    StatusPacket,
    build_packet,
    build_status,
    parse_packet,
    parse_status,
)
from app.services.exceptions import InvalidInput
from app.services.signing import VIETNAM_TZ

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4

PACKET = Packet(
    document_id="000.00.00.H57,2026/12/01,125/KH-UBND",
    sender=Organ(
        organ_id="000.00.00.H57",
        name="Ủy ban nhân dân tỉnh Thử Nghiệm",
        in_charge="Chủ tịch UBND tỉnh",
        address="Số 1, đường Trần Hưng Đạo",
        email="ubnd@thunghiem.gov.vn",
        telephone="0290 3830 000",
    ),
    recipients=(
        Organ(organ_id="000.01.32.H57", name="Sở Thông tin và Truyền thông"),
        Organ(organ_id="000.00.00.G22", name="Văn phòng Chính phủ", website="vpcp.gov.vn"),
    ),
    code_number="125",
    code_notation="KH-UBND",
    place="Thử Nghiệm",
    promulgation_date=date(2026, 12, 1),
    type_code=1,
    type_detail=12,
    type_name="Kế hoạch",
    subject="Triển khai chuyển đổi số năm 2027 trên địa bàn tỉnh",
    content="Kế hoạch triển khai & theo dõi <chuyển đổi số>",
    signer_competence="TM. Ủy ban nhân dân",
    signer_position="Chủ tịch",
    signer_full_name="Nguyễn Văn An",
    sent_at=datetime(2026, 12, 1, 10, 4, 5, tzinfo=VIETNAM_TZ),
    due_date=date(2027, 1, 15),
    to_places=("Như trên", "Lưu: VT"),
    priority=1,
    page_amount=3,
    response_for=(
        Reference(
            organ_id="000.00.00.G22",
            code="05/KH-VPCP",
            promulgation_date=date(2026, 10, 14),
            document_id="000.00.00.G22,2026/10/14,05/KH-VPCP",
        ),
    ),
    attachments=(
        Attachment(
            name="125-KH-UBND.pdf", content_type="application/pdf", data=PDF, content_id="att1"
        ),
        Attachment(
            name="125-KH-UBND.docx",
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            data=b"PK\x03\x04docx",
            content_id="att2",
        ),
    ),
)


def test_build_validates_and_parses_back_every_field() -> None:
    data = build_packet(PACKET)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    assert schema.validate(etree.fromstring(data)), schema.error_log
    back = parse_packet(data)
    assert back == PACKET  # every header field, every attachment byte
    root = etree.fromstring(data)
    ns = {"e": NS}
    header = "e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/"
    assert root.findtext(header + "e:From/e:OrganId", namespaces=ns) == "000.00.00.H57"
    assert [t.text for t in root.findall(header + "e:To/e:OrganId", ns)] == [
        "000.01.32.H57",
        "000.00.00.G22",
    ]
    assert root.findtext(header + "e:Code/e:CodeNotation", namespaces=ns) == "KH-UBND"
    assert root.findtext(header + "e:PromulgationInfo/e:PromulgationDate", namespaces=ns) == (
        "2026/12/01"
    )
    assert root.findtext(header + "e:DueDate", namespaces=ns) == "2027/01/15"
    stamp = "e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList/e:TraceHeader/e:Timestamp"
    assert root.findtext(stamp, namespaces=ns) == "2026-12-01T10:04:05+07:00"


@settings(max_examples=30, deadline=None)
@given(
    subject=st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co")), min_size=1, max_size=500
    ),
    name=st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co")), min_size=1, max_size=200
    ),
)
def test_any_text_round_trips(subject: str, name: str) -> None:
    from dataclasses import replace

    packet = replace(PACKET, subject=subject, signer_full_name=name, attachments=())
    assert parse_packet(build_packet(packet)) == packet


def _refused(data: bytes) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_packet(data)
    assert "packet" in caught.value.errors
    return str(caught.value)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol3;</edXML>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&xxe;</edXML>"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL], ids=["entities", "external"])
def test_hostile_xml_is_refused(hostile: bytes) -> None:
    assert _refused(hostile) == (
        "Gói edXML không hợp lệ: có khai báo DTD hoặc thực thể (không được phép)."
    )


def test_malformed_and_wrong_shape_are_refused() -> None:
    assert _refused(b"<edXML") == "Gói edXML không hợp lệ: không phải XML đúng cú pháp."
    wrong = build_packet(PACKET).replace(b"000.01.32.H57", b"not-a-code")
    assert _refused(wrong) == "Gói edXML không hợp lệ: sai cấu trúc ở trường OrganId."
    assert "trường" in _refused(b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>')


def test_oversized_packet_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.services.edxml as edxml

    monkeypatch.setattr(edxml, "MAX_PACKET_BYTES", 1000)
    assert _refused(b" " * 1001) == "Gói edXML không hợp lệ: tệp quá lớn."


def test_schema_is_in_the_project() -> None:
    assert SCHEMA_PATH.is_file()
    assert Path(SCHEMA_PATH).parent.name == "services"


@pytest.mark.parametrize(
    ("code", "label"), [("01", "Đã đến"), ("03", "Đã tiếp nhận"), ("06", "Đã hoàn thành")]
)
def test_status_packets_round_trip(code: str, label: str) -> None:
    status = StatusPacket(
        response_organ_id="000.00.00.H57",
        response_code="125/KH-UBND",
        response_date=date(2026, 12, 1),
        document_id=PACKET.document_id,
        sender=PACKET.recipients[0],
        status_code=code,
        timestamp=datetime(2026, 12, 2, 8, 30, tzinfo=VIETNAM_TZ),
        description="Văn thư Sở đã nhận",
    )
    data = build_status(status)
    assert parse_status(data) == status
    assert str(STATUS_LABELS[code]) == label
    # a status packet is not a document packet, and the other way round
    assert _refused(data) == "Gói edXML không hợp lệ: không phải gói văn bản."
    with pytest.raises(InvalidInput, match="không phải gói trạng thái"):
        parse_status(build_packet(PACKET))


def test_unknown_status_code_is_refused() -> None:
    status = StatusPacket(
        response_organ_id="000.00.00.H57",
        response_code="125/KH-UBND",
        response_date=date(2026, 12, 1),
        document_id="x",
        sender=PACKET.recipients[0],
        status_code="01",
        timestamp=datetime(2026, 12, 2, 8, 30, tzinfo=VIETNAM_TZ),
    )
    data = build_status(status).replace(b">01<", b">99<")
    with pytest.raises(InvalidInput, match="StatusCode"):
        parse_status(data)


def test_control_character_is_refused_naming_the_field() -> None:
    from dataclasses import replace

    with pytest.raises(InvalidInput) as caught:
        build_packet(replace(PACKET, subject="Kế hoạch\x00"))
    assert str(caught.value) == "Gói edXML không hợp lệ: ký tự không hợp lệ ở trường Subject."
    with pytest.raises(InvalidInput, match="Subject"):
        build_packet(replace(PACKET, subject="x" * 501))


def test_timestamp_without_zone_or_out_of_range_is_refused() -> None:
    data = build_packet(PACKET)
    naive = data.replace(b"2026-12-01T10:04:05+07:00", b"2026-12-01T10:04:05")
    assert _refused(naive) == (
        "Gói edXML không hợp lệ: thời điểm không có múi giờ: 2026-12-01T10:04:05."
    )
    far = data.replace(b"2026-12-01T10:04:05+07:00", b"12026-12-01T10:04:05+07:00")
    assert _refused(far).startswith("Gói edXML không hợp lệ: thời điểm không hợp lệ")
    bad_day = data.replace(b"2026/12/01", b"2026/13/45")
    assert _refused(bad_day) == "Gói edXML không hợp lệ: ngày không hợp lệ: 2026/13/45."


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=2000), cut=st.integers(0, 5000), junk=st.binary(max_size=20))
def test_any_bytes_are_a_packet_or_a_vietnamese_refusal(data: bytes, cut: int, junk: bytes) -> None:
    """Random bytes, and a real packet cut or spliced anywhere: InvalidInput or a packet."""
    good = build_packet(PACKET)
    for candidate in (data, good[:cut] + junk + good[cut + len(junk) :]):
        try:
            parse_packet(candidate)
        except InvalidInput as refused:
            assert str(refused).startswith("Gói edXML không hợp lệ: ")
        try:
            parse_status(candidate)
        except InvalidInput as refused:
            assert str(refused).startswith("Gói edXML không hợp lệ: ")
