"""Issue 10 item 8: each example plan opened in the editor in a real Chromium (JavaScript on) and
saved unchanged exports the same YAML, byte for byte."""

from __future__ import annotations

import pytest

from app.models import Role
from app.services import loader
from tests.browser import chromium, sign_in
from tests.web.conftest import ROOT


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_saving_unchanged_in_the_browser_changes_nothing(app, people, db):  # noqa: ANN001
    plans = []
    for name in ("tra-vinh-2024.yaml", "ninh-thuan-2023-2028.yaml"):
        p = loader.load(loader.parse_file(ROOT / "plans" / name))
        db.session.commit()
        plans.append((p.id, people(p.standing_agency, Role.SPECIALIST).username))
    db.session.remove()
    with chromium(app) as (browser, base):
        for plan_id, user in plans:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            sign_in(page, base, user)
            before = page.request.get(f"{base}/plans/{plan_id}/export").body()
            page.goto(f"{base}/editor/{plan_id}")
            page.get_by_role("button", name="Lưu thay đổi").click()
            page.wait_for_url(f"{base}/plans/{plan_id}")
            after = page.request.get(f"{base}/plans/{plan_id}/export").body()
            assert after.decode() == before.decode(), plan_id
            page.close()
