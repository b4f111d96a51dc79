"""The Ninh Thuận plan's text in the editor in a real Chromium, at desktop and phone width: the
section's text and an agency's tasks are shown as typed, with their preview as they will print
(bold heading, markers kept, nesting indented). Screenshots in test-artifacts/screenshots."""

from __future__ import annotations

import pytest

from app.models import Role
from app.services import loader
from tests.browser import SHOTS, chromium, sign_in
from tests.web.conftest import ROOT


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_body_text_shown_as_typed_with_its_preview(app, people, db):  # noqa: ANN001
    from playwright.sync_api import expect

    plan = loader.load(loader.parse_file(ROOT / "plans" / "ninh-thuan-2023-2028.yaml"))
    db.session.commit()
    plan_id, body = plan.id, plan.definition["sections"][0]["body"]
    tasks = "\n".join(plan.definition["assignments"][1]["tasks"])
    user = people(plan.standing_agency, Role.SPECIALIST).username
    db.session.remove()
    with chromium(app) as (browser, base):
        for width, height, name in ((1366, 900, "desktop"), (390, 844, "phone")):
            page = browser.new_page(viewport={"width": width, "height": height})
            sign_in(page, base, user)
            page.goto(f"{base}/editor/{plan_id}")
            assert page.input_value("#s-0-body") == body
            assert page.input_value("#a-1-tasks") == tasks
            preview = page.locator("#s-0 details.rt-preview")
            preview.locator("summary").click()
            expect(preview.locator("p.rt-l1 strong").first).to_have_text("1. Quan điểm")
            expect(preview.locator("p.rt-l2 em").first).to_have_text("a) Mục tiêu tổng quát")
            assert preview.locator("p.rt-l2").first.inner_text().startswith("- Hiểu biết")
            page.locator("#s-0-body").scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"editor-body-text-{name}.png"))
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
            assert not overflow, f"the page scrolls sideways at {width}px"
            page.close()
