"""Signers as data: the admin keeps an agency's signers; a draft is made for the default one and
shows it; the drafter may choose another (audited); the leader signs with one click; no
placeholder title reaches a signed document."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import Agency, AuditEvent, Role
from app.services import clock, documents, loader, signers
from app.services.exceptions import InvalidInput
from tests.conftest import ROOT


def test_admin_adds_signers_and_drafts_are_made_for_them(client, as_admin, login, make_user, db):  # noqa: ANN001
    plan = loader.load(loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml"))
    db.session.commit()
    # the plan file's signer became a signer of the issuing agency, for plans
    issuer_signers = signers.signers_of(plan.issuer_id, "plan")
    assert [s.name for s in issuer_signers] == ["Lê Văn Hân"]
    agency = db.session.scalar(select(Agency).where(Agency.code == "STTTT-TV"))
    deputy = make_user("pgd.stttt", agency, [Role.SIGNER])
    db.session.commit()
    url = f"/quan-tri/co-quan/{agency.id}/nguoi-ky"
    page = client.get(url).get_data(as_text=True)
    assert "Chưa có người ký" in page and "GIÁM ĐỐC" in page  # the head's title meanwhile
    resp = client.post(
        url, data={"name": "Trần Văn B", "authority": "KT.", "title": "Phó Giám đốc"}
    )
    assert resp.status_code == 400
    assert "Vui lòng nhập “Thay mặt / ký thay cho” khi chọn thẩm quyền." in resp.get_data(
        as_text=True
    )
    resp = client.post(url, data={"name": "Nguyễn Văn A", "title": "Giám đốc", "user_id": "0"})
    assert resp.status_code == 302
    resp = client.post(
        url,
        data={
            "name": "Trần Văn B",
            "authority": "KT.",
            "authority_of": "Giám đốc",
            "title": "Phó Giám đốc",
            "kinds": ["report"],
            "user_id": str(deputy.id),
        },
    )
    assert resp.status_code == 302
    rows = signers.signers_of(agency.id, "report")
    assert [(s.name, s.authority, s.authority_of, s.title) for s in rows] == [
        ("Nguyễn Văn A", "", "", "GIÁM ĐỐC"),
        ("Trần Văn B", "KT.", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
    ]
    assert [s.name for s in signers.signers_of(agency.id, "reminder")] == ["Nguyễn Văn A"]
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.object_type == "agency_signer", AuditEvent.action == "create"
        )
    )

    # a report drafted now is made for the default signer, and its context shows the name
    clock.set_now(date(2024, 12, 1))
    reporter = make_user("dm.stttt", agency, [Role.REPORTER])
    db.session.commit()
    doc = documents.create_document("report", agency, "Báo cáo", reporter, plan=plan, render=False)
    db.session.commit()
    assert doc.signer_id == rows[0].id
    assert signers.intended(doc)["name"] == "Nguyễn Văn A"

    # the reporter chooses the deputy: audited, shown on the page
    login(reporter)
    resp = client.post(f"/documents/{doc.id}/signer", data={"signer_id": str(rows[1].id)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert doc.signer_id == rows[1].id
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "choose_signer", AuditEvent.object_id == doc.id
        )
    )
    assert event.data["to"].startswith("Trần Văn B") and event.data["from"].startswith(
        "Nguyễn Văn A"
    )
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "KT. GIÁM ĐỐC – PHÓ GIÁM ĐỐC: Trần Văn B" in page

    # the deputy signs with one click: the document records exactly that signer
    documents.transition(doc, "request_signature", reporter)
    documents.transition(doc, "sign", deputy)
    db.session.commit()
    assert doc.snapshot["signer"] == {
        "authority": "KT.",
        "authority_of": "GIÁM ĐỐC",
        "title": "PHÓ GIÁM ĐỐC",
        "position_note": "",
        "name": "Trần Văn B",
    }
    # signed: the signer cannot change any more
    with pytest.raises(InvalidInput):
        signers.choose(doc, rows[0].id, reporter)


def test_a_placeholder_or_nameless_signer_is_refused(make_user, db):  # noqa: ANN001
    with pytest.raises(InvalidInput) as e:
        signers.check({"authority": "", "title": "THỦ TRƯỞNG CƠ QUAN", "name": "A"})
    assert "title" in e.value.errors
    with pytest.raises(InvalidInput) as e:
        signers.check({"authority": "", "title": "GIÁM ĐỐC", "name": " "})
    assert "name" in e.value.errors
    assert signers.check({"title": "GIÁM ĐỐC", "name": " Lê  Văn  A "})["name"] == "Lê Văn A"


@pytest.mark.parametrize(
    ("name", "title", "authority"),
    [
        ("Ủy ban nhân dân tỉnh Ninh Thuận", "CHỦ TỊCH", "TM."),
        ("Sở Thông tin và Truyền thông tỉnh Trà Vinh", "GIÁM ĐỐC", ""),
        ("Công an tỉnh Trà Vinh", "GIÁM ĐỐC", ""),
        ("Ban Chỉ đạo về Nhân quyền tỉnh Trà Vinh", "TRƯỞNG BAN", ""),
        ("Văn phòng Ủy ban nhân dân tỉnh Trà Vinh", "CHÁNH VĂN PHÒNG", ""),
        ("Báo Ninh Thuận", "TỔNG BIÊN TẬP", ""),
    ],
)
def test_head_title_by_agency_kind(name, title, authority):  # noqa: ANN001
    head = signers.head_of(Agency(name=name))
    assert (head["title"], head["authority"]) == (title, authority)
