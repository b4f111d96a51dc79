"""Pages in Vietnamese by default and in English after the header's language switch."""

from __future__ import annotations

from datetime import date

from flask_babel import refresh

from app.models import Role
from app.services import clock
from tests.web.conftest import PASSWORD, login
from tests.web.test_pages import issue_via_pages


def text(resp) -> str:  # noqa: ANN001
    return resp.get_data(as_text=True)


def switch(client, code: str) -> None:  # noqa: ANN001
    resp = client.post(f"/auth/lang/{code}", headers={"Referer": "/auth/login"})
    assert resp.status_code == 302


def test_login_page_in_both_languages(client) -> None:  # noqa: ANN001
    page = text(client.get("/auth/login"))
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and "Mật khẩu" in page
    assert 'action="/auth/lang/en"' in page  # the switch is there before signing in
    switch(client, "en")
    page = text(client.get("/auth/login"))
    assert '<html lang="en">' in page
    assert "Sign in" in page and "Username" in page and "Password" in page
    assert "Đăng nhập" not in page and "Mật khẩu" not in page
    resp = client.post("/auth/login", data={"username": "", "password": ""})
    assert "Please enter your username." in text(resp)
    switch(client, "vi")
    assert "Đăng nhập" in text(client.get("/auth/login"))


def test_unknown_language_is_ignored(client) -> None:  # noqa: ANN001
    switch(client, "fr")
    assert '<html lang="vi">' in text(client.get("/auth/login"))


def test_error_page_and_flash(client, plan, people) -> None:  # noqa: ANN001
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    page = text(client.get("/plans/999999"))
    assert "Không tìm thấy" in page and "Về trang tổng quan" in page
    switch(client, "en")
    page = text(client.get("/plans/999999"))
    assert "Not found" in page and "Back to the overview" in page
    resp = client.post("/auth/logout", follow_redirects=True)
    assert "You have signed out." in text(resp)  # the language outlives the session


def test_language_survives_login(client, plan, people) -> None:  # noqa: ANN001
    user = people(plan.standing_agency, Role.SPECIALIST)
    switch(client, "en")
    client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
    page = text(client.get("/plans/"))
    assert '<html lang="en">' in page and "Sign out" in page


def test_plans_list_and_plan_page(client, plan, people) -> None:  # noqa: ANN001
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    page = text(client.get("/plans/"))
    assert "Tìm kế hoạch (không cần gõ dấu)" in page and "Dự thảo" in page
    assert "Tiến độ báo cáo" in page
    switch(client, "en")
    page = text(client.get("/plans/"))
    assert "Search plans (diacritics optional)" in page and "Reporting progress" in page
    assert ">Draft<" in page  # PlanFlow.STATE_LABELS["draft"], translated for display
    assert "Dự thảo" not in page and "Tiến độ" not in page
    page = text(client.get(f"/plans/{plan.id}"))
    assert "Assignments" in page and "Reporting rounds" in page
    assert "Draft the plan document" in page
    assert "Not yet open" in page  # RoundFlow.STATE_LABELS["pending"]
    assert "Figures up to " in page and "reports due" in page


def test_report_form_and_dates(client, plan, people, db) -> None:  # noqa: ANN001
    clock.set_now(date(2024, 11, 5))
    issue_via_pages(client, plan, people, db)
    db.session.expire_all()
    period = plan.periods[0]
    agency = plan.reporting_assignments[0].agency
    clock.set_now(date(2024, 12, 20))
    login(client, people(agency, Role.REPORTER))
    resp = client.post(f"/periods/{period.id}/start")
    url = resp.headers["Location"]
    page = text(client.get(url))
    assert "Lưu nháp" in page and "Trình lãnh đạo" in page and "Đang soạn" in page
    switch(client, "en")
    page = text(client.get(url))
    assert "Save draft" in page and "Send to leader" in page
    assert "<strong>Drafting</strong>" in page  # ReportFlow.STATE_LABELS["draft"]
    assert "Lưu nháp" not in page
    # a form-engine message goes through forms.i18n.set_translator(flask_babel.gettext)
    resp = client.post(url, data={"kh_version": "1", "articles": "abc", "_save_draft": "1"})
    page = text(resp)
    assert "Not saved: please correct the fields marked with errors." in page
    assert "whole number" in page and "số nguyên" not in page
    # the plan page: running-text dates in English, table dates dd/mm/yyyy
    page = text(client.get(f"/plans/{plan.id}"))
    due = period.due_on
    assert f"{due.day} " in page and due.strftime("%d/%m/%Y") in page
    switch(client, "vi")
    page = text(client.get(f"/plans/{plan.id}"))
    assert "Số liệu tính đến ngày " in page and " tháng " in page


def test_workflow_refusal_is_translated(client, plan, people) -> None:  # noqa: ANN001
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    switch(client, "en")
    page = text(client.get(f"/plans/{plan.id}"))
    assert "Close reporting round" not in page or "Closing:" in page
    from app.ui import translate
    from workflows import PlanFlow

    with client.application.test_request_context("/") as ctx:
        ctx.session["lang"] = "en"
        refresh()
        assert translate(PlanFlow.GUARD_MESSAGES["is_actor_issuer_clerk"]) == (
            "Only a clerk of the issuing agency may number and release the plan."
        )
        assert translate(PlanFlow.STATE_LABELS["in_progress"]) == "In progress"
