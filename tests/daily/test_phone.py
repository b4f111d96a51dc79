"""Phone-first pages, checked in a real Chromium at 390×844 on the demo data: every page each
role can reach (one URL per page kind) fits the screen (no sideways scroll of the page itself)
and has no WCAG 2 A/AA violation found by axe-core; a reporter fills and submits a report with
repeating rows on that screen. Screenshots at 390 and 1280 px go to test-artifacts/."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from app import demo
from tests.browser import ARGS, CHROMIUM, SHOTS, serve, sign_in


def accounts(db) -> dict[str, str]:  # noqa: ANN001
    """One demo account per role, each with work waiting: the reporter whose report was
    returned, the leader whose agency's report awaits approval."""
    from app.models import Report

    def agency_of(state: str):  # noqa: ANN202
        r = db.session.scalars(
            db.select(Report).where(Report.status == state).order_by(Report.id)
        ).first()
        return r.agency

    return {
        "specialist": "chuyenvien.ca-tv",
        "signer": "lanhdao.bcdnq-tv",
        "clerk": "vanthu.ca-tv",
        "reporter": demo.username_for("reporter", agency_of("returned")),
        "agency_leader": demo.username_for("agency_leader", agency_of("awaiting_approval")),
        "admin": "admin",
    }


SKIP = re.compile(
    r"/auth/logout|/file/|/export|xuat=|\.(xlsx|docx|pdf|yaml|png)$|/static/|/status\.json"
)
PER_ROLE = 45


def _kind(url: str) -> str:
    """One visit per page kind: ids and query values do not make a new page."""
    parts = urlsplit(url)
    same = {"trang", "sap", "chieu", "q"}  # paging, sorting, searching: the same page
    keys = sorted({k.split("=")[0] for k in parts.query.split("&") if k} - same)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


@pytest.fixture
def demo_app(app, db):  # noqa: ANN001, ANN201
    demo.load_demo()
    db.session.commit()
    db.session.remove()
    server, base = serve(app)
    yield base
    server.shutdown()


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_page_fits_a_phone_and_passes_axe(demo_app, db):  # noqa: ANN001
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    base = demo_app
    who = accounts(db)
    db.session.remove()
    axe = Axe()
    too_wide: list[str] = []
    violations: list[str] = []
    visited: dict[str, int] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for role, username in who.items():
            ctx = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
            page = ctx.new_page()
            sign_in(page, base, username, demo.DEMO_PASSWORD)
            page.screenshot(path=str(SHOTS / f"phone-home-{role}.png"), full_page=True)
            seen: set[str] = set()
            todo = deque(["/"])
            n = 0
            while todo and n < PER_ROLE:
                path = todo.popleft()
                if _kind(path) in seen:
                    continue
                seen.add(_kind(path))
                resp = page.goto(base + path)
                if resp is None or resp.status >= 400 or not page.url.startswith(base):
                    continue
                n += 1
                sizes = page.evaluate(
                    "() => [document.documentElement.scrollWidth, window.innerWidth]"
                )
                if sizes[0] > sizes[1]:
                    wide = page.evaluate(
                        """() => [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                        .slice(0, 3).map(e => e.tagName + '.' + e.className).join(', ')"""
                    )
                    too_wide.append(f"{role} {path}: {sizes[0]} > {sizes[1]} ({wide})")
                result = axe.run(
                    page,
                    options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}},
                )
                for v in result.response["violations"]:
                    targets = [str(node["target"]) for node in v["nodes"][:3]]
                    violations.append(f"{role} {path}: {v['id']} {targets}")
                for href in page.eval_on_selector_all(
                    "a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
                ):
                    href = href.split("#")[0]
                    if href and not SKIP.search(href) and _kind(href) not in seen:
                        todo.append(href)
            visited[role] = n
            ctx.close()
        browser.close()
    print("pages visited per role:", visited)
    assert all(n >= 5 for n in visited.values()), visited
    assert not too_wide, "\n".join(too_wide)
    assert not violations, "\n".join(violations)


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_fill_and_submit_a_report_with_rows_on_a_phone(demo_app, db):  # noqa: ANN001
    from playwright.sync_api import expect, sync_playwright

    from app.models import Report
    from tests.daily.test_excel import draft_with_rows

    base = demo_app
    draft = draft_with_rows(db)
    reporter, code = demo.username_for("reporter", draft.agency), draft.agency.code
    db.session.remove()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        # this year's Ninh Thuận report is a draft
        sign_in(page, base, reporter, demo.DEMO_PASSWORD)
        page.get_by_role("link", name="Tiếp tục soạn").first.click()
        page.wait_for_url(re.compile(r"/reports/\d+/edit"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        rows = page.locator("table.kh-rows tbody tr")
        before = rows.count()
        page.get_by_role("button", name="Thêm dòng").click()
        expect(rows).to_have_count(before + 1)
        row = rows.nth(before)
        box = row.locator("input, select").first.bounding_box()
        assert box and box["width"] > 250, box  # a usable input, not 35 px
        row.locator("td[data-kh-field=date] input").fill("15/11/2026")
        row.locator("td[data-kh-field=form] select").select_option("hoi_nghi_bao_chi")
        row.locator("td[data-kh-field=content] input").fill("Họp báo về công tác nhân quyền")
        row.locator("td[data-kh-field=participants] input").fill("35")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # a long field states its limit, counts, and says what a long paste loses
        box_ = page.get_by_label("Khó khăn, vướng mắc")
        count = page.locator("#" + box_.get_attribute("id") + "-count")
        expect(count).to_contain_text("tối đa 4.000")
        box_.fill("Kinh phí hạn chế.")
        expect(count).to_contain_text("Đã nhập 17/4.000 ký tự")
        page.evaluate(
            """id => { const el = document.getElementById(id); const dt = new DataTransfer();
            dt.setData('text', 'x'.repeat(100000));
            el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true})); }""",
            box_.get_attribute("id"),
        )
        expect(count).to_contain_text("Đoạn dán dài 100.000 ký tự")
        expect(count).to_contain_text("chỉ giữ 3.983 ký tự đầu")
        page.screenshot(path=str(SHOTS / "phone-report-rows.png"), full_page=True)
        page.get_by_role("button", name="Trình lãnh đạo").click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SHOTS / "phone-report-submitted.png"), full_page=True)
        browser.close()
    db.session.remove()
    report = db.session.scalars(db.select(Report).where(Report.status == "awaiting_approval")).all()
    mine = [r for r in report if r.agency.code == code]
    assert len(mine) == 1, [r.agency.code for r in report]
    contents = [a.get("content") for a in mine[0].data["activities"]]
    assert "Họp báo về công tác nhân quyền" in contents
