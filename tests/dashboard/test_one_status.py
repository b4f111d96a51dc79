"""Issue 11, point 1: one status of each (period, agency), read everywhere. Each test is one of
the defects the issue lists (lateness four ways, 19 vs 18 overdue, a returned report listed as
received and on time, the reminder ignoring extensions and the chosen new deadline)."""

from __future__ import annotations

import re
from datetime import date, datetime

from app.models import Assignment, Role
from app.services import clock, consolidation, deadlines, reminders, reports, status
from tests.dashboard.conftest import VN, submit
from tests.web.conftest import login
from worker import context as worker_context


def text(resp) -> str:  # noqa: ANN001
    return resp.get_data(as_text=True)


def _returned_not_resubmitted(round_, people):  # noqa: ANN001, ANN202
    """D submits on time, is returned, and never sends again."""
    plan, period = round_["plan"], round_["period"]
    d = plan.reporting_assignments[3].agency
    r = submit(plan, period, d, people, datetime(2024, 12, 22, 10, tzinfo=VN))
    reports.transition(r, "return_for_revision", round_["specialist"], comment="Thiếu số liệu")
    clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
    return d


def test_lateness_is_one_phrase_with_its_unit_everywhere(client, round_, people, db):  # noqa: ANN001
    plan, period = round_["plan"], round_["period"]
    a, b, c = round_["agencies"]
    missing = plan.reporting_assignments[5].agency
    st_missing = status.of(period, missing.id)
    st_late = status.of(period, c.id)
    assert (st_missing.result, st_missing.days) == ("overdue", 5)  # 02,03,06,07,08/01/2025
    assert (st_late.result, st_late.days) == ("late", 3)  # in on Monday 06/01
    overdue_text, late_text = "Quá hạn 5 ngày làm việc", "Trễ 3 ngày làm việc"
    assert (st_missing.text, st_late.text) == (overdue_text, late_text)

    login(client, round_["specialist"])
    for url in (f"/plans/{plan.id}", f"/periods/{period.id}/consolidation"):
        page = text(client.get(url))
        assert overdue_text in page and late_text in page, url
        assert not re.search(r"(Quá hạn|Trễ) \d+ ngày(?! làm việc)", page), url
    login(client, people(missing, Role.REPORTER))
    for url in ("/", "/inbox"):
        page = text(client.get(url))
        assert overdue_text in page, url
        assert not re.search(r"(Quá hạn|Trễ) \d+ ngày(?! làm việc)", page), url
    # the notification the reminder job sends says the same
    reminders.send_reminders(period, date(2025, 1, 8))
    db.session.commit()
    page = text(client.get("/notifications"))
    assert overdue_text.lower() in page


def test_plan_page_dashboard_and_consolidation_count_the_same_overdue(
    client,  # noqa: ANN001
    round_,  # noqa: ANN001
    people,  # noqa: ANN001
    db,  # noqa: ANN001
) -> None:
    plan, period = round_["plan"], round_["period"]
    _returned_not_resubmitted(round_, people)
    db.session.commit()
    n_overdue = status.count(status.for_period(period)).overdue
    assert n_overdue == len(plan.reporting_assignments) - 3  # the returned one is overdue too
    login(client, round_["specialist"])
    page = text(client.get(f"/plans/{plan.id}"))
    assert f"{n_overdue} cơ quan quá hạn chưa gửi báo cáo." in page
    assert page.count("Quá hạn ") == n_overdue
    dash = text(client.get("/"))
    row = re.search(r'<th scope="row">' + re.escape(period.label) + r"</th>(.*?)</tr>", dash, re.S)
    cells = re.findall(r"<td>(\d+)", row.group(1))
    assert cells[4] == str(n_overdue)
    assert consolidation.compute(period)["summary"]["overdue"] == n_overdue


def test_returned_never_accepted_is_not_received_in_the_consolidated_report(
    round_,  # noqa: ANN001
    people,  # noqa: ANN001
    db,  # noqa: ANN001
) -> None:
    period = round_["period"]
    d = _returned_not_resubmitted(round_, people)
    results = consolidation.compute(period)
    row = next(x for x in results["agencies"] if x["agency_code"] == d.code)
    assert row["timeliness"] == "overdue" and not row["received"]
    assert results["summary"]["received"] == 3 and results["summary"]["on_time"] == 2
    # what the document prints: not under "Đúng hạn", not counted as received
    from app.models import Document

    doc = Document(kind="consolidated", agency_id=period.plan.standing_agency_id, title="x")
    doc.period_id, doc.plan_id, doc.snapshot = period.id, period.plan_id, {}
    data, _agencies = worker_context.consolidated_input(doc)
    line = next(t for t in data["timeliness"] if t["agency"] == d.code)
    assert line["status"] == "overdue" and line["submitted_on"] is None


def test_reminder_respects_extensions_own_due_dates_and_the_chosen_new_due(
    round_,  # noqa: ANN001
    people,  # noqa: ANN001
    db,  # noqa: ANN001
) -> None:
    plan, period = round_["plan"], round_["period"]
    extended = plan.reporting_assignments[6].agency
    own_due = plan.reporting_assignments[7]
    still = plan.reporting_assignments[8].agency
    clock.set_now(datetime(2024, 12, 28, 9, tzinfo=VN))
    ext = deadlines.request_extension(
        period, people(extended, Role.REPORTER), date(2025, 1, 20), "Chờ số liệu"
    )
    deadlines.decide_extension(ext, round_["specialist"], grant=True)
    db.session.get(Assignment, own_due.id).due = date(2025, 1, 15)
    db.session.flush()
    clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
    listed = {o["agency"] for o in worker_context.overdue_agencies(period, date(2025, 1, 8))}
    assert still.code in listed
    assert extended.code not in listed and own_due.agency.code not in listed
    doc = reminders.draft_dispatch(
        period, round_["specialist"], unit_abbr="TH", new_due=date(2025, 1, 17)
    )
    assert {o["agency"] for o in doc.snapshot["reminder"]["overdue"]} == listed
    data, _agencies = worker_context.reminder_input(doc)
    assert {o["agency"] for o in data["overdue"]} == listed
    assert data["new_due"] == date(2025, 1, 17)


def test_standing_agency_owes_no_report_to_itself(round_, db) -> None:  # noqa: ANN001
    plan, period = round_["plan"], round_["period"]
    own = next(a for a in plan.assignments if a.agency_id == plan.standing_agency_id)
    assert own.reports and not plan.requires_report(own)
    st = status.of(period, plan.standing_agency_id)
    assert st is not None and st.result == "not_required" and not st.required
    assert plan.standing_agency_id not in {s.agency_id for s in status.for_period(period)}


def test_consolidated_report_only_after_the_round_is_closed(client, round_, people, db):  # noqa: ANN001
    """No dead end: the page offers "Tạo báo cáo tổng hợp" only when drafting succeeds, the
    POST makes the same check, and no second consolidated report follows a released one."""
    from app.models import Document
    from app.services import documents, plans

    plan, period = round_["plan"], round_["period"]
    login(client, round_["specialist"])
    url = f"/periods/{period.id}/consolidation"
    page = text(client.get(url))
    assert "Tạo báo cáo tổng hợp</button>" not in page and "chưa khóa sổ" in page
    resp = client.post(url, follow_redirects=True)
    assert resp.status_code == 200 and "chưa khóa sổ" in text(resp)
    assert db.session.scalar(db.select(db.func.count()).select_from(Document)) == 1  # the plan's
    plans.close_round(period, round_["specialist"])
    db.session.commit()
    assert "Tạo báo cáo tổng hợp</button>" in text(client.get(url))
    assert client.post(url).status_code == 302
    doc = consolidation.consolidated_documents(period)[0]
    documents.transition(doc, "request_signature", round_["specialist"])
    documents.transition(doc, "sign", people(plan.standing_agency, Role.SIGNER))
    documents.transition(doc, "release", people(plan.standing_agency, Role.CLERK))
    db.session.commit()
    assert period.status == "consolidated"
    page = text(client.get(url))
    assert "Tạo báo cáo tổng hợp</button>" not in page and "đã được ban hành" in page
    client.post(url)
    assert len(consolidation.consolidated_documents(period)) == 1


def test_locked_period_offers_no_continue(client, round_, people, db):  # noqa: ANN001
    plan, period = round_["plan"], round_["period"]
    agency = plan.reporting_assignments[5].agency
    reporter = people(agency, Role.REPORTER)
    clock.set_now(datetime(2024, 12, 20, 9, tzinfo=VN))
    r = reports.start_report(plan, period, reporter)
    period.lock_after_days = 3
    clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
    db.session.commit()
    assert status.of(period, agency.id).locked
    login(client, reporter)
    for url in ("/", "/inbox", f"/reports/{r.id}", f"/plans/{plan.id}"):
        page = text(client.get(url))
        assert "Tiếp tục soạn" not in page and "Sửa báo cáo" not in page, url
    assert "cơ quan thường trực có thể mở lại" in text(client.get("/inbox"))
    deadlines.reopen_for(period, agency, round_["specialist"])
    db.session.commit()
    assert "Tiếp tục soạn" in text(client.get("/inbox"))
