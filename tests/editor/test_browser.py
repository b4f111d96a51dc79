"""The editor in a real headless Chromium (PostgreSQL): a small plan typed in, a field added with
the page's buttons, the form previewed, the plan created."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Plan, Role
from tests.browser import SHOTS, chromium, console_errors, fill, sign_in


def _add(page, button: str) -> None:  # noqa: ANN001
    """Press one of the editor's "+ Thêm …" buttons and wait for the page it brings."""
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_editor_in_browser(app, make_agency, people, db):  # noqa: ANN001
    from playwright.sync_api import expect

    ubnd = make_agency(
        "UBND-XA-LH",
        name="Ủy ban nhân dân xã Long Hòa",
        abbreviation="UBND",
        level="commune",
        place="Long Hòa",
    )
    make_agency(
        "CA-XA-LH", name="Công an xã Long Hòa", abbreviation="CA", level="commune", place="Long Hòa"
    )
    user = people(ubnd, Role.SPECIALIST).username
    db.session.commit()
    db.session.remove()
    with chromium(app) as (browser, base):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors = console_errors(page)
        sign_in(page, base, user)
        page.goto(base + "/plans/")
        page.get_by_role("link", name="Soạn kế hoạch mới").click()
        page.wait_for_load_state()
        fill(
            page,
            {
                "#title": "Tuyên truyền phòng, chống mua bán người năm 2025",
                "#standing_agency": "CA-XA-LH",
                "#code": "xa-long-hoa-2025-mua-ban-nguoi",
                "#s-0-body": "1. Nâng cao nhận thức của Nhân dân.\n2. Bảo đảm thiết thực.",
                "#s-1-body": "1. Tuyên truyền trên loa truyền thanh xã.",
            },
        )
        _add(page, "+ Thêm cơ quan")
        fill(
            page,
            {
                "#a-0-agency": "CA-XA-LH",
                "#a-0-role": "lead",
                "#a-0-tasks": "Chủ trì, tổng hợp kết quả, báo cáo UBND xã.",
                "#sch-due": "2025-12-15",
            },
        )
        _add(page, "+ Thêm trường")
        fill(
            page,
            {
                "#f-0-label": "Số buổi tuyên truyền",
                "#f-0-name": "so_buoi",
                "#f-0-unit": "buổi",
                "#f-0-min": "0",
            },
        )
        _add(page, "+ Thêm trường")
        fill(
            page,
            {
                "#f-1-label": "Có phát hiện vụ việc không?",
                "#f-1-name": "co_vu_viec",
                "#f-1-type": "yesno",
            },
        )
        expect(page.locator("#f-1-min")).to_be_hidden()  # JS hides what a yes/no does not use
        fill(
            page, {"#recipients": "UBND huyện (b/c)\nCông an huyện (b/c)", "#sg-title": "CHỦ TỊCH"}
        )
        page.get_by_role("button", name="Xem trước biểu mẫu").click()
        page.wait_for_load_state()
        # the signer's name is missing: the page says where, and keeps everything
        expect(page.locator("#sg-name-err")).to_be_visible()
        expect(page.locator("#title")).to_have_value(
            "Tuyên truyền phòng, chống mua bán người năm 2025"
        )  # noqa: E501
        expect(page.locator("#xem-truoc")).to_contain_text("Số buổi tuyên truyền")
        page.locator("#bieu-mau").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "editor-01-form-builder.png"))
        page.locator("#xem-truoc").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "editor-02-preview.png"))
        page.fill("#sg-name", "Trần Văn B")
        page.get_by_role("button", name="Tạo kế hoạch (dự thảo)").click()
        page.wait_for_load_state()
        expect(page.get_by_text("Đã tạo kế hoạch")).to_be_visible()
        page.screenshot(path=str(SHOTS / "editor-03-created.png"))
        page.goto(base + "/editor/new")
        page.screenshot(path=str(SHOTS / "editor-00-new.png"))
        assert not errors, errors
    plan = db.session.scalar(select(Plan).where(Plan.code == "xa-long-hoa-2025-mua-ban-nguoi"))
    assert plan is not None and [f["name"] for f in plan.definition["form"]["fields"]] == [
        "so_buoi",
        "co_vu_viec",
    ]
