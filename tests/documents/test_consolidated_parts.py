"""Issue 12 point 5: the consolidated report is the standing agency's document. Its addressee
(Kính gửi), recipients (Nơi nhận, with a note line) and its own assessment sections are edited
on the consolidation page before signing, prefilled from the plan, and printed in the .docx
(real RQ, real LibreOffice, both databases). Editing after the report went for signature sends
it back to draft; after signing it is refused; another agency's specialist is refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Document, DocumentKind, Role
from app.services import clock, documents, plans, report_parts, reports
from app.services.exceptions import InvalidInput, NotAllowed
from tests.browser import SHOTS, chromium, sign_in
from tests.documents.test_signed_is_reviewed import paragraphs
from tests.files import stored
from tests.services.test_plan_lifecycle import issue, load_plan, report_and_submit
from tests.web.conftest import login
from tests.worker.test_jobs import fresh, queued, run_queue  # noqa: F401

PARTS = {
    "addressees": "Ủy ban nhân dân tỉnh Trà Vinh\nBan Chỉ đạo về Nhân quyền tỉnh",
    "recipients": "Thường trực Tỉnh ủy (b/c)\nCác sở, ban, ngành tỉnh\n(để thực hiện)",
    "assessment": "Các cơ quan, đơn vị đã triển khai kịp thời, đúng nội dung Kế hoạch.\n"
    "Một số đơn vị báo cáo chậm, số liệu chưa đầy đủ.",
    "next_steps": "Tiếp tục tuyên truyền trên các phương tiện thông tin đại chúng.",
    "proposals": "Đề nghị Ủy ban nhân dân tỉnh bố trí kinh phí in ấn tài liệu.",
}


def _closed_round(db, people):  # noqa: ANN001, ANN202
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    clock.set_now(date(2024, 12, 20))
    period = plan.periods[0]
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    for a in plan.reporting_assignments[:2]:
        r = report_and_submit(plan, period, a.agency, people, {"banners": 10})
        reports.transition(r, "accept", specialist)
    db.session.commit()
    plans.close_round(period, specialist, today=date(2025, 1, 8))
    clock.set_now(date(2025, 1, 8))
    db.session.commit()
    return plan, period, specialist


def _text(app, db, doc_id: int) -> str:  # noqa: ANN001
    doc = fresh(db, doc_id)
    return "\n".join(paragraphs(stored(app, doc.docx_path)))


def test_parts_prefilled_edited_printed_and_guarded(app, db, queued, people, client):  # noqa: ANN001, F811
    plan, period, specialist = _closed_round(db, people)
    # prefilled from the plan: addressed to the issuer (the plan's report_to is the standing
    # agency itself), the plan's recipients
    parts = report_parts.current(period)
    assert parts["addressees"] == [plan.issuer.name]
    assert parts["recipients"] == plan.definition["recipients"]
    assert parts["assessment"] == []
    login(client, specialist)
    page = client.get(f"/periods/{period.id}/consolidation").get_data(as_text=True)
    assert "Kính gửi (mỗi dòng một nơi)" in page and plan.issuer.name in page

    # the standing agency edits its parts before drafting
    resp = client.post(f"/periods/{period.id}/consolidation/report", data=PARTS)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    resp = client.post(f"/periods/{period.id}/consolidation", follow_redirects=False)
    assert resp.status_code == 302
    doc = db.session.scalar(
        select(Document).where(
            Document.period_id == period.id, Document.kind == DocumentKind.CONSOLIDATED
        )
    )
    run_queue(queued)
    text = _text(app, db, doc.id)
    assert "- Ủy ban nhân dân tỉnh Trà Vinh;" in text  # Kính gửi, two lines
    assert "- Ban Chỉ đạo về Nhân quyền tỉnh." in text
    assert "Kính gửi:" in text
    for line in (
        "- Như trên;",
        "- Thường trực Tỉnh ủy (b/c);",
        "- Các sở, ban, ngành tỉnh;",
        "ĐÁNH GIÁ CHUNG",
        "Các cơ quan, đơn vị đã triển khai kịp thời, đúng nội dung Kế hoạch.",
        "Một số đơn vị báo cáo chậm, số liệu chưa đầy đủ.",
        "NHIỆM VỤ THỜI GIAN TỚI",
        "Tiếp tục tuyên truyền trên các phương tiện thông tin đại chúng.",
        "ĐỀ XUẤT, KIẾN NGHỊ",
        "Đề nghị Ủy ban nhân dân tỉnh bố trí kinh phí in ấn tài liệu./.",
    ):
        assert line in text, line
    assert "(để thực hiện)" in text.split("\n")  # the note line as typed, on its own
    assert plan.issuer.name not in text.split("Kính gửi:")[1].split("\n")[0]
    SHOTS.mkdir(parents=True, exist_ok=True)  # the PDF, to look at (pdftoppm -png)
    (SHOTS / "consolidated-parts.pdf").write_bytes(stored(app, fresh(db, doc.id).pdf_path))

    # sent for signature, then edited: back to draft, visibly, with the new text
    documents.transition(fresh(db, doc.id), "request_signature", specialist)
    db.session.commit()
    changed = PARTS | {"assessment": "Đánh giá đã sửa theo ý kiến lãnh đạo."}
    resp = client.post(
        f"/periods/{period.id}/consolidation/report", data=changed, follow_redirects=True
    )
    page = resp.get_data(as_text=True)
    assert "đã trở về dự thảo" in page
    doc = fresh(db, doc.id)
    assert doc.status == "draft"
    run_queue(queued)
    assert "Đánh giá đã sửa theo ý kiến lãnh đạo." in _text(app, db, doc.id)
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "edit_report").limit(1)
    )

    # signed: refused with the reason, nothing changed, what was typed kept on the page
    documents.transition(doc, "request_signature", specialist)
    db.session.commit()
    documents.transition(fresh(db, doc.id), "sign", people(plan.standing_agency, Role.SIGNER))
    db.session.commit()
    resp = client.post(
        f"/periods/{period.id}/consolidation/report",
        data=PARTS | {"assessment": "Sửa sau khi ký"},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "đã được ký" in page
    assert report_parts.current(period)["assessment"] == ["Đánh giá đã sửa theo ý kiến lãnh đạo."]
    with pytest.raises(InvalidInput, match="đã được ký"):
        report_parts.save(period, PARTS, specialist)


def test_only_the_standing_agency_edits(app, db, people, client):  # noqa: ANN001
    plan, period, _specialist = _closed_round(db, people)
    # the issuer's specialist manages the plan (sees the page) but the report is not its own
    issuer_specialist = people(plan.issuer, Role.SPECIALIST)
    reporter = people(plan.reporting_assignments[0].agency, Role.REPORTER)
    with pytest.raises(NotAllowed, match="cơ quan thường trực"):
        report_parts.save(period, PARTS, issuer_specialist)
    login(client, issuer_specialist)
    page = client.get(f"/periods/{period.id}/consolidation").get_data(as_text=True)
    assert "Lưu nội dung báo cáo tổng hợp" not in page
    assert "Chỉ chuyên viên của cơ quan thường trực được sửa" in page
    assert client.post(f"/periods/{period.id}/consolidation/report", data=PARTS).status_code == 403
    login(client, reporter)
    assert client.post(f"/periods/{period.id}/consolidation/report", data=PARTS).status_code in (
        403,
        404,
    )
    assert report_parts.current(period)["addressees"] == [plan.issuer.name]


def test_an_empty_addressee_is_refused_and_what_was_typed_kept(app, db, people, client):  # noqa: ANN001
    _plan, period, specialist = _closed_round(db, people)
    login(client, specialist)
    resp = client.post(
        f"/periods/{period.id}/consolidation/report",
        data=PARTS | {"addressees": "  ", "assessment": "Đoạn đánh giá đang viết"},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Kính gửi: ghi ít nhất một nơi nhận báo cáo." in page
    assert "Đoạn đánh giá đang viết" in page


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_parts_edited_in_the_browser(app, db, people):  # noqa: ANN001
    from playwright.sync_api import expect

    _plan, period, specialist = _closed_round(db, people)
    user, period_id = specialist.username, period.id
    db.session.remove()
    with chromium(app) as (browser, base):
        for width, height, shot in ((1366, 900, "desktop"), (390, 844, "phone")):
            page = browser.new_page(viewport={"width": width, "height": height})
            sign_in(page, base, user)
            page.goto(f"{base}/periods/{period_id}/consolidation")
            page.fill("#addressees", "Ủy ban nhân dân tỉnh Trà Vinh")
            page.fill("#assessment", PARTS["assessment"])
            page.fill("#next_steps", PARTS["next_steps"])
            page.get_by_role("button", name="Lưu nội dung báo cáo tổng hợp").click()
            page.wait_for_load_state()
            expect(page.get_by_text("Đã lưu nơi nhận và phần đánh giá")).to_be_visible()
            expect(page.locator("#assessment")).to_have_value(PARTS["assessment"])
            page.locator("#noi-dung-bao-cao").scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"consolidated-parts-{shot}.png"))
            page.close()
    from app.models import ReportingPeriod

    period = db.session.get(ReportingPeriod, period_id)
    assert report_parts.current(period)["addressees"] == ["Ủy ban nhân dân tỉnh Trà Vinh"]


def test_a_colleagues_save_is_not_overwritten_silently(app, db, people, client):  # noqa: ANN001
    import re

    _plan, period, specialist = _closed_round(db, people)
    login(client, specialist)
    page = client.get(f"/periods/{period.id}/consolidation").get_data(as_text=True)
    seen = re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', page) or re.search(
        r'id="seen" name="seen" type="hidden" value="([0-9a-f]+)"', page
    )
    assert seen, page[page.find("noi-dung-bao-cao") :][:2000]
    # a colleague saves first
    report_parts.save(period, PARTS | {"assessment": "Bản của đồng nghiệp"}, specialist)
    db.session.commit()
    resp = client.post(
        f"/periods/{period.id}/consolidation/report",
        data=PARTS | {"assessment": "Bản của tôi", "seen": seen.group(1)},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "vừa được người khác sửa" in page and "Bản của tôi" in page
    assert report_parts.current(period)["assessment"] == ["Bản của đồng nghiệp"]
    # saving again from that page replaces it, knowingly
    fresh_seen = re.search(r'name="seen" type="hidden" value="([0-9a-f]+)"', page) or re.search(
        r'id="seen" name="seen" type="hidden" value="([0-9a-f]+)"', page
    )
    resp = client.post(
        f"/periods/{period.id}/consolidation/report",
        data=PARTS | {"assessment": "Bản của tôi", "seen": fresh_seen.group(1)},
    )
    assert resp.status_code == 302
    assert report_parts.current(period)["assessment"] == ["Bản của tôi"]
