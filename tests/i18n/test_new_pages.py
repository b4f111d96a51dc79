"""The editor, administrator and dashboard pages: Vietnamese by default, English after the
switch."""

from __future__ import annotations

from app.models import Role
from tests.dashboard.conftest import round_  # noqa: F401  (fixture)
from tests.i18n.test_pages import switch, text
from tests.web.conftest import login


def both(client, url: str) -> tuple[str, str]:  # noqa: ANN001
    """The page in Vietnamese (the default), then in English; the session ends in Vietnamese."""
    vi = text(client.get(url))
    switch(client, "en")
    en = text(client.get(url))
    switch(client, "vi")
    return vi, en


def test_editor_new_and_edit(client, plan, people) -> None:  # noqa: ANN001
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    vi, en = both(client, "/editor/new")
    assert "Soạn kế hoạch mới" in vi and "Thông tin chung" in vi and "Xem trước biểu mẫu" in vi
    assert '<html lang="en">' in en
    assert "General information" in en and "Preview form" in en and "Create plan (draft)" in en
    assert "Soạn kế hoạch mới" not in en and "Thông tin chung" not in en
    vi, en = both(client, f"/editor/{plan.id}")
    assert "Sửa kế hoạch" in vi and "Lịch báo cáo" in vi and "Các cột của bảng" in vi
    assert "Save changes" in en and "Reporting schedule" in en and "Table columns" in en
    assert "Whole number" in en  # FIELD_TYPES, kept as data, translated where shown
    assert "Lưu thay đổi" not in en and "Các cột của bảng" not in en


def test_editor_problems_in_english(client, plan, people) -> None:  # noqa: ANN001
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    switch(client, "en")
    page = text(client.get(f"/editor/{plan.id}"))
    assert "Delete" in page and "Move " in page
    resp = client.post("/editor/new", data={"_op": "save", "code": "", "title": ""})
    page = text(resp)
    assert "Not saved:" in page and "problems to fix." in page


def test_admin_pages(client, plan, people) -> None:  # noqa: ANN001
    login(client, people(plan.standing_agency, Role.ADMIN))
    vi, en = both(client, "/quan-tri/")
    assert "Quản trị hệ thống" in vi and "Lịch làm việc" in vi
    assert "System administration" in en and "Working calendar" in en and "Users" in en
    assert "Quản trị hệ thống" not in en
    vi, en = both(client, "/quan-tri/co-quan")
    assert "Cơ quan, đơn vị" in vi and "Đang hoạt động" in vi
    assert "Agencies" in en and "Search agencies (diacritics optional)" in en and "Active" in en
    assert "Provincial" in en or "Commune" in en or "Central" in en  # LEVEL_LABELS via |t
    vi, en = both(client, "/quan-tri/nguoi-dung/them")
    assert "Tạo người dùng" in vi and "Họ và tên" in vi and "Chuyên viên" in vi
    assert "Create user" in en and "Full name" in en and "Specialist" in en  # ROLE_LABELS
    vi, en = both(client, "/quan-tri/lich")
    assert "Lịch làm việc năm" in vi and "Nạp lịch năm" in vi
    assert "Working calendar" in en and "Load the calendar of" in en
    assert "Make-up working day" in en  # DAY_KIND_LABELS in the select
    switch(client, "en")
    resp = client.post(
        "/quan-tri/nguoi-dung/them",
        data={"username": "", "full_name": "", "agency_id": "0", "password": ""},
    )
    page = text(resp)
    assert "Please enter “Full name”." in page and "Please choose “Agency”." in page


def test_dashboard_pages(client, round_, people) -> None:  # noqa: ANN001, F811
    plan, period = round_["plan"], round_["period"]
    login(client, round_["specialist"])
    vi, en = both(client, "/")
    assert "Tổng quan" in vi and "Báo cáo theo kế hoạch" in vi and "ngày 08 tháng 01 năm 2025" in vi
    assert "Overview" in en
    assert "Reports by plan" in en and "Reporting status as of 8 January 2025." in en
    assert "By reporting round" in en and "Overdue, not sent" in en
    assert '"label": "On time"' in en or "On time" in en  # chart series
    assert "Báo cáo theo kế hoạch" not in en
    vi, en = both(client, "/notifications")
    assert "Thông báo" in vi and "Unread notifications" in en
    vi, en = both(client, "/extensions")
    assert "Đề nghị gia hạn chờ quyết định" in vi
    assert "Extension requests awaiting decision" in en
    missing = [a.agency for a in plan.reporting_assignments[3:]][0]
    login(client, people(missing, Role.REPORTER))
    vi, en = both(client, f"/periods/{period.id}/extension")
    assert "Xin gia hạn:" in vi and "Hạn gửi hiện tại" in vi and "01/01/2025" in vi
    assert "Request an extension:" in en and "Current deadline" in en and "01/01/2025" in en
    assert "Requested new deadline" in en and "Send extension request" in en
    assert "Hạn gửi hiện tại" not in en
