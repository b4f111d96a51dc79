"""A plan recorded as already issued from its file (issue 12, point 3): ``number`` and
``issued_on`` are honoured, checked against the register, audited, and drive the deadlines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Agency, AuditEvent, PeriodStatus, Plan, PlanStatus, RegisterEntry, Role
from app.services import clock, loader, register, status

ROOT = Path(__file__).resolve().parents[2]
TRA_VINH = ROOT / "plans" / "tra-vinh-2024.yaml"


def line_of(text: str, start: str) -> int:
    """1-based number of the first line of ``text`` starting with ``start``."""
    return next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(start))


NUMBER_LINE = line_of(TRA_VINH.read_text(encoding="utf-8"), "number:")
DUE_LINE = line_of(TRA_VINH.read_text(encoding="utf-8"), "  due: 2025-01-01")


def issued_text(number: str = "45", issued_on: str = "2024-11-05", due: str = "2025-01-01") -> str:
    text = TRA_VINH.read_text(encoding="utf-8")
    for old, new in (
        ("number: null ", f"number: {number} "),
        ("issued_on: null", f"issued_on: {issued_on}"),
        ("  due: 2025-01-01", f"  due: {due}"),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    return text


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "issued.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plan_is_recorded_as_issued_with_its_number_and_date(app, db, tmp_path):  # noqa: ANN001
    clock.set_now(date(2025, 1, 10))
    result = app.test_cli_runner().invoke(
        args=["plan", "load", str(write(tmp_path, issued_text()))]
    )
    assert result.exit_code == 0, result.output
    db.session.remove()
    plan = db.session.scalar(select(Plan))
    assert plan.status == PlanStatus.IN_PROGRESS  # issued, and its only round is open
    assert (plan.number, plan.year, plan.issued_on) == (45, 2024, date(2024, 11, 5))
    assert plan.symbol == "45/KH-BCĐNQ"
    entry = db.session.scalar(select(RegisterEntry))
    assert (entry.number, entry.year, entry.symbol) == (45, 2024, "45/KH-BCĐNQ")
    assert entry.issued_on == date(2024, 11, 5) and entry.summary == plan.title
    # the register goes on after the recorded number: no duplicate later
    assert register.next_number(plan.issuer_id, 2024) == 46
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "record_issued"))
    assert event.from_state == "draft" and event.to_state == "issued"
    assert "45/KH-BCĐNQ" in event.comment and "05/11/2024" in event.comment
    # deadlines are the plan's, lateness counts from them (not from the day it was entered)
    (period,) = plan.periods
    assert period.status == PeriodStatus.OPEN and period.due_on == date(2025, 1, 1)
    states = status.for_period(period, today=date(2025, 1, 10))
    assert states and all(s.result == status.Result.OVERDUE for s in states)
    assert {s.days for s in states} == {7}  # 02/01 … 10/01, working days


def test_a_number_already_in_the_register_is_refused(app, db, tmp_path):  # noqa: ANN001
    runner = app.test_cli_runner()
    first = runner.invoke(args=["plan", "load", str(TRA_VINH)])
    assert first.exit_code == 0, first.output
    issuer = db.session.scalar(select(Agency).where(Agency.code == "BCDNQ-TV"))
    register.register(issuer, "KH", "Kế hoạch khác", date(2024, 3, 1))  # takes number 1
    db.session.commit()
    path = write(tmp_path, issued_text(number="1"))
    result = runner.invoke(args=["plan", "load", str(path)])
    assert result.exit_code == 1
    assert f"Tệp kế hoạch {path} không hợp lệ" in result.output
    assert f"dòng {NUMBER_LINE}, number: số 1 năm 2024 của BCĐNQ đã có trong sổ" in result.output
    assert "01/KH-BCĐNQ ngày 01/03/2024: Kế hoạch khác" in result.output
    db.session.remove()
    plan = db.session.scalar(select(Plan))
    assert plan.status == PlanStatus.DRAFT and plan.number is None
    assert db.session.scalar(select(RegisterEntry.number).where(RegisterEntry.number != 1)) is None


def test_a_deadline_before_the_issue_date_is_refused_naming_the_line():  # noqa: D103
    with pytest.raises(loader.PlanFileError) as exc:
        loader.parse_text(issued_text(issued_on="2025-02-01"), "issued.yaml")
    (problem,) = exc.value.problems
    assert (problem.path, problem.line) == ("schedule.due", DUE_LINE)
    assert problem.message == "hạn 01/01/2025 trước ngày ban hành 01/02/2025 (issued_on)"


def test_number_and_date_go_together():  # noqa: D103
    text = issued_text().replace("issued_on: 2024-11-05", "issued_on: null", 1)
    with pytest.raises(loader.PlanFileError) as exc:
        loader.parse_text(text, "issued.yaml")
    (problem,) = exc.value.problems
    assert problem.path == "issued_on" and "tệp chỉ có number" in problem.message


def test_only_the_issuers_clerk_records_an_issued_plan(app, db, people, make_user):  # noqa: ANN001
    plan = loader.load(loader.parse_file(TRA_VINH))  # the system sets up agencies and the draft
    db.session.commit()
    data = loader.parse_text(issued_text(), "issued.yaml")
    specialist = people(plan.issuer, Role.SPECIALIST)
    with pytest.raises(loader.PlanFileError) as exc:
        loader.load(data, specialist)
    assert exc.value.problems[0].path == "number"
    assert "Chỉ văn thư của cơ quan ban hành" in str(exc.value)
    db.session.rollback()
    assert db.session.scalar(select(Plan)).status == PlanStatus.DRAFT
    clerk = make_user("vt.bcdnq", plan.issuer, [Role.SPECIALIST, Role.CLERK])
    loaded = loader.load(data, clerk)
    assert loaded.status in (PlanStatus.ISSUED, PlanStatus.IN_PROGRESS)
    assert loaded.symbol == "45/KH-BCĐNQ"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "record_issued"))
    assert event.actor_id == clerk.id
