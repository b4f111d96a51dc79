"""The dashboard per role: numbers, charts' data, the agency's own deadlines; notifications."""

from __future__ import annotations

import json
import re

from app.models import Notification, Role
from app.services import notifications, status
from tests.web.conftest import login


def text(resp) -> str:  # noqa: ANN001
    return resp.get_data(as_text=True)


def chart_json(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', page, re.S)
    assert m, "no JSON data block"
    return json.loads(m.group(1))


def test_specialist_sees_every_agency(client, round_, people, db):  # noqa: ANN001
    plan, period = round_["plan"], round_["period"]
    n = len(plan.reporting_assignments)
    login(client, round_["specialist"])
    resp = client.get("/")
    assert resp.status_code == 200
    page = text(resp)
    assert "Tổng quan" in page and f'id="chart-plan-{plan.id}"' in page
    data = chart_json(page)["charts"][0]
    series = {s["key"]: s["data"] for s in data["series"]}
    assert data["labels"] == [period.label]
    assert series == {"on_time": [2], "late": [1], "overdue": [n - 3], "not_yet_due": [0]}
    # the text equivalent of the chart: the table per period
    row = re.search(r'<th scope="row">' + re.escape(period.label) + r"</th>(.*?)</tr>", page, re.S)
    cells = re.findall(r"<td>(\d+)", row.group(1))
    assert cells == [str(n), "3", "2", "1", str(n - 3), "0", "1"]
    assert "ngày làm việc" in row.group(1)  # late 06/01 after 01/01: working days late shown
    # per agency: the late one with its working days late
    c = round_["agencies"][2]
    late = status.for_period(period)[2]
    assert late.agency_id == c.id and late.result == "late" and late.days == 3
    cells = r'</th><td>1</td><td>1</td><td>0</td>\s*<td><span class="late">1</span> <small>\('
    assert re.search(re.escape(c.name) + cells + r"3 ngày làm việc\)", page)


def test_agency_user_sees_own_line_and_deadlines(client, round_, people, db):  # noqa: ANN001
    plan = round_["plan"]
    a, b, c = round_["agencies"]
    missing = plan.reporting_assignments[5].agency
    login(client, people(missing, Role.REPORTER))
    page = text(client.get("/"))
    data = chart_json(page)["charts"][0]
    assert {s["key"]: s["data"] for s in data["series"]}["overdue"] == [1]
    assert a.name not in page and missing.name in page
    assert "sắp đến hạn hoặc quá hạn" in page and "Quá hạn 5 ngày làm việc" in page
    assert "Xin gia hạn" in page
    # an agency that has submitted has nothing due
    login(client, people(a, Role.REPORTER))
    page = text(client.get("/"))
    assert "sắp đến hạn hoặc quá hạn" not in page
    assert {s["key"]: s["data"] for s in chart_json(page)["charts"][0]["series"]}["on_time"] == [1]


def test_running_documents_have_progress_bars(client, round_, db):  # noqa: ANN001
    login(client, round_["specialist"])
    page = text(client.get("/"))
    # the plan document was re-rendered on release with no worker: it waits in the queue
    assert "Văn bản đang được tạo tệp" in page and "data-job-url=" in page
    assert "<progress" in page


def test_notifications_count_read_and_read_all(client, round_, people, db):  # noqa: ANN001
    user = people(round_["agencies"][0], Role.REPORTER)
    notifications.notify([user], "deadline_near", "Sắp đến hạn", link="/inbox")
    notifications.notify([user], "overdue", "Quá hạn rồi", link="https://example.com/x")
    notifications.notify([user], "report_accepted", "Đã chấp nhận")
    db.session.commit()
    count = len(notifications.unread(user))
    assert count >= 3
    login(client, user)
    page = text(client.get("/"))
    assert f'<span class="nav-count" aria-label="{count} chưa đọc">{count}</span>' in page
    page = text(client.get("/notifications"))
    assert "Sắp đến hạn" in page and "Đánh dấu tất cả là đã đọc" in page
    first = db.session.scalar(
        db.select(Notification).where(
            Notification.user_id == user.id, Notification.text == "Sắp đến hạn"
        )
    )
    resp = client.post(f"/notifications/{first.id}/open")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/inbox")
    db.session.expire_all()
    assert len(notifications.unread(user)) == count - 1
    # a link outside the application is never followed
    other = db.session.scalar(db.select(Notification).where(Notification.text == "Quá hạn rồi"))
    assert "example.com" not in client.post(f"/notifications/{other.id}/open").headers["Location"]
    # someone else's notification: not found
    stranger = people(round_["agencies"][1], Role.REPORTER)
    login(client, stranger)
    assert client.post(f"/notifications/{first.id}/read").status_code == 404
    login(client, user)
    resp = client.post("/notifications/read-all", follow_redirects=True)
    assert "Đã đánh dấu" in text(resp) and 'class="nav-count"' not in text(resp)
    db.session.expire_all()
    assert notifications.unread(user) == []
    assert "Quá hạn rồi" in text(client.get("/notifications?all=1"))


def test_agency_user_does_not_see_other_agencies_documents_rendering(client, round_, people):  # noqa: ANN001
    login(client, people(round_["plan"].reporting_assignments[5].agency, Role.REPORTER))
    assert "Văn bản đang được tạo tệp" not in text(client.get("/"))


def test_reminder_and_extension_links_lead_somewhere(client, round_, people, db):  # noqa: ANN001
    plan, period = round_["plan"], round_["period"]
    login(client, people(plan.reporting_assignments[5].agency, Role.REPORTER))
    resp = client.get(f"/plans/{plan.id}/periods/{period.id}")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/plans/{plan.id}#period-{period.id}")
    assert client.get(f"/plans/{plan.id + 99}/periods/{period.id}").status_code == 404
    client.post(
        f"/periods/{period.id}/extension",
        data={"requested_due": "2025-01-20", "reason": "Chờ số liệu"},
    )
    login(client, round_["specialist"])
    row = db.session.scalar(
        db.select(Notification).where(
            Notification.user_id == round_["specialist"].id,
            Notification.kind == "extension_requested",
        )
    )
    resp = client.post(f"/notifications/{row.id}/open")
    assert resp.headers["Location"].endswith("/extensions")
