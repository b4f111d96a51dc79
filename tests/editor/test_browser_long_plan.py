"""Issue 12 point 8: a long plan entered in a real headless Chromium without a page load per
"+ Thêm": agencies, sections, fields and columns are added, moved and removed in place (no
navigation happens; what was typed elsewhere stays), parts fold, and leaving with unsaved
changes asks first. The same plan entered with JavaScript off still works, one page load per
button: the test counts both."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Plan, Role
from tests.browser import SHOTS, chromium, console_errors, sign_in, wait_until

AGENCIES = [
    ("CA-XA-LH", "Công an xã Long Hòa", "lead"),
    ("VH-XA-LH", "Văn hóa xã Long Hòa", "cooperate"),
    ("DT-XA-LH", "Đoàn thanh niên xã Long Hòa", "cooperate"),
]


def _enter_plan(page, code: str, js: bool) -> None:  # noqa: ANN001
    """Type a plan of 4 sections, 3 agencies and 2 fields (one a table of 2 columns); add and
    remove as a clerk does (a mistaken 4th agency removed, an agency moved up)."""
    wait = (lambda: None) if js else page.wait_for_load_state

    def click(name: str, nth: int = 0) -> None:
        page.get_by_role("button", name=name, exact=True).nth(nth).click()
        wait()

    page.fill("#title", "Tuyên truyền phòng, chống ma túy năm 2026")
    page.select_option("#standing_agency", "CA-XA-LH")
    page.fill("#code", code)
    page.fill("#s-0-body", "1. Nâng cao nhận thức của Nhân dân.")
    click("+ Thêm mục")
    page.fill("#s-3-heading", "KINH PHÍ")
    page.fill("#s-3-body", "Từ nguồn ngân sách xã.")  # one box: its first line is the lead
    for i, (agency, _name, role) in enumerate(AGENCIES):
        click("+ Thêm cơ quan")
        page.select_option(f"#a-{i}-agency", agency)
        page.select_option(f"#a-{i}-role", role)
        page.fill(f"#a-{i}-tasks", f"Nhiệm vụ {i + 1} của {agency}.")
    click("+ Thêm cơ quan")  # one too many: removed again
    page.get_by_role("button", name="Xóa cơ quan 4").click()
    wait()
    page.get_by_role("button", name="Đưa cơ quan 3 lên trên").click()  # Đoàn before Văn hóa
    wait()
    page.fill("#sch-due", "15/12/2026")
    click("+ Thêm trường")
    page.fill("#f-0-label", "Số buổi tuyên truyền")
    page.fill("#f-0-name", "so_buoi")
    click("+ Thêm trường")
    page.fill("#f-1-label", "Các hoạt động")
    page.fill("#f-1-name", "hoat_dong")
    page.select_option("#f-1-type", "group")
    page.locator("#f-1-cols > button").click()  # "+ Thêm cột" of the table
    wait()
    page.fill("#f-1-c-0-label", "Tên hoạt động")
    page.fill("#f-1-c-0-name", "ten")
    page.locator("#f-1-cols > button").click()
    wait()
    page.fill("#f-1-c-1-label", "Số người")
    page.fill("#f-1-c-1-name", "so_nguoi")
    page.select_option("#f-1-c-1-type", "integer")
    page.fill("#recipients", "UBND huyện (b/c)")
    page.fill("#sg-title", "CHỦ TỊCH")
    page.fill("#sg-name", "Trần Văn B")


def _check_saved(db, code: str) -> None:  # noqa: ANN001
    db.session.remove()
    plan = db.session.scalar(select(Plan).where(Plan.code == code))
    assert plan is not None, code
    d = plan.definition
    assert [s["heading"] for s in d["sections"]][-1] == "KINH PHÍ"
    assert [(a["agency"], a["tasks"]) for a in d["assignments"]] == [
        ("CA-XA-LH", ["Nhiệm vụ 1 của CA-XA-LH."]),
        ("DT-XA-LH", ["Nhiệm vụ 3 của DT-XA-LH."]),
        ("VH-XA-LH", ["Nhiệm vụ 2 của VH-XA-LH."]),
    ]
    fields = d["form"]["fields"]
    assert [f["name"] for f in fields] == ["so_buoi", "hoat_dong"]
    assert [c["name"] for c in fields[1]["fields"]] == ["ten", "so_nguoi"]


def _session(browser, base: str, user: str, db, js: bool) -> int:  # noqa: ANN001
    """Enter and create the plan with JavaScript on or off; return the page loads it took."""
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, java_script_enabled=js)
    page = ctx.new_page()
    errors = console_errors(page)
    sign_in(page, base, user)
    page.goto(base + "/editor/new")
    navigations: list[str] = []
    page.on(
        "framenavigated",
        lambda f: navigations.append(f.url) if f == page.main_frame else None,
    )
    if js:
        page.evaluate("window.khSamePage = 'yes'")
    code = f"xa-long-hoa-2026-ma-tuy-{'js' if js else 'nojs'}"
    _enter_plan(page, code, js)
    loads = len(navigations)
    if js:
        # no navigation happened: the same document, with what was typed first
        assert navigations == []
        assert page.evaluate("window.khSamePage") == "yes"
        expect(page.locator("#title")).to_have_value("Tuyên truyền phòng, chống ma túy năm 2026")
        expect(page.locator("[role=status].kh-live")).to_contain_text("Đã thêm")
        # leaving now would lose the plan: the browser asks first
        dialogs: list[str] = []

        def answer(d, dialogs=dialogs) -> None:  # noqa: ANN001
            dialogs.append(d.type)
            d.dismiss()  # "stay on this page"

        page.on("dialog", answer)
        page.get_by_role("link", name="Kế hoạch", exact=True).first.click(no_wait_after=True)
        wait_until(page, lambda: dialogs)
        assert dialogs == ["beforeunload"]
        assert page.url == base + "/editor/new"
        assert page.evaluate("window.khSamePage") == "yes"
        page.remove_listener("dialog", answer)
        # moving a section also refreshes the assignments (their lines name sections), with
        # what was typed there kept
        page.evaluate("document.getElementById('phan-cong').khOld = 1")
        page.get_by_role("button", name="Đưa mục IV lên trên").click()
        expect(page.locator("#s-2-heading")).to_have_value("KINH PHÍ")
        assert page.evaluate("document.getElementById('phan-cong').khOld") is None
        expect(page.locator("#a-2-tasks")).to_have_value("Nhiệm vụ 2 của VH-XA-LH.")
        page.get_by_role("button", name="Đưa mục III xuống dưới").click()
        expect(page.locator("#s-3-heading")).to_have_value("KINH PHÍ")
        assert page.evaluate("window.khSamePage") == "yes"
        # folding: an agency folds under its heading, its inputs still sent
        fold = page.locator("#a-1 > legend .kh-fold")
        expect(fold).to_have_attribute("aria-expanded", "true")
        fold.click()
        expect(page.locator("#a-1-tasks")).to_be_hidden()
        expect(fold).to_have_attribute("aria-expanded", "false")
        page.get_by_role("button", name="Thu gọn các mục").click()
        expect(page.locator("#s-0-body")).to_be_hidden()
        page.locator("#noi-dung").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "editor-long-01-folded.png"))
        page.get_by_role("button", name="Mở tất cả").click()
        expect(page.locator("#a-1-tasks")).to_be_visible()
        page.locator("#phan-cong").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "editor-long-02-agencies.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator("#phan-cong").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "editor-long-03-phone.png"))
        page.set_viewport_size({"width": 1366, "height": 900})
        # the server refuses a save (no signer's name): the page it answers with holds what was
        # typed, unsaved, so leaving it still asks first
        page.fill("#sg-name", "")
        page.get_by_role("button", name="Tạo kế hoạch (dự thảo)").click()
        page.wait_for_load_state()
        expect(page.locator("#sg-name-err")).to_be_visible()
        expect(page.locator("#a-2-tasks")).to_have_value("Nhiệm vụ 2 của VH-XA-LH.")
        assert page.locator("form.editor[data-unsaved]").count() == 1
        page.locator("h1").click()  # a user gesture on the new page, nothing typed
        dialogs.clear()
        page.on("dialog", answer)
        page.get_by_role("link", name="Kế hoạch", exact=True).first.click(no_wait_after=True)
        wait_until(page, lambda: dialogs)
        assert dialogs == ["beforeunload"]
        page.remove_listener("dialog", answer)
        page.fill("#sg-name", "Trần Văn B")
    page.get_by_role("button", name="Tạo kế hoạch (dự thảo)").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Đã tạo kế hoạch")).to_be_visible()
    assert not errors, errors
    ctx.close()
    _check_saved(db, code)
    return loads


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_long_plan_without_page_loads(app, make_agency, people, db, capsys):  # noqa: ANN001
    ubnd = make_agency(
        "UBND-XA-LH",
        name="Ủy ban nhân dân xã Long Hòa",
        abbreviation="UBND",
        level="commune",
        place="Long Hòa",
    )
    for code, name, _role in AGENCIES:
        make_agency(code, name=name, abbreviation=code.split("-")[0], level="commune")
    user = people(ubnd, Role.SPECIALIST).username
    db.session.commit()
    db.session.remove()
    loads: dict[bool, int] = {}
    with chromium(app) as (browser, base):
        for js in (False, True):
            loads[js] = _session(browser, base, user, db, js)
    with capsys.disabled():
        print(
            f"\npage loads to enter the plan: without JavaScript {loads[False]}, with {loads[True]}"
        )
    # 1 section + 4 agencies + 1 removal + 1 move + 2 fields + 2 columns
    assert loads == {False: 11, True: 0}
