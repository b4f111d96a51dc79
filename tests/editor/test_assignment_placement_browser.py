"""In a real headless Chromium (PostgreSQL): a clerk turns an assignment line into a group line
printed in section II with a deadline in words, saves, and sees it on the plan page — at desktop
and phone width (issue 12, points 2, 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Agency, Plan, Role
from app.services import loader
from tests.browser import SHOTS, chromium, console_errors, sign_in

PLAN = Path(__file__).resolve().parents[2] / "tests" / "data" / "plans" / "assignments-groups.yaml"


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_group_line_in_a_section_typed_in_a_browser(app, people, db):  # noqa: ANN001
    from playwright.sync_api import expect

    plan_id = loader.load(loader.parse_file(PLAN)).id
    standing = db.session.scalar(select(Agency).where(Agency.code == "CA-TN"))
    user = people(standing, Role.SPECIALIST).username
    db.session.commit()
    db.session.remove()
    with chromium(app) as (browser, base):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors = console_errors(page)
        sign_in(page, base, user)
        page.goto(f"{base}/editor/{plan_id}")
        page.select_option("#a-1-agency", "")
        page.select_option("#a-1-group", "UBND-HUYEN-TN")
        page.select_option("#a-1-section", "2")
        page.fill("#a-1-due_text", "chậm nhất ngày 20/12")
        page.fill("#a-1-window", "từ 01/12 - 20/12")
        page.locator("#a-1").screenshot(path=str(SHOTS / "assign-01-editor-line.png"))
        page.locator("button[name=_op][value=save]").first.click()
        page.wait_for_load_state()
        page.goto(f"{base}/plans/{plan_id}")
        expect(page.get_by_text("Mục II · Phối hợp").first).to_be_visible()
        expect(page.get_by_text("thực hiện từ 01/12/2024 đến 20/12/2024").first).to_be_visible()
        page.locator("table.list").first.screenshot(path=str(SHOTS / "assign-02-plan.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator("table.list").first.screenshot(path=str(SHOTS / "assign-03-plan-phone.png"))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        assert not errors, errors
    plan = db.session.get(Plan, plan_id)
    line = plan.definition["assignments"][1]
    assert line["group"] == "UBND-HUYEN-TN" and line["section"] == 2
    assert line["due_text"] == "chậm nhất ngày 20/12"
