"""Extensions (request, grant, refuse), reopening a locked period, the công văn đôn đốc, signing
with the signer's title — through the pages."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from app.models import Document, Extension, Reopen, Role
from app.services import deadlines, documents
from tests.documents.helpers import render_now, sign_form_data
from tests.web.conftest import login


def text(resp) -> str:  # noqa: ANN001
    return resp.get_data(as_text=True)


def test_extension_request_grant_moves_the_due_date(client, round_, people, db):  # noqa: ANN001
    plan, period = round_["plan"], round_["period"]
    agency = plan.reporting_assignments[5].agency
    reporter = people(agency, Role.REPORTER)
    login(client, reporter)
    assert f"/periods/{period.id}/extension" in text(client.get("/inbox"))
    url = f"/periods/{period.id}/extension"
    page = text(client.get(url))
    assert "Xin gia hạn: " in page and "01/01/2025" in page
    # validation errors name the field, in Vietnamese
    resp = client.post(url, data={"requested_due": "", "reason": ""})
    assert resp.status_code == 400
    page = text(resp)
    assert "Vui lòng nhập “Hạn mới đề nghị”." in page
    assert "Vui lòng nhập “Lý do xin gia hạn”." in page and 'aria-invalid="true"' in page
    resp = client.post(url, data={"requested_due": "31/02/2025", "reason": "x"})
    assert "“Hạn mới đề nghị” không phải là ngày hợp lệ" in text(resp)
    resp = client.post(url, data={"requested_due": "2024-12-30", "reason": "Thiếu số liệu"})
    assert resp.status_code == 400 and "phải sau hạn hiện tại (01/01/2025)" in text(resp)
    resp = client.post(url, data={"requested_due": "2025-01-20", "reason": "Chờ số liệu quý IV"})
    assert resp.status_code == 302
    assert "đang chờ cơ quan thường trực quyết định" in text(client.get(url))

    specialist = round_["specialist"]
    login(client, specialist)
    assert "1 đề nghị gia hạn đang chờ quyết định" in text(client.get("/"))
    page = text(client.get("/extensions"))
    assert (
        agency.display_name in page and "Chờ số liệu quý IV" in page and "20/01/2025" in page
    )  # typed dd/mm/yyyy everywhere
    ext = db.session.scalar(select(Extension))
    resp = client.post(
        f"/extensions/{ext.id}/decide",
        data={"decision": "grant", f"g{ext.id}-granted_due": "2025-01-15"},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert ext.status == "granted"
    assert deadlines.effective_due(period, agency.id) == date(2025, 1, 15)
    # the new date is shown where the due date is shown
    page = text(client.get(f"/plans/{plan.id}"))
    assert re.search(
        re.escape(agency.display_name)
        + r'</td>\s*<td>15/01/2025 <span class="badge s-open">đã gia hạn',
        page,
    )
    login(client, reporter)
    page = text(client.get("/inbox"))
    assert "15/01/2025" in page and "đã gia hạn" in page
    page = text(client.get("/"))
    assert "15/01/2025" in page and "Còn 7 ngày" in page
    assert "Đề nghị gia hạn báo cáo" in text(client.get("/notifications"))


def test_refusing_needs_a_reason(client, round_, people, db):  # noqa: ANN001
    period = round_["period"]
    agency = round_["plan"].reporting_assignments[6].agency
    login(client, people(agency, Role.AGENCY_LEADER))
    client.post(
        f"/periods/{period.id}/extension",
        data={"requested_due": "2025-01-25", "reason": "Lãnh đạo đi công tác"},
    )
    ext = db.session.scalar(select(Extension))
    login(client, round_["specialist"])
    resp = client.post(f"/extensions/{ext.id}/decide", data={"decision": "refuse"})
    assert resp.status_code == 400 and "Vui lòng nhập “Lý do không gia hạn”." in text(resp)
    db.session.expire_all()
    assert ext.status == "pending"
    resp = client.post(
        f"/extensions/{ext.id}/decide",
        data={"decision": "refuse", f"r{ext.id}-comment": "Đã quá hạn lâu"},
        follow_redirects=True,
    )
    assert "Đã từ chối đề nghị gia hạn" in text(resp)
    db.session.expire_all()
    assert ext.status == "refused"
    assert deadlines.effective_due(period, agency.id) == date(2025, 1, 1)
    # only the standing agency's specialist decides; others get nothing to decide
    login(client, people(agency, Role.REPORTER))
    assert client.get("/extensions").status_code == 403


def test_reopen_a_locked_period(client, round_, people, db):  # noqa: ANN001
    plan, period = round_["plan"], round_["period"]
    period.lock_after_days = 3
    db.session.commit()
    agency = plan.reporting_assignments[7].agency
    login(client, round_["specialist"])
    page = text(client.get(f"/plans/{plan.id}"))
    assert "Mở lại cho cơ quan" in page
    # offered only to the agencies that have not submitted: 22 - 3
    assert page.count('<details class="reopen">') == len(plan.reporting_assignments) - 3
    assert deadlines.is_period_locked(period, agency.id, date(2025, 1, 8))
    resp = client.post(
        f"/periods/{period.id}/agencies/{agency.id}/reopen",
        data={"until": "2025-01-12"},
        follow_redirects=True,
    )
    assert "Đã mở lại" in text(resp) and "12/01/2025" in text(resp)
    db.session.expire_all()
    assert db.session.scalar(select(Reopen)).until == date(2025, 1, 12)
    assert not deadlines.is_period_locked(period, agency.id, date(2025, 1, 8))
    # an agency's user cannot reopen
    login(client, people(agency, Role.REPORTER))
    other = plan.reporting_assignments[8].agency
    assert client.post(f"/periods/{period.id}/agencies/{other.id}/reopen").status_code == 403


def test_draft_dispatch_creates_a_reminder_document(client, round_, people, db):  # noqa: ANN001
    plan, period = round_["plan"], round_["period"]
    login(client, round_["specialist"])
    assert "Soạn công văn đôn đốc" in text(client.get(f"/plans/{plan.id}"))
    resp = client.post(f"/periods/{period.id}/dispatch")
    assert resp.status_code == 302
    doc = db.session.scalar(select(Document).where(Document.kind == "reminder"))
    assert resp.headers["Location"].endswith(f"/documents/{doc.id}")
    assert len(doc.snapshot["reminder"]["overdue"]) == len(plan.reporting_assignments) - 3
    assert "V/v đôn đốc" in text(client.get(f"/documents/{doc.id}"))
    login(client, people(plan.reporting_assignments[9].agency, Role.REPORTER))
    assert client.post(f"/periods/{period.id}/dispatch").status_code == 403


def test_sign_with_a_kt_title(client, round_, people, db):  # noqa: ANN001
    plan, period = round_["plan"], round_["period"]
    specialist = round_["specialist"]
    login(client, specialist)
    client.post(f"/periods/{period.id}/dispatch")
    doc = db.session.scalar(select(Document).where(Document.kind == "reminder"))
    documents.transition(doc, "request_signature", specialist)
    db.session.commit()
    render_now(doc.id)
    signer = people(plan.standing_agency, Role.SIGNER)
    login(client, signer)
    page = text(client.get(f"/documents/{doc.id}"))
    sha = sign_form_data(page)["content_sha256"]
    assert "Người ký và thẩm quyền ký" in page and f'value="{signer.full_name}"' in page
    assert "GIÁM ĐỐC" in page and "THỦ TRƯỞNG CƠ QUAN" not in page
    # KT. without whom it is signed for: refused with the field named
    resp = client.post(
        f"/documents/{doc.id}/action",
        data={
            "trigger": "sign",
            "content_sha256": sha,
            "authority": "KT.",
            "authority_of": "",
            "title": "PHÓ GIÁM ĐỐC",
            "name": "Trần Văn B",
        },
    )
    assert resp.status_code == 400
    assert "Vui lòng nhập “Thay mặt / ký thay cho” khi ký KT." in text(resp)
    db.session.expire_all()
    assert doc.status == "awaiting_signature"
    resp = client.post(
        f"/documents/{doc.id}/action",
        data={
            "trigger": "sign",
            "content_sha256": sha,
            "authority": "KT.",
            "authority_of": "GIÁM ĐỐC",
            "title": "PHÓ GIÁM ĐỐC",
            "name": "Trần Văn B",
        },
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert doc.status == "signed"
    assert doc.snapshot["signer"] == {
        "authority": "KT.",
        "authority_of": "GIÁM ĐỐC",
        "title": "PHÓ GIÁM ĐỐC",
        "name": "Trần Văn B",
    }
    assert doc.snapshot["signer_name"] == "Trần Văn B"


def test_plan_document_sign_form_prefilled_from_definition(client, plan, people, db):  # noqa: ANN001, F811
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    db.session.commit()
    render_now(doc.id)
    login(client, people(plan.issuer, Role.SIGNER))
    page = text(client.get(f"/documents/{doc.id}"))
    assert 'value="Lê Văn Hân"' in page and 'value="TRƯỞNG BAN"' in page
    client.post(
        f"/documents/{doc.id}/action",
        data={
            **sign_form_data(page),
            "authority": "",
            "authority_of": "bỏ qua",
            "title": "TRƯỞNG BAN",
            "name": "Lê Văn Hân",
        },
    )
    db.session.expire_all()
    signer = doc.snapshot["signer"]
    assert signer["authority"] == "" and signer["authority_of"] == ""
    assert signer["position_note"] == "CHỦ TỊCH UBND TỈNH,"  # as the original writes it
