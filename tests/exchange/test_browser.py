"""The exchange section of the document page in a real headless Chromium: the clerk downloads
the edXML packet with the button, uploads a recipient's status packet and sees it in the table,
at desktop and at phone width (390 px) without the page scrolling sideways."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.models import Role
from app.services import edxml
from app.services.edxml import Organ
from tests.browser import SHOTS, chromium, sign_in
from tests.exchange.test_exchange import STANDING_CODE, TZ, status_bytes


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_export_and_status_in_browser(app, plan, people, db, released, tmp_path):  # noqa: ANN001
    from playwright.sync_api import expect

    doc, _coded, uncoded = released
    clerk = people(plan.issuer, Role.CLERK).username
    standing = Organ(organ_id=STANDING_CODE, name=plan.standing_agency.name)
    accepted = tmp_path / "trang-thai-03.xml"
    accepted.write_bytes(
        status_bytes(doc, standing, "03", datetime(2024, 11, 5, 16, 45, tzinfo=TZ))
    )
    doc_id, uncoded_name = doc.id, uncoded.name
    db.session.commit()
    db.session.remove()

    with chromium(app) as (browser, base):
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        sign_in(page, base, clerk)
        page.goto(f"{base}/documents/{doc_id}#edxml")
        section = page.locator("section.exchange")
        expect(section).to_contain_text(uncoded_name)
        with page.expect_download() as info:
            page.get_by_role("button", name="Tải gói edXML để gửi").click()
        with open(info.value.path(), "rb") as fh:
            packet = edxml.parse_packet(fh.read())
        assert info.value.suggested_filename.endswith(".edxml")
        assert STANDING_CODE in {r.organ_id for r in packet.recipients}
        page.reload()  # the packet's recipients are listed now, with the status upload
        page.set_input_files("input[name=file][accept='.xml,.edxml']", str(accepted))
        page.get_by_role("button", name="Nhập trạng thái").click()
        page.wait_for_load_state()
        row = page.locator(f"tr[data-organ='{STANDING_CODE}']")
        expect(row.locator("td.current")).to_have_text("Đã tiếp nhận")
        expect(row.locator(".stage-accepted")).to_have_text("Đã tiếp nhận: 05/11/2024 16:45")
        section.scroll_into_view_if_needed()
        section.screenshot(path=str(SHOTS / "edxml-document-desktop.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        page.locator("section.exchange").screenshot(path=str(SHOTS / "edxml-document-phone.png"))


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_basis_packet_in_browser(app, plan, people, db, tmp_path):  # noqa: ANN001
    from playwright.sync_api import expect

    from tests.conftest import add_agency
    from tests.exchange.test_basis import PARENT

    add_agency("BCDNQ-CP", name="Ban Chỉ đạo Nhân quyền Chính phủ", organ_id="000.00.00.G22")
    specialist = people(plan.standing_agency, Role.SPECIALIST).username
    packet = tmp_path / "ke-hoach-cap-tren.edxml"
    packet.write_bytes(edxml.build_packet(PARENT))
    plan_id = plan.id
    db.session.commit()
    db.session.remove()

    with chromium(app) as (browser, base):
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        sign_in(page, base, specialist)
        page.goto(f"{base}/plans/{plan_id}")
        page.set_input_files("#basis-file", str(packet))
        page.get_by_role("button", name="Thêm căn cứ từ gói edXML").click()
        page.wait_for_load_state()
        section = page.locator("section.basis")
        expect(section.locator("li").last).to_contain_text(
            "Thực hiện Kế hoạch số 12/KH-BCĐNQ ngày 14 tháng 10 năm 2024 của Ban Chỉ đạo"
        )
        section.screenshot(path=str(SHOTS / "edxml-basis-desktop.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("section.basis").screenshot(path=str(SHOTS / "edxml-basis-phone.png"))
