"""Issue 12 point 4: the editor shows the plan document as it will be printed before anything is
saved or drafted: the worker (real RQ on the real Redis, real LibreOffice, pdftoppm) renders the
page's unsaved content to page images, marked "Xem trước"; no document or version is made, so
nothing can be signed; only the user who asked sees it. In a real Chromium the pages appear in
the editor without a page load of their own."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.models import Document, DocumentVersion, Plan, Role
from tests.browser import SHOTS, chromium, fill, sign_in, wait_until
from tests.editor.test_new_plan import county, third_plan  # noqa: F401  (fixture)
from tests.web.conftest import login
from tests.workers import run_queue, run_queue_until
from worker.preview import MARK, preview_context

PNG = b"\x89PNG\r\n\x1a\n"


def _counts(db) -> tuple[int, int, int]:  # noqa: ANN001
    return (
        db.session.scalar(select(func.count(Plan.id))),
        db.session.scalar(select(func.count(Document.id))),
        db.session.scalar(select(func.count(DocumentVersion.id))),
    )


@pytest.mark.libreoffice
def test_preview_renders_unsaved_plan_as_pages(app, db, client, county, people, queued):  # noqa: ANN001, F811
    specialist = people(county["ubnd"], Role.SPECIALIST)
    other = people(county["ubnd"], Role.ADMIN)
    login(client, specialist)
    data = third_plan(county) | {"_op": "document"}
    before = _counts(db)
    resp = client.post("/editor/new", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html[:2000]
    url = re.search(r'data-preview="([^"]+)"', html).group(1)
    assert "Xem trước văn bản kế hoạch" in html
    assert 'value="Tuyên truyền phòng, chống mua bán người năm 2025"' in html  # nothing lost
    pending = client.get(url)
    assert pending.status_code == 202 and "Đang tạo bản xem trước" in pending.get_data(as_text=True)
    run_queue(queued)
    page = client.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    assert "Xem trước" in text and "không dùng để ký" in text
    pages = re.findall(r'<img src="([^"]+\.png)"', text)
    assert pages, text
    first = client.get(pages[0])
    assert first.status_code == 200 and first.data.startswith(PNG)
    # nothing was saved or drafted: no plan, no document, no version that could be signed
    assert _counts(db) == before
    # someone else cannot see it
    login(client, other)
    assert client.get(url).status_code == 404
    assert client.get(pages[0]).status_code == 404
    # a newer preview of the same user replaces the older one
    login(client, specialist)
    client.post("/editor/new", data=data)
    assert client.get(url).status_code == 404


def test_preview_context_is_the_plan_document_marked_as_preview(app, db, county):  # noqa: ANN001, F811
    from flask import Request
    from werkzeug.datastructures import MultiDict

    from app.editor import definition as df

    form = Request.from_values(data=MultiDict(third_plan(county))).form
    d = df.strip(df.read_definition(form, None))
    ctx, issuer = preview_context(d)
    assert ctx["draft_mark"] == MARK and "XEM TRƯỚC" in MARK
    assert issuer == county["ubnd"].id
    assert ctx["number_line"].startswith("Số:")


def test_preview_without_worker_queue_says_so(app, db, client, county, people):  # noqa: ANN001, F811
    login(client, people(county["ubnd"], Role.SPECIALIST))
    resp = client.post("/editor/new", data=third_plan(county) | {"_op": "document"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Chưa tạo được bản xem trước" in html
    assert 'value="Tuyên truyền phòng, chống mua bán người năm 2025"' in html


@pytest.mark.browser
@pytest.mark.libreoffice
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_preview_in_browser_shows_page_images(app, db, county, people, queued):  # noqa: ANN001, F811
    from playwright.sync_api import expect

    user = people(county["ubnd"], Role.SPECIALIST).username
    db.session.remove()
    with chromium(app) as (browser, base):
        for width, height, shot in ((1366, 900, "desktop"), (390, 844, "phone")):
            page = browser.new_page(viewport={"width": width, "height": height})
            sign_in(page, base, user)
            page.goto(base + "/editor/new")
            fill(
                page,
                {
                    "#title": "Tuyên truyền phòng, chống mua bán người năm 2025",
                    "#issuer": "UBND-CL",
                    "#standing_agency": "CA-CL",
                    "#code": f"cang-long-2025-xem-truoc-{shot}",
                    "#s-0-body": "1. Nâng cao nhận thức của Nhân dân.",
                },
            )
            page.get_by_role("button", name="+ Thêm cơ quan").click()
            fill(
                page,
                {
                    "#a-0-agency": "CA-CL",
                    "#a-0-role": "lead",
                    "#a-0-tasks": "Chủ trì, tổng hợp kết quả.",
                    "#sch-due": "15/12/2025",
                },
            )
            page.get_by_role("button", name="+ Thêm trường").click()
            fill(
                page,
                {
                    "#f-0-label": "Số buổi tuyên truyền",
                    "#f-0-name": "so_buoi",
                    "#recipients": "UBND tỉnh (b/c)\nCác cơ quan, đơn vị (để thực hiện)",
                    "#sg-title": "CHỦ TỊCH",
                    "#sg-name": "Trần Văn B",
                },
            )
            page.get_by_role("button", name="Xem trước văn bản").click()
            page.wait_for_load_state()
            assert page.locator("#loi").count() == 0, page.locator("#loi").inner_text()
            expect(page.locator("#van-ban")).to_contain_text("Đang tạo bản xem trước")
            page.evaluate("window.khMarker = 1")
            img = page.locator("#van-ban-trang img").first
            run_queue_until(queued, img.is_visible)  # the worker; the page fetches meanwhile
            expect(img).to_be_visible()
            assert page.evaluate("window.khMarker") == 1  # no page load: the same page
            expect(page.locator("#van-ban")).to_contain_text("Xem trước")
            img.scroll_into_view_if_needed()
            # a lazy image: its pixels come once it is near the view
            wait_until(page, "document.querySelector('#van-ban-trang img').naturalWidth")
            assert page.evaluate("document.querySelector('#van-ban-trang img').naturalWidth") > 500
            # the typed plan is still on the page, unsaved, and leaving would ask first
            expect(page.locator("#title")).to_have_value(
                "Tuyên truyền phòng, chống mua bán người năm 2025"
            )
            assert page.locator("form.editor[data-unsaved]").count() == 1
            img.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"editor-preview-{shot}.png"))
            page.close()
    assert db.session.scalar(select(func.count(Document.id))) == 0


@pytest.mark.libreoffice
def test_draft_follows_editor_edits_and_soan_lai_works(app, db, client, people, queued, form_of):  # noqa: ANN001
    """A drafted plan document, then an edit in the editor: the draft is made again from the
    new text (a new draft version), the preview did not count as one, and "Soạn lại" still
    offers and makes a fresh draft."""
    from tests.documents.test_signed_is_reviewed import paragraphs
    from tests.files import stored
    from tests.services.test_plan_lifecycle import load_plan
    from tests.worker.test_jobs import fresh

    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    login(client, specialist)
    assert client.post(f"/plans/{plan.id}/draft-document").status_code == 302
    doc = db.session.scalar(select(Document).where(Document.plan_id == plan.id))
    run_queue(queued)
    assert fresh(db, doc.id).content_version == 1
    data = form_of(client.get(f"/editor/{plan.id}").get_data(as_text=True))
    data["title"] = "Tuyên truyền về quyền con người năm 2024 (đã sửa)"
    client.post(f"/editor/{plan.id}", data=data | {"_op": "document"})  # a preview: no version
    run_queue(queued)
    assert fresh(db, doc.id).content_version == 1
    page = client.post(f"/editor/{plan.id}", data=data | {"_op": "save"}, follow_redirects=True)
    assert "được soạn lại theo nội dung mới" in page.get_data(as_text=True)
    run_queue(queued)
    doc = fresh(db, doc.id)
    assert doc.content_version == 2
    assert "Tuyên truyền về quyền con người năm 2024 (đã sửa)" in " ".join(
        paragraphs(stored(app, doc.docx_path))
    )
    assert "Soạn lại văn bản kế hoạch" in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert client.post(f"/documents/{doc.id}/regenerate").status_code == 302
    assert fresh(db, doc.id).content_version == 3
