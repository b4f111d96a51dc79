"""What the losers of a race and a user changing their password see, in Chromium at 1280 px and
390 px (screenshots in test-artifacts/screenshots)."""

from __future__ import annotations

import pytest

from app.services import deadlines
from tests.browser import SHOTS, chromium
from tests.conftest import postgresql_only
from tests.security.test_routes_by_role import (  # noqa: F401  (this module's own world)
    app,
    backend,
    shared,
    world,
)
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser


@postgresql_only  # one backend is enough for the screenshots
def test_race_loser_and_password_pages(app, db, world, backend) -> None:  # noqa: ANN001, F811
    from playwright.sync_api import expect

    spec, ext = world["standing"], world["ext"]
    with chromium(app) as (browser, base):
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(base + "/auth/login")
            page.fill("#username", spec.username)
            page.fill("#password", PASSWORD)
            page.locator("main button[type=submit]").click()
            if width == 1280:
                page.goto(base + "/extensions")
                page.fill(f"#r{ext.id}-comment", "Chưa đủ căn cứ, đề nghị bổ sung hồ sơ")
                # a colleague grants it while this page is open
                deadlines.decide_extension(ext, spec, True)
                db.session.commit()
                page.get_by_role("button", name="Không gia hạn").click()
                expect(page.locator("h1")).to_contain_text("đã được quyết định")
                expect(page.locator(".current-decision")).to_contain_text("Đã gia hạn")
                expect(page.locator("#mine-comment")).to_have_value(
                    "Chưa đủ căn cứ, đề nghị bổ sung hồ sơ"
                )
                page.screenshot(path=str(SHOTS / "race-loser-1280.png"), full_page=True)
            if width <= 760:
                # on a phone the top bar folds behind its "Trình đơn" switch: open it first
                account = page.get_by_role("link", name="Đổi mật khẩu")
                expect(account).to_be_hidden()
                page.locator("label[for=menu-toggle]").click()
                expect(account).to_be_visible()
            page.get_by_role("link", name="Đổi mật khẩu").click()
            page.fill("#current", PASSWORD)
            page.fill("#new", "12345678")
            page.fill("#confirm", "12345678")
            page.get_by_role("button", name="Đổi mật khẩu").click()
            expect(page.locator("p.error").first).to_be_visible()
            page.screenshot(path=str(SHOTS / f"password-refused-{width}.png"), full_page=True)
            page.close()
