"""forms.js in a real headless Chromium on the report form (PostgreSQL): conditional fields,
rows added and removed in the page, draft save, the no-JavaScript fallback, CSP."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Report, Role
from app.services import clock, documents, reports
from tests.browser import ARGS, CHROMIUM, SHOTS, serve, sign_in

SIZE = {"width": 1366, "height": 768}


def issue(plan, people, on) -> None:  # noqa: ANN001
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    documents.transition(doc, "release", people(plan.issuer, Role.CLERK), issued_on=on)


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_report_form_in_browser(app, plan, people, db):  # noqa: ANN001, PLR0915
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), "Debian chromium is required"
    from playwright.sync_api import expect, sync_playwright

    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    clock.set_now(date(2024, 12, 20))
    agency = plan.reporting_assignments[0].agency
    reporter = people(agency, Role.REPORTER)
    report = reports.start_report(plan, plan.periods[0], reporter)
    db.session.commit()
    username, report_id = reporter.username, report.id
    db.session.remove()

    server, base = serve(app)
    edit_url = f"{base}/reports/{report_id}/edit"
    messages: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)

            def open_page(js: bool):  # noqa: ANN202
                context = browser.new_context(viewport=SIZE, java_script_enabled=js)
                page = context.new_page()
                page.on(
                    "console",
                    lambda m: messages.append(f"{m.type}: {m.text} ({m.location.get('url')})")
                    if (m.type == "error" or "Content Security Policy" in m.text)
                    and not str(m.location.get("url")).endswith("/favicon.ico")
                    else None,
                )
                page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
                sign_in(page, base, username)
                page.goto(edit_url)
                return page

            def shot(page, name: str) -> None:  # noqa: ANN001
                page.screenshot(path=str(SHOTS / f"form-{name}.png"))

            page = open_page(js=True)
            slogans = page.locator('[data-kh-field="slogans_chosen"]')
            used = page.locator('input[name="slogans_used"]')
            # unanswered: the condition is false, the field is hidden
            expect(slogans).to_be_hidden()
            used.and_(page.locator('[value="yes"]')).check()
            expect(slogans).to_be_visible()
            page.locator('input[name="slogans_chosen"][value="kh1"]').check()
            slogans.scroll_into_view_if_needed()
            shot(page, "01-condition-yes")
            used.and_(page.locator('[value="no"]')).check()
            expect(slogans).to_be_hidden()
            used.and_(page.locator('[value="no"]')).scroll_into_view_if_needed()
            shot(page, "02-condition-no")

            # rows: added and removed in the page, without a reload
            page.evaluate("window.khMarker = 1")
            group = page.locator('[data-kh-group="activities"]')
            rows = group.locator("tbody tr")
            expect(rows).to_have_count(1)

            def fill_row(n: int, day: str, kind: str, content: str) -> None:
                row = rows.nth(n)
                row.locator('input[name$="-date"]').fill(day)
                row.locator('select[name$="-form"]').select_option(kind)
                row.locator('input[name$="-content"]').fill(content)

            fill_row(0, "25/11/2024", "bang_ron", "Treo băng rôn tại trụ sở")
            add = group.get_by_role("button", name="Thêm dòng")
            add.click()
            expect(rows).to_have_count(2)
            fill_row(1, "02/12/2024", "bao_chi", "Phóng sự truyền hình")
            add.click()
            expect(rows).to_have_count(3)
            expect(rows.nth(2).locator('input[name$="-date"]')).to_be_focused()
            # the cloned row's hidden labels name its own row number
            expect(group.get_by_label("Nội dung (dòng 3)")).to_have_count(1)
            expect(rows.nth(2).locator('input[name$="-content"]')).to_have_value("")
            fill_row(2, "10/12/2024", "tuyen_truyen_mieng", "Nói chuyện chuyên đề")
            assert page.evaluate("window.khMarker") == 1, "the page was reloaded"
            expect(rows.nth(0).locator('input[name$="-content"]')).to_have_value(
                "Treo băng rôn tại trụ sở"
            )
            expect(rows.nth(1).locator('select[name$="-form"]')).to_have_value("bao_chi")
            names = rows.locator('input[name$="-content"]').evaluate_all(
                "els => els.map(e => e.name)"
            )
            assert len(set(names)) == 3, names
            group.scroll_into_view_if_needed()
            shot(page, "03-rows-added")
            rows.nth(1).get_by_role("button", name="Xóa dòng").click()
            expect(rows).to_have_count(2)
            assert page.evaluate("window.khMarker") == 1, "the page was reloaded"
            expect(rows.nth(0).locator('input[name$="-content"]')).to_have_value(
                "Treo băng rôn tại trụ sở"
            )
            expect(rows.nth(1).locator('input[name$="-content"]')).to_have_value(
                "Nói chuyện chuyên đề"
            )
            expect(rows.locator(".kh-row-number")).to_have_text(["1", "2"])
            expect(rows.nth(1).locator('input[name$="-date"]')).to_be_focused()
            expect(rows.nth(1).get_by_label("Nội dung (dòng 2)")).to_have_value(
                "Nói chuyện chuyên đề"
            )
            shot(page, "04-row-removed")

            # draft save: everything typed is there after the reload
            page.fill("#banners", "12")
            page.fill("#articles", "4")
            # Enter in an input presses the hidden default button (Lưu nháp), not "Thêm dòng"
            page.locator("#articles").press("Enter")
            page.wait_for_load_state()
            expect(page.get_by_text("Đã lưu nháp")).to_be_visible()
            page.reload()
            expect(page.locator("#banners")).to_have_value("12")
            expect(page.locator("#articles")).to_have_value("4")
            expect(used.and_(page.locator('[value="no"]'))).to_be_checked()
            expect(slogans).to_be_hidden()
            expect(rows).to_have_count(2)
            assert rows.locator('input[name$="-content"]').evaluate_all(
                "els => els.map(e => e.value)"
            ) == ["Treo băng rôn tại trụ sở", "Nói chuyện chuyên đề"]
            expect(rows.nth(1).locator('select[name$="-form"]')).to_have_value("tuyen_truyen_mieng")
            expect(rows.nth(0).locator('input[name$="-date"]')).to_have_value("25/11/2024")
            group.scroll_into_view_if_needed()
            shot(page, "05-after-draft-reload")

            # without JavaScript the buttons go to the server and what was typed is kept
            nojs = open_page(js=False)
            nrows = nojs.locator('[data-kh-group="activities"] tbody tr')
            expect(nrows).to_have_count(2)
            expect(nojs.locator('[data-kh-field="slogans_chosen"]')).to_be_visible()
            nojs.fill("#banners", "20")
            nrows.nth(1).locator('input[name$="-place"]').fill("Nhà văn hóa ấp")
            nojs.get_by_role("button", name="Thêm dòng").click()
            nojs.wait_for_load_state()
            expect(nrows).to_have_count(3)
            expect(nojs.locator("#banners")).to_have_value("20")
            expect(nrows.nth(1).locator('input[name$="-place"]')).to_have_value("Nhà văn hóa ấp")
            nrows.nth(2).locator('input[name$="-content"]').fill("Hoạt động thêm không JS")
            nrows.nth(0).get_by_role("button", name="Xóa dòng").click()
            nojs.wait_for_load_state()
            expect(nrows).to_have_count(2)
            assert nrows.locator('input[name$="-content"]').evaluate_all(
                "els => els.map(e => e.value)"
            ) == ["Nói chuyện chuyên đề", "Hoạt động thêm không JS"]
            nojs.locator('[data-kh-group="activities"]').scroll_into_view_if_needed()
            shot(nojs, "06-no-js-rows")
            nojs.context.close()

            # submit with the conditional field hidden: not required, not stored
            page.reload()
            used.and_(page.locator('[value="yes"]')).check()
            page.locator('input[name="slogans_chosen"][value="kh2"]').check()
            used.and_(page.locator('[value="no"]')).check()
            page.get_by_role("button", name="Trình lãnh đạo", exact=True).click()
            page.wait_for_load_state()
            expect(page.get_by_text("Đã trình lãnh đạo")).to_be_visible()
            shot(page, "07-submitted")
            browser.close()
    finally:
        server.shutdown()

    stored = db.session.scalar(select(Report).where(Report.id == report_id))
    assert stored.data["slogans_used"] is False
    assert stored.data["slogans_chosen"] is None
    assert [row["content"] for row in stored.data["activities"]] == [
        "Treo băng rôn tại trụ sở",
        "Nói chuyện chuyên đề",
    ]
    assert not [m for m in messages if "Content Security Policy" in m], messages
    assert not messages, messages
