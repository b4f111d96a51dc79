"""The pages per role, driven through the Flask test client from draft plan to consolidation."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.models import Document, Report, Role
from app.services import clock
from tests.conftest import make_app
from tests.documents.helpers import render_now, sign_form_data
from tests.web.conftest import login


def text(resp) -> str:  # noqa: ANN001
    return resp.get_data(as_text=True)


def issue_via_pages(client, plan, people, db):  # noqa: ANN001, ANN201
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    login(client, specialist)
    page = text(client.get(f"/plans/{plan.id}"))
    assert "Soạn văn bản kế hoạch" in page and "Dự thảo" in page
    resp = client.post(f"/plans/{plan.id}/draft-document")
    assert resp.status_code == 302
    doc = db.session.scalar(select(Document).where(Document.plan_id == plan.id))
    page = text(client.get(f"/documents/{doc.id}"))
    assert "Trình ký" in page and "Cấp số và phát hành" not in page
    client.post(f"/documents/{doc.id}/action", data={"trigger": "request_signature"})
    login(client, people(plan.issuer, Role.SIGNER))
    assert doc.title in text(client.get("/documents/"))
    page = text(client.get(f"/documents/{doc.id}"))
    assert "Bản trình ký đang được tạo tệp" in page and 'value="sign"' not in page
    render_now(doc.id)  # the worker makes the frozen file; only then may the leader sign it
    page = text(client.get(f"/documents/{doc.id}"))
    client.post(f"/documents/{doc.id}/action", data=sign_form_data(page))
    login(client, people(plan.issuer, Role.CLERK))
    resp = client.post(
        f"/documents/{doc.id}/action", data={"trigger": "release"}, follow_redirects=True
    )
    assert "01/KH-BCĐNQ" in text(resp)
    assert "01/KH-BCĐNQ" in text(client.get("/documents/register?year=2024"))
    return doc


def test_whole_round_through_pages(client, plan, people, db):  # noqa: ANN001
    clock.set_now(date(2024, 11, 5))
    issue_via_pages(client, plan, people, db)
    db.session.expire_all()
    assert plan.status == "in_progress"
    period = plan.periods[0]
    agencies = [a.agency for a in plan.reporting_assignments[:3]]
    clock.set_now(date(2024, 12, 20))
    for n, agency in enumerate(agencies):
        reporter = people(agency, Role.REPORTER)
        login(client, reporter)
        inbox = text(client.get("/inbox"))
        assert "Bắt đầu báo cáo" in inbox
        resp = client.post(f"/periods/{period.id}/start")
        assert resp.status_code == 302
        url = resp.headers["Location"]
        form_page = text(client.get(url))
        assert "Lưu nháp" in form_page and "Trình lãnh đạo" in form_page
        version = re.search(r'name="kh_version"[^>]*value="(\d+)"', form_page) or re.search(
            r'value="(\d+)"[^>]*name="kh_version"', form_page
        )
        # a submit with the required field missing keeps what was typed and names the error
        resp = client.post(
            url,
            data={"kh_version": version.group(1), "banners": "", "articles": "7", "_submit": "1"},
        )
        assert resp.status_code == 200
        body = text(resp)
        assert "Vui lòng nhập trường này" in body and 'value="7"' in body
        # a draft save with it missing is fine
        resp = client.post(
            url, data={"kh_version": version.group(1), "articles": "7", "_save_draft": "1"}
        )
        assert resp.status_code == 302
        report = db.session.scalar(select(Report).where(Report.agency_id == agency.id))
        db.session.refresh(report)
        resp = client.post(
            url,
            data={
                "kh_version": str(report.version),
                "banners": str(n + 10),
                "slogans_used": "no",
                "articles": "7",
                "_submit": "1",
            },
        )
        assert resp.status_code == 302, text(resp)[:3000]
        leader = people(agency, Role.AGENCY_LEADER)
        login(client, leader)
        assert agency.display_name in text(client.get("/approvals"))
        page = text(client.get(f"/reports/{report.id}"))
        assert "Duyệt và gửi" in page
        client.post(f"/reports/{report.id}/action", data={"trigger": "approve"})
        db.session.refresh(report)
        assert report.status == "submitted"

    specialist = people(plan.standing_agency, Role.SPECIALIST)
    login(client, specialist)
    queue = text(client.get("/review"))
    reps = db.session.scalars(select(Report).order_by(Report.id)).all()
    assert all(r.agency.display_name in queue for r in reps)
    # return without a reason: refused with the field named
    resp = client.post(f"/reports/{reps[0].id}/action", data={"trigger": "return_for_revision"})
    assert resp.status_code == 400 and "Lý do trả lại" in text(resp)
    client.post(
        f"/reports/{reps[0].id}/action",
        data={"trigger": "return_for_revision", "comment": "Bổ sung số băng rôn"},
    )
    for r in reps[1:]:
        client.post(f"/reports/{r.id}/action", data={"trigger": "accept"})
    # the returned agency sees the reason, fixes and resubmits
    login(client, people(reps[0].agency, Role.REPORTER))
    page = text(client.get(f"/reports/{reps[0].id}/edit"))
    assert "Bổ sung số băng rôn" in page
    db.session.refresh(reps[0])
    client.post(
        f"/reports/{reps[0].id}/edit",
        data={
            "kh_version": str(reps[0].version),
            "banners": "99",
            "slogans_used": "no",
            "_submit": "1",
        },
    )
    login(client, people(reps[0].agency, Role.AGENCY_LEADER))
    db.session.refresh(reps[0])
    assert reps[0].status == "awaiting_approval"
    client.post(f"/reports/{reps[0].id}/action", data={"trigger": "approve"})
    login(client, specialist)
    client.post(f"/reports/{reps[0].id}/action", data={"trigger": "accept"})
    page = text(client.get(f"/reports/{reps[0].id}"))
    assert "Bị trả lại" in page  # history

    # after the deadline the specialist closes the round; missing agencies listed
    clock.set_now(date(2025, 1, 3))
    page = text(client.get(f"/plans/{plan.id}"))
    assert "Khóa sổ kỳ báo cáo" in page and "không báo cáo" in page
    resp = client.post(f"/plans/periods/{period.id}/close", follow_redirects=True)
    assert "Đã khóa sổ" in text(resp)
    page = text(client.get(f"/periods/{period.id}/consolidation"))
    assert "Tạo báo cáo tổng hợp" in page and "Quá hạn" in page and "ngày làm việc" in page
    assert "122" in page  # banners: 11 + 12 accepted as sent, + 99 after the return
    resp = client.post(f"/periods/{period.id}/consolidation")
    assert resp.status_code == 302
    assert "Báo cáo tổng hợp" in text(client.get(resp.headers["Location"]))
    page = text(client.get(f"/plans/{plan.id}"))
    assert "Diễn biến" in page and "Trả lại để bổ sung" in page


def test_plan_list_search_and_progress(client, plan, people):  # noqa: ANN001
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    assert plan.title in text(client.get("/plans/"))
    assert plan.title in text(client.get("/plans/?q=nhan quyen TRA VINH"))
    assert plan.title in text(client.get("/plans/?q=ban chi dao"))
    assert "Không tìm thấy" in text(client.get("/plans/?q=ha noi"))
    resp = client.get(f"/plans/{plan.id}/export")
    assert resp.status_code == 200 and "tra-vinh-2024-nhan-quyen" in text(resp)


def test_import_lists_problems_with_lines(client, plan, people):  # noqa: ANN001
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    bad = "format: kehoach/plan@1\ncode: x\ntitle: 5\n"
    resp = client.post(
        "/plans/import",
        data={"file": (io.BytesIO(bad.encode()), "x.yaml")},
        content_type="multipart/form-data",
    )
    body = text(resp)
    assert resp.status_code == 200 and "Tệp chưa hợp lệ" in body and "Dòng" in body


def test_agency_cannot_open_another_agencys_report(client, plan, people, db):  # noqa: ANN001
    from app.services import documents, reports

    clock.set_now(date(2024, 11, 5))
    issue_via_pages(client, plan, people, db)
    a, b = plan.reporting_assignments[0].agency, plan.reporting_assignments[1].agency
    r = reports.start_report(plan, plan.periods[0], people(a, Role.REPORTER))
    db.session.commit()
    login(client, people(b, Role.REPORTER))
    for url in (f"/reports/{r.id}", f"/reports/{r.id}/edit"):
        resp = client.get(url)
        assert resp.status_code == 404 and "Không tìm thấy" in text(resp)
    assert client.post(f"/reports/{r.id}/action", data={"trigger": "accept"}).status_code == 404
    assert client.get(f"/periods/{plan.periods[0].id}/consolidation").status_code == 404
    login(client, people(a, Role.REPORTER))
    assert client.get(f"/reports/{r.id}").status_code == 200
    _ = documents


def test_pages_need_login(client, plan):  # noqa: ANN001
    for url in ("/plans/", f"/plans/{plan.id}", "/inbox", "/review", "/documents/"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_post_without_csrf_token_is_refused(app, plan, people):  # noqa: ANN001
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    csrf_app = make_app("sqlite", create_schema=False, WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    resp = client.post(
        "/auth/login",
        data={
            "username": specialist.username,
            "password": "secret-pass",
            "csrf_token": token.group(1),
        },
    )
    assert resp.status_code == 302
    resp = client.post(f"/plans/{plan.id}/draft-document")
    assert resp.status_code == 400 and "Yêu cầu không hợp lệ" in resp.get_data(as_text=True)
    with csrf_app.app_context():
        from app.extensions import db

        assert db.session.scalar(select(Document.id)) is None
