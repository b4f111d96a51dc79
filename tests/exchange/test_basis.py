"""A parent agency's edXML plan packet imported as the căn cứ of a draft child plan (issue 15
point 3), through the plan page; refusals change nothing."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import select

from app.models import AuditEvent, Plan, Role
from app.services import clock, edxml, exchange
from app.services.edxml import Attachment, Organ, Packet, build_packet
from tests.conftest import add_agency
from tests.exchange.test_exchange import BILLION_LAUGHS
from tests.web.conftest import login
from tests.web.test_pages import text

PARENT = Packet(
    document_id="000.00.00.G22,2024/10/14,12/KH-BCĐNQ",
    sender=Organ(organ_id="000.00.00.G22", name="Ban Chỉ đạo Nhân quyền Chính phủ"),
    recipients=(Organ(organ_id="000.00.30.H57", name="Ban Chỉ đạo về Nhân quyền tỉnh Trà Vinh"),),
    code_number="12",
    code_notation="KH-BCĐNQ",
    place="Hà Nội",
    promulgation_date=date(2024, 10, 14),
    type_code=1,
    type_detail=10,
    type_name="Kế hoạch",
    subject="Triển khai đợt cao điểm tuyên truyền thành tựu bảo đảm quyền con người",
    signer_competence="",
    signer_position="TRƯỞNG BAN",
    signer_full_name="Nguyễn Văn A",
    sent_at=datetime(2024, 10, 14, 16, 0, tzinfo=clock.VN),
    attachments=(
        Attachment(name="12-KH-BCĐNQ.pdf", content_type="application/pdf", data=b"%PDF-1.7 x"),
    ),
)


def post(client, plan, data: bytes):  # noqa: ANN001, ANN201
    return client.post(
        f"/plans/{plan.id}/can-cu-edxml",
        data={"file": (io.BytesIO(data), "ke-hoach.edxml")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_parent_plan_packet_becomes_the_last_legal_basis(client, plan, people, db, monkeypatch):  # noqa: ANN001
    clock.set_now(date(2024, 10, 20))
    add_agency("BCDNQ-CP", name="Ban Chỉ đạo Nhân quyền Chính phủ", organ_id="000.00.00.G22")
    db.session.commit()
    before = list(plan.definition.get("legal_basis") or [])
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    login(client, specialist)
    page = text(client.get(f"/plans/{plan.id}"))
    assert "Thêm căn cứ từ gói edXML" in page and f"/plans/{plan.id}/can-cu-edxml" in page

    page = text(post(client, plan, build_packet(PARENT)))
    line = (
        "Thực hiện Kế hoạch số 12/KH-BCĐNQ ngày 14 tháng 10 năm 2024 của Ban Chỉ đạo Nhân quyền "
        "Chính phủ về triển khai đợt cao điểm tuyên truyền thành tựu bảo đảm quyền con người"
    )
    assert f"Đã thêm căn cứ: {line}" in page, re.findall(r"flash[^>]*>[^<]*", page)
    assert f"<li>{line},</li>" in page or f"<li>{line};</li>" in page
    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    if before:
        # the plan's căn cứ ran on into its preamble ("…,"): the new one does now
        assert before[-1].endswith(",")
        assert plan.definition["legal_basis"] == [*before[:-1], before[-1][:-1] + ";", line + ","]
    else:
        # the opening is one paragraph beginning with its own căn cứ ("Thực hiện …"): the new
        # one is listed before it
        assert plan.definition["preamble"].startswith("Thực hiện")
        assert plan.definition["legal_basis"] == [line + ";"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import_basis_edxml"))
    assert event is not None and event.data["files"][0]["name"] == "12-KH-BCĐNQ.pdf"

    # refusals: nothing changes
    version = plan.version
    stranger = replace(PARENT, sender=Organ(organ_id="000.00.00.G99", name="Cơ quan lạ"))
    for data, message in (
        (build_packet(PARENT), "Kế hoạch đã có căn cứ văn bản số 12/KH-BCĐNQ."),
        (build_packet(stranger), "Cơ quan gửi (000.00.00.G99 – Cơ quan lạ) chưa có trong hệ thống"),
        (
            BILLION_LAUGHS,
            "Gói edXML không hợp lệ: có khai báo DTD hoặc thực thể (không được phép).",
        ),
        (b"\xff\xfe not xml", "Gói edXML không hợp lệ: không phải XML đúng cú pháp."),
    ):
        assert message in text(post(client, plan, data))
        db.session.expire_all()
        assert db.session.get(Plan, plan.id).version == version

    # a huge packet is refused before it is parsed; bad base64 and a status packet too
    monkeypatch.setattr(exchange, "MAX_BASIS_BYTES", 2048)
    big = build_packet(
        replace(
            PARENT,
            code_number="13",
            attachments=(replace(PARENT.attachments[0], data=b"x" * 4096),),
        )
    )
    assert "Gói edXML không hợp lệ: tệp quá lớn (tối đa 2 KB)." in text(post(client, plan, big))
    monkeypatch.undo()
    bad64 = re.sub(
        rb"<ContentTransferEncoded>[^<]*<",
        b"<ContentTransferEncoded>@@not base64@@<",
        build_packet(replace(PARENT, code_number="13")),
    )
    assert "Gói edXML không hợp lệ: sai cấu trúc ở trường ContentTransferEncoded." in text(
        post(client, plan, bad64)
    )
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).version == version

    # a reporter of an assigned agency may not, and sees no form
    reporter = people(plan.assignments[2].agency, Role.REPORTER)
    login(client, reporter)
    assert f"/plans/{plan.id}/can-cu-edxml" not in text(client.get(f"/plans/{plan.id}"))
    resp = post(client, plan, build_packet(replace(PARENT, code_number="06")))
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).version == version
    assert resp.status_code in (200, 403, 404)
    assert edxml.STEERING_ORDINARY == 1
