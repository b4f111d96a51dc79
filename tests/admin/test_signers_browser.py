"""The signers page and the document page (choose a signer, upload an edited draft) in a real
headless Chromium, at 1280 px and 390 px; screenshots in test-artifacts/screenshots."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Agency, Role
from app.services import documents, loader
from tests.browser import SHOTS, chromium, sign_in
from tests.conftest import ROOT


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_signers_and_draft_pages(app, make_user, db):  # noqa: ANN001
    from playwright.sync_api import expect

    plan = loader.load(loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml"))
    agency = db.session.scalar(select(Agency).where(Agency.code == "STTTT-TV"))
    admin = make_user("quantri", agency, [Role.ADMIN])
    reporter = make_user("daumoi", agency, [Role.REPORTER])
    doc = documents.create_document("report", agency, "Báo cáo", reporter, plan=plan, render=False)
    agency_id, doc_id = agency.id, doc.id
    admin_name, reporter_name = admin.username, reporter.username
    db.session.commit()
    db.session.remove()
    with chromium(app) as (browser, base):
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            sign_in(page, base, admin_name)
            page.goto(f"{base}/quan-tri/co-quan/{agency_id}/nguoi-ky")
            if width == 1280:
                page.fill("#name", "Nguyễn Văn A")
                page.fill("#title", "Giám đốc")
                page.get_by_role("button", name="Thêm", exact=True).click()
                page.wait_for_load_state()
            expect(page.get_by_text("Nguyễn Văn A").first).to_be_visible()
            page.screenshot(path=str(SHOTS / f"signers-{width}.png"), full_page=True)
            sign_in(page, base, reporter_name)
            page.goto(f"{base}/documents/{doc_id}")
            expect(page.get_by_text("Sửa dự thảo bằng Word")).to_be_visible()
            page.screenshot(path=str(SHOTS / f"document-draft-{width}.png"), full_page=True)
            page.close()
