"""Pages at province scale show a page at a time, with the whole period's counts: the dashboard
(plans in progress a page at a time, the agencies with most late or overdue reports per plan),
the plan page and the consolidation page (a page of agencies)."""

from __future__ import annotations

import re
from datetime import datetime

from app.dashboard import data
from app.models import Plan
from app.services import clock, status
from tests.perf.test_query_budgets import VN, seed
from tests.web.conftest import login

N = 60  # agencies, each assigned in the 5 plans of the seed


def text(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_dashboard_pages_plans_and_names_the_worst_agencies(client, db, make_user, monkeypatch):  # noqa: ANN001
    clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
    world = seed(db, make_user, N)
    monkeypatch.setattr(data, "PLANS_PER_PAGE", 2)
    login(client, world["specialist"])
    plans = db.session.scalars(db.select(Plan).order_by(Plan.id.desc())).all()
    page = text(client.get("/"))
    shown = [int(x) for x in re.findall(r'id="chart-plan-(\d+)"', page)]
    assert shown == [plans[0].id, plans[1].id]
    assert "Trang 1/3 (5 mục)" in page and "Kế hoạch 1–2 trong 5 (đang thực hiện trước)" in page
    last = text(client.get("/?trang=3"))
    assert [int(x) for x in re.findall(r'id="chart-plan-(\d+)"', last)] == [plans[4].id]
    # per plan: the 10 agencies with most late or overdue reports, by name among equals
    assert f"Theo cơ quan ({N})" in page and f"Xem đủ {N} cơ quan ở trang kế hoạch" in page
    statuses = status.for_period(plans[0].periods[0])
    bad = sorted(
        (-(s.result in ("late", "overdue")), s.agency_name) for s in statuses if s.required
    )
    want = [name for _b, name in bad[: data.AGENCIES_SHOWN]]
    section = page.split(f'id="plan-h-{plans[0].id}"')[1].split("</section>")[0]
    table = section.split('<details class="agencies"')[1]
    assert re.findall(r'<th scope="row">([^<]+)</th>', table) == want
    # the period's figures are the whole period's, not the page's
    c = status.count(statuses)
    row = re.search(r'<th scope="row">[^<]+</th>(.*?)</tr>', section, re.S).group(1)
    assert re.findall(r"<td>(\d+)", row)[:3] == [str(c.expected), str(c.received), str(c.on_time)]


def test_plan_and_consolidation_pages_show_a_page_of_agencies(client, db, make_user):  # noqa: ANN001
    clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
    world = seed(db, make_user, N)
    plan = world["plan"]
    period = plan.periods[0]
    names = [f"<td>{a.agency.display_name}</td>" for a in plan.assignments]  # a line
    login(client, world["specialist"])
    first, second = (
        text(client.get(f"/plans/{plan.id}")),
        text(client.get(f"/plans/{plan.id}?trang=2")),
    )
    assert "Trang 1/2 (60 mục)" in first and "Trang 2/2 (60 mục)" in second
    assert names[0] in first and names[49] in first and names[50] not in first
    assert names[50] in second and names[59] in second and names[0] not in second
    statuses = status.for_period(period)
    # every late or overdue agency's phrase is on the page that lists it
    for i, s in enumerate(statuses):
        if s.result in ("late", "overdue"):
            assert s.text in (first if i < 50 else second), s.agency_name
    page2 = text(client.get(f"/periods/{period.id}/consolidation?trang=2"))
    body = page2.split('id="theo-co-quan"')[1]
    assert plan.assignments[50].agency.name in body and plan.assignments[0].agency.name not in body
    c = status.count(statuses)
    nums = [int(x) for x in re.findall(r'<span class="num">(\d+)</span>', page2)]
    assert nums[:2] == [c.expected, c.received]
