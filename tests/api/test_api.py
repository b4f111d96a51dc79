"""The JSON API /api/v1: tokens per agency, the UI's policy, the form engine's validation."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from app.models import ApiToken, Report, Role
from app.services import api_tokens
from tests.api.conftest import bearer
from tests.web.conftest import login


def test_no_valid_token_no_answer(client, issued, token, db) -> None:  # noqa: ANN001
    plan, _ = issued
    for headers in ({}, bearer("khk_" + "x" * 43), bearer("not-a-token"), {"Authorization": "x"}):
        resp = client.get("/api/v1/plans", headers=headers)
        assert resp.status_code == 401
        assert resp.get_json()["message"] == "Thiếu hoặc sai mã truy cập API."
    raw = token(plan.reporting_assignments[0].agency, "reporter")
    assert client.get("/api/v1/plans", headers=bearer(raw)).status_code == 200
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest() and raw not in repr(vars(row))
    api_tokens.revoke(row, db.session.get(type(row.user), row.user_id) and _admin(db, plan))
    db.session.commit()
    assert client.get("/api/v1/plans", headers=bearer(raw)).status_code == 401


def _admin(db, plan):  # noqa: ANN001, ANN202
    from app.models import User

    admin = User(username="admin", full_name="Admin", agency_id=plan.issuer_id)
    admin.roles = [Role.ADMIN]
    admin.set_password("secret-pass")
    db.session.add(admin)
    db.session.flush()
    return admin


def test_an_agency_reads_what_the_ui_shows_it(client, issued, token) -> None:  # noqa: ANN001
    plan, plan_doc = issued
    mine, other = plan.reporting_assignments[0].agency, plan.reporting_assignments[1].agency
    h = bearer(token(mine, "reporter"))
    plans = client.get("/api/v1/plans", headers=h).get_json()
    assert [p["code"] for p in plans["items"]] == [plan.code] and plans["total"] == 1
    detail = client.get(f"/api/v1/plans/{plan.id}", headers=h).get_json()
    assert detail["symbol"] == "01/KH-BCĐNQ" and detail["periods"][0]["status"] == "open"
    assert any(f["name"] == "banners" for f in detail["form"]["fields"])
    items = client.get("/api/v1/assignments", headers=h).get_json()["items"]
    assert {a["agency"] for a in items} == {mine.code}
    docs = client.get("/api/v1/documents", headers=h).get_json()["items"]
    assert [(d["id"], d["kind"], d["status"]) for d in docs] == [(plan_doc.id, "plan", "released")]
    # another agency's report: the same answer as a missing one
    period = plan.periods[0]
    client.post(
        f"/api/v1/periods/{period.id}/report",
        json={"data": {"banners": 3}},
        headers=bearer(token(other, "reporter")),
    )
    theirs = client.get("/api/v1/reports", headers=bearer(token(other, "reporter"))).get_json()
    their_id = theirs["items"][0]["id"]
    assert client.get(f"/api/v1/reports/{their_id}", headers=h).status_code == 404
    assert client.get("/api/v1/reports", headers=h).get_json()["total"] == 0
    assert client.get("/api/v1/plans/999999", headers=h).status_code == 404


def test_submit_a_report_as_the_web_form_would(client, db, issued, token) -> None:  # noqa: ANN001
    plan, _ = issued
    agency = plan.reporting_assignments[0].agency
    period = plan.periods[0]
    url = f"/api/v1/periods/{period.id}/report"
    reporter = bearer(token(agency, "reporter"))
    bad = client.post(
        url, json={"data": {"banners": "mười", "khong_co": 1}, "action": "submit"}, headers=reporter
    )
    assert bad.status_code == 422
    errors = bad.get_json()["detail"]["json"]
    assert "banners" in errors and "không hợp lệ" in errors["banners"][0]
    assert errors["khong_co"] == ["Biểu mẫu không có trường này."]
    missing = client.post(url, json={"data": {"articles": 2}, "action": "submit"}, headers=reporter)
    assert missing.status_code == 422 and "banners" in missing.get_json()["detail"]["json"]
    draft = client.post(url, json={"data": {"articles": 2}}, headers=reporter).get_json()
    assert draft["status"] == "draft" and draft["data"]["articles"] == 2
    sent = client.post(
        url,
        json={"data": {"banners": 12, "slogans_used": False}, "action": "submit"},
        headers=reporter,
    )
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["status"] == "awaiting_approval"
    assert sent.get_json()["data"]["banners"] == 12
    # submitted for approval: no longer editable, refused in Vietnamese
    again = client.post(url, json={"data": {"banners": 1}}, headers=reporter)
    assert again.status_code == 422 and "không thể sửa" in again.get_json()["message"]
    # a token with the agency leader's role approves on submit: sent to the standing agency
    other = plan.reporting_assignments[1].agency
    both = bearer(token(other, "reporter", "agency_leader"))
    sent = client.post(
        url, json={"data": {"banners": 5, "slogans_used": True}, "action": "submit"}, headers=both
    )
    assert sent.get_json()["status"] == "submitted"
    report = db.session.scalar(select(Report).where(Report.agency_id == other.id))
    assert report.submitted_at is not None
    # statuses: the agency sees its own row, the standing agency every agency
    own = client.get(f"/api/v1/periods/{period.id}/statuses", headers=both).get_json()
    assert [r["agency_code"] for r in own["agencies"]] == [other.code]
    standing = bearer(token(plan.standing_agency, "specialist"))
    every = client.get(f"/api/v1/periods/{period.id}/statuses", headers=standing).get_json()
    assert len(every["agencies"]) == len(plan.reporting_assignments)
    assert every["summary"]["received"] == 1 and every["summary"]["expected"] == len(
        every["agencies"]
    )
    # a specialist token cannot submit for an agency that has no assignment
    refused = client.post(url, json={"data": {"banners": 1}}, headers=standing)
    assert refused.status_code == 403


def test_admin_creates_a_token_shown_once_and_revokes_it(client, db, issued, people) -> None:  # noqa: ANN001
    plan, _ = issued
    admin = _admin(db, plan)
    db.session.commit()
    agency = plan.reporting_assignments[0].agency
    login(client, admin)
    page = f"/quan-tri/co-quan/{agency.id}/api"
    refused = client.post(page, data={"name": ""})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Chưa nhập “Tên hệ thống”" in text and "Chưa chọn “Quyền”" in text
    made = client.post(page, data={"name": "Hệ thống QLVB", "roles": ["reporter"]})
    text = made.get_data(as_text=True)
    raw = text.split('<code id="new-token">', 1)[1].split("</code>", 1)[0]
    assert raw.startswith("khk_") and "chỉ hiện một lần" in text
    assert raw not in client.get(page).get_data(as_text=True)
    assert client.get("/api/v1/plans", headers=bearer(raw)).status_code == 200
    row = db.session.scalar(select(ApiToken))
    client.post(f"{page}/{row.id}/thu-hoi", data={})
    assert client.get("/api/v1/plans", headers=bearer(raw)).status_code == 401
    # the token's user cannot log in to the web
    client.post("/auth/logout")
    resp = client.post(
        "/auth/login", data={"username": row.user.username, "password": ""}, follow_redirects=False
    )
    assert resp.status_code != 302


def test_download_a_released_document(app, client, db, issued, token) -> None:  # noqa: ANN001
    from worker import jobs

    plan, doc = issued
    h = bearer(token(plan.reporting_assignments[0].agency, "reporter"))
    assert client.get(f"/api/v1/documents/{doc.id}/file/docx", headers=h).status_code == 404
    jobs.set_app(app)
    try:
        assert jobs.render_document(doc.id, doc.render_key) == "done"
    finally:
        jobs.set_app(None)  # type: ignore[arg-type]
    db.session.expire_all()
    meta = client.get(f"/api/v1/documents/{doc.id}", headers=h).get_json()
    assert meta["symbol"] == "01/KH-BCĐNQ" and set(meta["files"]) == {"docx", "pdf"}
    resp = client.get(f"/api/v1/documents/{doc.id}/file/pdf", headers=h)
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    assert "01-KH-BC" in resp.headers["Content-Disposition"]
    # an agency the plan does not concern sees nothing of it
    from app.models import Agency

    stranger = Agency(code="XA-LA", name="Xã lạ", abbreviation="XL", place="Trà Vinh")
    db.session.add(stranger)
    db.session.commit()
    s = bearer(token(stranger, "reporter"))
    assert client.get(f"/api/v1/documents/{doc.id}/file/pdf", headers=s).status_code == 404


def test_a_misspelt_filter_is_refused_not_ignored(client, issued, token) -> None:  # noqa: ANN001
    plan, _ = issued
    h = bearer(token(plan.reporting_assignments[0].agency, "reporter"))
    resp = client.get("/api/v1/reports?plan=3", headers=h)
    assert resp.status_code == 422
    assert resp.get_json()["detail"]["query"] == {"plan": ["Tham số không được hỗ trợ."]}
    assert client.get("/api/v1/reports?plan_id=3&page=1", headers=h).status_code == 200
    empty = client.post(f"/api/v1/periods/{plan.periods[0].id}/report", headers=h)
    assert empty.status_code in (400, 415, 422)
