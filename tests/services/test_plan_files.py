"""``kehoach plan load`` as an administrator uses it (issue 12, point 9): on a fresh instance,
reloading a file, wrong dates."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.extensions import db as _db
from app.models import AuditEvent, Plan, PlanStatus
from app.services import loader
from tests.conftest import PG_ADMIN_URL, make_app

ROOT = Path(__file__).resolve().parents[2]
TRA_VINH = ROOT / "plans" / "tra-vinh-2024.yaml"


def variant(tmp_path: Path, old: str, new: str, name: str = "plan.yaml") -> Path:
    text = TRA_VINH.read_text(encoding="utf-8")
    assert old in text
    out = tmp_path / name
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


@pytest.fixture
def fresh_url(backend, tmp_path):  # noqa: ANN001, ANN201
    """A database with no schema at all."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    name = f"kehoach_fresh_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            sa.engine.make_url(PG_ADMIN_URL)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_load_on_a_fresh_instance_creates_the_schema(backend, fresh_url):  # noqa: ANN001
    app = make_app(backend, create_schema=False, SQLALCHEMY_DATABASE_URI=fresh_url)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["plan", "load", str(TRA_VINH)])
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        assert "đã nạp kế hoạch “tra-vinh-2024-nhan-quyen”" in result.output
        assert _db.session.scalar(select(sa.func.count(Plan.id))) == 1
        assert sa.inspect(_db.engine).has_table("alembic_version")
        # a second run finds the schema current and does not migrate again
        again = app.test_cli_runner().invoke(args=["plan", "load", str(TRA_VINH)])
        assert again.exit_code == 0, again.output
        assert "đang tạo/cập nhật" not in again.output
        _db.session.remove()
        _db.engine.dispose()


def test_load_says_what_to_run_when_the_database_cannot_be_reached(tmp_path):  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'no-such-dir' / 'x.sqlite3'}"
    app = make_app("sqlite", create_schema=False, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["plan", "load", str(TRA_VINH)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "kehoach init-db" in result.output
    assert result.output.count("\n") == 1  # one sentence


def test_reloading_the_same_file_updates_the_draft(app, db, tmp_path):  # noqa: ANN001
    runner = app.test_cli_runner()
    first = runner.invoke(args=["plan", "load", str(TRA_VINH)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["plan", "load", str(TRA_VINH)])
    assert again.exit_code == 0, again.output
    assert "đã có" not in again.output
    edited = variant(tmp_path, 'title: "Triển khai đợt', 'title: "Sửa: Triển khai đợt')
    third = runner.invoke(args=["plan", "load", str(edited)])
    assert third.exit_code == 0, third.output
    db.session.remove()
    plans = list(db.session.scalars(select(Plan)))
    assert len(plans) == 1 and plans[0].title.startswith("Sửa: Triển khai đợt")
    assert plans[0].status == PlanStatus.DRAFT
    actions = list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "plan")
            .order_by(AuditEvent.id)
        )
    )
    assert actions == ["create", "edit", "edit"]


def test_reloading_an_issued_plan_is_refused_with_the_file_and_reason(app, db):  # noqa: ANN001
    runner = app.test_cli_runner()
    assert runner.invoke(args=["plan", "load", str(TRA_VINH)]).exit_code == 0
    plan = db.session.scalar(select(Plan))
    plan.status, plan.number, plan.year = PlanStatus.ISSUED, 12, 2024
    plan.symbol = "12/KH-BCĐ"
    plan.issued_on = __import__("datetime").date(2024, 11, 5)
    db.session.commit()
    result = runner.invoke(args=["plan", "load", str(TRA_VINH)])
    assert result.exit_code == 1
    assert f"Tệp kế hoạch {TRA_VINH} không hợp lệ" in result.output
    assert "đã ban hành (số 12/KH-BCĐ ngày 05/11/2024)" in result.output
    assert "Traceback" not in result.output
    db.session.remove()
    assert db.session.scalar(select(Plan)).status == PlanStatus.ISSUED


@pytest.mark.parametrize(
    ("wrong", "shown"),
    [("01/01/2025", "01/01/2025"), ("2025-02-30", "2025-02-30"), ("'ngày mai'", "ngày mai")],
)
def test_a_wrong_date_is_reported_as_wrong_not_missing(app, tmp_path, wrong, shown):  # noqa: ANN001
    path = variant(tmp_path, "  due: 2025-01-01", f"  due: {wrong}")
    with pytest.raises(loader.PlanFileError) as exc:
        loader.parse_file(path)
    (problem,) = exc.value.problems
    due_line = next(
        i for i, ln in enumerate(path.read_text().splitlines(), 1) if ln.startswith("  due: ")
    )
    assert problem.path == "schedule.due" and problem.line == due_line
    assert f"ngày “{shown}” sai dạng" in problem.message
    assert "YYYY-MM-DD" in problem.message and "thiếu" not in problem.message
    result = app.test_cli_runner().invoke(args=["plan", "check", str(path)])
    assert result.exit_code == 1
    assert f"dòng {due_line}, schedule.due: ngày “{shown}” sai dạng" in result.output
    assert str(path) in result.output


def test_a_missing_due_date_is_still_reported_as_missing(tmp_path):  # noqa: ANN001
    # (with the wording "chậm nhất đến ngày 01 tháng 01 năm 2025" the date is read from it:
    # tests/services/test_assignments.py)
    path = variant(tmp_path, "  due: 2025-01-01", "  due:")
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('  deadline_text: "chậm nhất đến ngày 01 tháng 01 năm 2025"\n', ""),
        encoding="utf-8",
    )
    with pytest.raises(loader.PlanFileError) as exc:
        loader.parse_file(path)
    (problem,) = exc.value.problems
    assert problem.path == "schedule.due" and "thiếu ngày" in problem.message


def test_a_wrong_assignment_due_date_names_its_path(tmp_path):  # noqa: ANN001
    path = variant(
        tmp_path, "  - agency: STTTT-TV\n", "  - agency: STTTT-TV\n    due: 31/12/2024\n"
    )
    with pytest.raises(loader.PlanFileError) as exc:
        loader.parse_file(path)
    (problem,) = exc.value.problems
    assert problem.path == "assignments[0].due"
    assert "“31/12/2024” sai dạng" in problem.message
