"""The editor's previews follow the typing, in a real Chromium at desktop and phone width, with
the real worker (RQ on Redis, LibreOffice, pdftoppm) and no page load:

- under a section's one text box and an agency's tasks, "Xem như sẽ in" is made again a moment
  after the clerk stops typing (bold/italic, markers as typed, the line's deadline in words);
- "Xem trước văn bản" shows the plan document's pages in the page, and from then on a change
  asks for new pages (the old ones stay until the new ones are made).

A plan whose section had a separate "paragraphs" box shows one box per section, its paragraphs
ending the text. Screenshots in test-artifacts/screenshots (editor-live-*.png)."""

from __future__ import annotations

import re

import pytest

from app.models import Role
from tests.browser import ARGS, CHROMIUM, SHOTS, serve, wait_until
from tests.services.test_assignments import load
from tests.workers import run_queue_until

TOKEN_URL = re.compile(r"^/editor/preview/[0-9a-f]{32}$")


@pytest.mark.browser
@pytest.mark.libreoffice
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_previews_follow_the_typing(app, db, people, queued):  # noqa: ANN001, F811
    from playwright.sync_api import expect, sync_playwright

    plan = load()
    db.session.commit()
    plan_id = plan.id
    user = people(plan.standing_agency, Role.SPECIALIST).username
    db.session.remove()
    server, base = serve(app)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for width, height, shot in ((1366, 900, "desktop"), (390, 844, "phone")):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(base + "/auth/login")
                page.fill("#username", user)
                page.fill("#password", "secret-pass")
                page.keyboard.press("Enter")
                page.wait_for_url(base + "/")
                page.goto(f"{base}/editor/{plan_id}")
                page.evaluate("window.khMarker = 1")
                # one box per section: the old "paragraphs" are its text, no second box
                assert page.input_value("#s-0-body") == "Nâng cao nhận thức về quyền con người."
                assert page.locator("#s-0-paragraphs").count() == 0
                # the group line's tasks print with its deadline as written
                tasks = page.locator("#a-2-tasks-shown .rt-shown")
                expect(tasks).to_contain_text("Thời hạn hoàn thành: chậm nhất đến ngày 28/12.")
                page.fill("#a-2-due_text", "trước ngày 20/12")
                expect(tasks).to_contain_text("Thời hạn hoàn thành: trước ngày 20/12.")

                # the section's text, typed: its preview follows
                body = page.locator("#s-0-body")
                body.fill("")
                body.type("1. **Nâng cao** nhận thức\n- về *quyền* con người;\n+ ở cơ sở.")
                shown = page.locator("#s-0-body-shown .rt-shown")
                expect(shown.locator("strong")).to_have_text("Nâng cao")
                expect(shown.locator("em")).to_have_text("quyền")
                expect(shown.locator("p.rt-l3")).to_have_text("+ ở cơ sở.")

                # the document's pages, in the page
                page.get_by_role("button", name="Xem trước văn bản").click()
                panel = page.locator("#van-ban")
                expect(panel).to_have_attribute("data-preview", TOKEN_URL, timeout=30_000)
                first = panel.get_attribute("data-preview")
                img = page.locator("#van-ban-trang img").first
                run_queue_until(queued, img.is_visible)
                expect(img).to_be_visible()
                first_src = img.get_attribute("src")
                # a change asks for new pages a moment later; the old ones stay meanwhile
                page.fill("#title", "Tuyên truyền kỷ niệm Ngày Nhân quyền thế giới (sửa)")
                expect(panel).not_to_have_attribute("data-preview", first, timeout=30_000)
                assert page.locator("#van-ban-trang img").count() >= 1
                run_queue_until(
                    queued,
                    lambda page=page, first_src=first_src: (
                        page.locator("#van-ban-trang img").first.get_attribute("src") != first_src
                    ),
                )
                expect(page.locator(".kh-doc-state")).to_contain_text("cập nhật lúc")
                assert page.evaluate("window.khMarker") == 1  # never a page load
                page.locator("#s-0").scroll_into_view_if_needed()
                page.screenshot(path=str(SHOTS / f"editor-live-text-{shot}.png"))
                page.locator("#van-ban h2").scroll_into_view_if_needed()
                # the pages are lazy images: shown once loaded
                wait_until(page, "document.querySelector('#van-ban-trang img').naturalWidth")
                page.screenshot(path=str(SHOTS / f"editor-live-document-{shot}.png"))
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth > window.innerWidth + 1"
                )
                assert not overflow, f"the page scrolls sideways at {width}px"
                page.close()
            browser.close()
    finally:
        server.shutdown()
