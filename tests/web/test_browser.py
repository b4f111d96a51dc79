"""The whole round in a real headless Chromium against the real app (PostgreSQL)."""

from __future__ import annotations

from datetime import date

import docx
import pytest
from sqlalchemy import select

from app.models import Document as DocumentRow
from app.models import Role
from app.services import clock
from tests.browser import SHOTS, chromium, console_errors, sign_in
from tests.documents.helpers import render_now


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_round_in_browser(app, plan, people, db):  # noqa: ANN001, PLR0915
    from playwright.sync_api import expect

    clock.set_now(date(2024, 11, 5))
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    signer, clerk = people(plan.issuer, Role.SIGNER), people(plan.issuer, Role.CLERK)
    agencies = [a.agency for a in plan.reporting_assignments[:3]]
    staff = {
        a.code: (people(a, Role.REPORTER).username, people(a, Role.AGENCY_LEADER).username)
        for a in agencies
    }
    specialist, signer, clerk = specialist.username, signer.username, clerk.username
    agencies = [a.code for a in agencies]
    plan_id, period_id, title = plan.id, plan.periods[0].id, plan.title
    db.session.commit()
    db.session.remove()

    with chromium(app) as (browser, base):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors = console_errors(page)

        def shot(name: str) -> None:
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)

        def press(label: str) -> None:
            page.get_by_role("button", name=label, exact=True).first.click()
            page.wait_for_load_state()

        sign_in(page, base, specialist)
        page.goto(base + "/plans/?q=nhan quyen")
        expect(page.get_by_role("link", name=title)).to_be_visible()
        shot("01-plans")
        page.goto(f"{base}/plans/{plan_id}")
        shot("02-plan-draft")
        # the specialist edits the draft in the browser: one more recipient
        page.get_by_role("link", name="Sửa kế hoạch").click()
        recipients = page.locator("#recipients")
        recipients.fill(recipients.input_value() + "\nSở Ngoại vụ (để phối hợp)")
        page.get_by_role("button", name="Lưu thay đổi").click()
        page.wait_for_load_state()
        expect(page.locator(".flash")).to_contain_text("Đã lưu kế hoạch")
        press("Soạn văn bản kế hoạch")
        press("Trình ký")
        shot("03-document")
        # the worker makes the frozen copy the leader reviews; only then is "Ký" offered
        render_now(db.session.scalar(select(DocumentRow.id).where(DocumentRow.plan_id == plan_id)))
        db.session.remove()
        sign_in(page, base, signer)
        page.goto(base + "/documents/")
        shot("04-signer-queue")
        page.get_by_role("link", name="Xem và ký").first.click()
        press("Ký")
        sign_in(page, base, clerk)
        page.goto(base + "/documents/")
        page.get_by_role("link", name="Cấp số, phát hành").first.click()
        press("Cấp số và phát hành")
        expect(page.locator(".symbol")).to_contain_text("01/KH-BCĐNQ")
        shot("05-released")

        clock.set_now(date(2024, 12, 20))
        for n, agency in enumerate(agencies):
            reporter, leader = staff[agency]
            sign_in(page, base, reporter)
            page.goto(base + "/inbox")
            if n == 0:
                shot("06-inbox")
            press("Bắt đầu báo cáo")
            page.fill("#articles", "3")
            press("Trình lãnh đạo")  # banners required: refused, typed value kept
            expect(page.locator("#banners-error")).to_contain_text("Vui lòng nhập")
            expect(page.locator("#articles")).to_have_value("3")
            if n == 0:
                shot("07-form-errors")
            page.fill("#banners", str(n + 10))
            page.locator('input[name="slogans_used"][value="no"]').check()
            press("Trình lãnh đạo")
            expect(page.get_by_text("Đã trình lãnh đạo")).to_be_visible()
            sign_in(page, base, leader)
            page.goto(base + "/approvals")
            page.get_by_role("link", name="Mở báo cáo").first.click()
            press("Duyệt và gửi")

        sign_in(page, base, specialist)
        page.goto(base + "/review")
        shot("08-review-queue")
        page.get_by_role("link", name="Mở báo cáo").first.click()
        press("Trả lại để bổ sung")
        expect(page.locator(".error")).to_contain_text("Lý do trả lại")
        page.fill("#comment-return_for_revision", "Bổ sung số băng rôn đã treo")
        press("Trả lại để bổ sung")
        for _ in range(2):
            page.goto(base + "/review")
            page.get_by_role("link", name="Mở báo cáo").first.click()
            press("Chấp nhận")

        first = agencies[0]
        sign_in(page, base, staff[first][0])
        page.goto(base + "/inbox")
        page.get_by_role("link", name="Tiếp tục soạn").first.click()
        expect(page.locator(".returned")).to_contain_text("Bổ sung số băng rôn đã treo")
        shot("09-returned-form")
        page.fill("#banners", "99")
        press("Trình lãnh đạo")
        sign_in(page, base, staff[first][1])
        page.goto(base + "/approvals")
        page.get_by_role("link", name="Mở báo cáo").first.click()
        press("Duyệt và gửi")
        sign_in(page, base, specialist)
        page.goto(base + "/review")
        page.get_by_role("link", name="Mở báo cáo").first.click()
        press("Chấp nhận")

        clock.set_now(date(2025, 1, 3))
        page.goto(f"{base}/plans/{plan_id}")
        press("Khóa sổ kỳ báo cáo")
        expect(page.locator(".flash")).to_contain_text("Đã khóa sổ")
        shot("10-plan-closed")
        page.goto(f"{base}/periods/{period_id}/consolidation")
        expect(page.locator("tr.total")).to_contain_text("122")
        shot("11-consolidation")
        press("Tạo báo cáo tổng hợp")
        expect(page.locator("h1")).to_contain_text("Báo cáo tổng hợp")
        shot("12-consolidated-document")
        # the worker renders it (the real job, run here), then it is downloaded and opened
        from app.models import Document
        from worker import jobs

        with app.app_context():
            doc = db.session.scalar(select(Document).where(Document.kind == "consolidated"))
            doc_id, key = doc.id, doc.render_key
            db.session.remove()
        jobs.set_app(app)
        try:
            assert jobs.render_document(doc_id, key) != "superseded"
        finally:
            jobs.set_app(None)  # type: ignore[arg-type]
        page.reload()
        with page.expect_download() as got:
            page.get_by_role("link", name="Tải bản Word (.docx)").click()
        saved = got.value.path()
        word = docx.Document(saved)
        text = "\n".join(p.text for p in word.paragraphs)
        cells = "\n".join(c.text for t in word.tables for r in t.rows for c in r.cells)
        assert "BÁO CÁO" in text and "01/KH-BCĐNQ" in text
        # the figures in the tables, who has not reported in the text or the appendix table
        assert "122" in cells and "Chưa báo cáo" in text + cells
        # the form engine's hidden default button carries a style attribute that the CSP
        # blocks (app.css hides it by class); scripts must never be blocked
        assert not [e for e in errors if "script-src" in e], errors
