"""The dashboard in a real headless Chromium (PostgreSQL): charts drawn, no console errors, no
CSP violations; a 1366×768 screenshot for a person to look at."""

from __future__ import annotations

import pytest

from app.models import Role
from app.services import documents, reminders
from tests.browser import SHOTS, chromium, sign_in
from tests.documents.helpers import render_now


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_dashboard_in_browser(app, round_, people, db):  # noqa: ANN001
    from playwright.sync_api import expect

    specialist = round_["specialist"].username
    reporter = people(round_["plan"].reporting_assignments[5].agency, Role.REPORTER).username
    dispatch = reminders.draft_dispatch(round_["period"], round_["specialist"])
    documents.transition(dispatch, "request_signature", round_["specialist"])
    db.session.commit()
    render_now(dispatch.id)  # the frozen copy the leader reviews, made by the real job
    signer = people(round_["plan"].standing_agency, Role.SIGNER).username
    doc_id, period_id = dispatch.id, round_["period"].id
    plan_id = round_["plan"].id
    round_["period"].lock_after_days = 3  # locked for the missing agencies on 08/01/2025
    db.session.commit()
    db.session.remove()

    with chromium(app) as (browser, base):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors: list[str] = []
        page.on(
            "console",
            lambda m: errors.append(m.text) if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP ' + e.violatedDirective + ' ' + e.blockedURI))"
        )

        sign_in(page, base, specialist)
        canvas = page.locator("canvas").first
        expect(canvas).to_be_visible()
        drawn = page.evaluate("""() => {
            const c = document.querySelector('canvas');
            const chart = window.Chart && window.Chart.getChart(c);
            if (!chart) return null;
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let inked = 0;
            for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
            return {bars: chart.data.datasets.length, w: c.width, h: c.height, inked};
        }""")
        assert drawn and drawn["bars"] == 4 and drawn["w"] > 200 and drawn["h"] > 100, drawn
        assert drawn["inked"] > 1000, drawn
        page.screenshot(path=str(SHOTS / "dashboard-specialist.png"))
        page.goto(f"{base}/plans/{plan_id}")
        page.locator(f"#period-{period_id}").scroll_into_view_if_needed()
        page.locator("details.reopen summary").first.click()
        expect(page.get_by_role("button", name="Mở lại cho cơ quan").first).to_be_visible()
        page.locator("details.reopen").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "plan-period-reopen.png"))
        page.goto(base + "/")
        page.locator("details.agencies summary").first.click()
        page.screenshot(path=str(SHOTS / "dashboard-specialist-full.png"), full_page=True)

        sign_in(page, base, reporter)
        expect(page.get_by_text("sắp đến hạn hoặc quá hạn")).to_be_visible()
        page.screenshot(path=str(SHOTS / "dashboard-agency.png"))
        page.goto(f"{base}/periods/{period_id}/extension")
        page.get_by_role("button", name="Gửi đề nghị gia hạn").click()
        expect(page.locator("#requested_due-error")).to_contain_text("Hạn mới đề nghị")
        page.screenshot(path=str(SHOTS / "extension-errors.png"))

        sign_in(page, base, signer)
        page.goto(f"{base}/documents/{doc_id}")
        page.select_option("#authority", "KT.")
        page.get_by_role("button", name="Ký", exact=True).click()
        expect(page.locator("#authority_of-error")).to_contain_text("Thay mặt / ký thay cho")
        page.screenshot(path=str(SHOTS / "sign-form-error.png"))
        page.fill("#authority_of", "GIÁM ĐỐC")
        page.fill("#title", "PHÓ GIÁM ĐỐC")
        page.get_by_role("button", name="Ký", exact=True).click()
        expect(page.locator(".flash")).to_contain_text("Đã thực hiện")
        # the two refused forms answer 400 on purpose (Chromium logs it); nothing else
        expected = "status of 400 (BAD REQUEST)"
        assert sum(expected in e for e in errors) == 2, errors
        assert [e for e in errors if expected not in e] == [], errors
