"""The signing pages in a real headless Chromium at 1280 px and 390 px (screenshots in
test-artifacts/screenshots): the admin's page refusing a wrong passphrase under the field, and
a released document signed by the real worker, with its two valid signatures."""

from __future__ import annotations

import pytest

from app.models import Role
from tests.browser import SHOTS, chromium, sign_in
from tests.signing.test_sign_flow import _released_with_keys, flow_pki
from tests.workers import run_queue


@pytest.mark.browser
@pytest.mark.libreoffice
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_signing_pages(app, db, queued, people, make_user, tmp_path):  # noqa: ANN001
    from playwright.sync_api import expect

    pki = flow_pki()
    plan, doc = _released_with_keys(db, people, make_user, pki)
    run_queue(queued)
    clerk = people(plan.issuer, Role.CLERK)
    agency_id, doc_id, clerk_name = plan.issuer_id, doc.id, clerk.username
    key_file = tmp_path / "khoa.p12"
    key_file.write_bytes(pki.agency_p12)
    db.session.commit()
    db.session.remove()
    with chromium(app) as (browser, base):
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            sign_in(page, base, "quantri")
            page.goto(f"{base}/quan-tri/co-quan/{agency_id}/ky-so")
            page.set_input_files("#co-quan-khoa-file", str(key_file))
            page.fill("#co-quan-khoa-passphrase", "sai mật khẩu")
            page.get_by_role("button", name="Thay khóa").first.click()
            page.wait_for_load_state()
            expect(
                page.locator("#co-quan-khoa-file-err").get_by_text(
                    "Mật khẩu của tệp khóa không đúng"
                )
            ).to_be_visible()
            page.screenshot(path=str(SHOTS / f"signing-admin-{width}.png"), full_page=True)
            sign_in(page, base, clerk_name)
            page.goto(f"{base}/documents/{doc_id}")
            section = page.locator("section.signatures")
            expect(section.get_by_text("Ký bởi Lê Văn Hân")).to_be_visible()
            expect(section.locator("li.valid")).to_have_count(2)
            section.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"signing-document-{width}.png"), full_page=True)
            page.close()
