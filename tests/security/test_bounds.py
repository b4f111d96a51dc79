"""Issue 10, finding 4: no 500 on hostile input. Each case names the finding it covers; each is
refused with a Vietnamese message naming the field, and what the user typed is shown again."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Agency, Plan, Role
from app.services import loader
from forms import bounds
from tests.editor.conftest import form_fields
from tests.web.conftest import PASSWORD, login, people, plan  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def _text(resp) -> str:  # noqa: ANN001
    return html.unescape(resp.get_data(as_text=True))


def test_nul_in_anonymous_login_is_refused_naming_the_field(client) -> None:  # noqa: ANN001
    resp = client.post("/auth/login", data={"username": "ad\x00min", "password": "x\x00y"})
    assert resp.status_code == 200
    body = _text(resp)
    assert "«Tên đăng nhập» chứa ký tự điều khiển" in body
    assert 'value="ad' in resp.get_data(as_text=True)  # what was typed is shown again


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\ufffe"])
def test_control_characters_in_an_admin_form_are_refused_and_kept(
    client, make_agency, make_user, db, bad
) -> None:  # noqa: ANN001
    admin = make_user("quantri", make_agency("QT"), [Role.ADMIN], password=PASSWORD)
    db.session.commit()
    login(client, admin)
    data = {
        "code": "MOI-TV",
        "name": f"Sở Mới{bad}tỉnh",
        "abbreviation": "SM",
        "level": "province",
        "place": "Trà Vinh",
        "parent_id": "0",
    }
    resp = client.post("/quan-tri/co-quan/them", data=data)
    assert resp.status_code == 200
    assert "«Tên cơ quan» chứa ký tự điều khiển" in _text(resp)
    assert "Sở Mới" in _text(resp)
    assert db.session.scalar(select(Agency).where(Agency.code == "MOI-TV")) is None


def test_admin_lengths_are_the_columns(client, make_agency, make_user, db) -> None:  # noqa: ANN001
    admin = make_user("quantri", make_agency("QT"), [Role.ADMIN], password=PASSWORD)
    db.session.commit()
    login(client, admin)
    data = {
        "code": "X" * 65,
        "name": "Đ" * 256,
        "abbreviation": "A" * 33,
        "level": "province",
        "place": "P" * 129,
        "parent_id": "0",
    }
    body = _text(client.post("/quan-tri/co-quan/them", data=data))
    for label, n in (("Mã cơ quan", 64), ("Tên cơ quan", 255), ("Chữ viết tắt", 32)):
        assert f"“{label}” dài quá {n} ký tự" in body, label
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 1


@pytest.mark.parametrize(
    ("url", "arg"),
    [
        ("/documents/register?year=-9999999999999999999", "năm"),
        ("/documents/register?year=0", "năm"),
        ("/quan-tri/lich?nam=2147483648", "năm"),
        ("/quan-tri/lich?nam=-1", "năm"),
        ("/quan-tri/nguoi-dung?trang=99999999999999999999999", "trang"),
    ],
)
def test_out_of_range_query_integers_are_a_400_naming_the_argument(
    client, make_agency, make_user, db, url, arg
) -> None:  # noqa: ANN001
    admin = make_user("quantri", make_agency("QT"), [Role.ADMIN], password=PASSWORD)
    db.session.commit()
    login(client, admin)
    resp = client.get(url)
    assert resp.status_code == 400, url
    assert f"Tham số “{arg}” không hợp lệ" in _text(resp)


def test_nul_in_a_query_argument_is_a_400(client, make_agency, make_user, db) -> None:  # noqa: ANN001
    admin = make_user("quantri", make_agency("QT"), [Role.ADMIN], password=PASSWORD)
    db.session.commit()
    login(client, admin)
    resp = client.get("/quan-tri/co-quan?q=a%00b")
    assert resp.status_code == 400
    assert "«q» chứa ký tự điều khiển" in _text(resp)


def _definition() -> dict:
    return loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml")


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("type",), "K" * 17, "type"),
        (("code",), "a" * 129, "code"),
        (("agencies", 0, "name"), "Đ" * 256, "agencies[0].name"),
        (("agencies", 0, "code"), "A" * 65, "agencies[0].code"),
        (("schedule", "remind_days_before"), 10**15, "schedule.remind_days_before"),
        (("schedule", "lock_after_days"), 10**15, "schedule.lock_after_days"),
        (("schedule", "due_working_days"), 10**12, "schedule.due_working_days"),
        (("assignments", 0, "due_working_days"), 10**12, "assignments[0].due_working_days"),
        (("title",), "Kế hoạch\x00", "title"),
        (("schedule", "due"), date(1, 1, 1), "schedule.due"),
        (("number",), 2**31, "number"),
    ],
)
def test_plan_validator_bounds(db, path, value, where) -> None:  # noqa: ANN001
    data = _definition()
    obj = data
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value
    problems = loader.validate(data)
    assert any(p.path == where for p in problems), (where, problems)


def test_deeply_nested_yaml_is_a_problem_not_a_crash() -> None:
    text = "a: " + "[" * 5000 + "]" * 5000
    with pytest.raises(loader.PlanFileError):
        loader.parse_text(text)
    with pytest.raises(loader.PlanFileError):
        loader.parse_text("number: " + "9" * 5000)


def test_a_plan_that_validates_can_be_issued(db) -> None:  # noqa: ANN001
    """The largest values the validator accepts still make a plan whose periods and reminders
    can be computed (the probe's remind_days_before: 1e15 made every release a 500)."""
    from app.services import deadlines, reminders

    data = _definition()
    data["schedule"]["remind_days_before"] = bounds.DAYS_MAX
    data["schedule"]["lock_after_days"] = bounds.DAYS_MAX
    assert loader.validate(data) == []
    p = loader.load(data)
    db.session.commit()
    for period in p.periods:
        for agency in (a.agency_id for a in p.reporting_assignments):
            due = deadlines.effective_due(period, agency)
            assert reminders.run_dates(period, due)[0] < due
            assert deadlines.lock_date(period, agency) > due


def test_editor_number_of_5000_digits_is_a_problem(client, plan, people, db) -> None:  # noqa: ANN001, F811
    spec = people(plan.standing_agency, Role.SPECIALIST)
    login(client, spec)
    fields = form_fields(client.get(f"/editor/{plan.id}").get_data(as_text=True))
    fields["a-0-due_working_days"] = "9" * 5000
    fields["_op"] = "save"
    version = plan.version
    resp = client.post(f"/editor/{plan.id}", data=fields)
    assert resp.status_code == 422
    assert "assignments[0].due_working_days" in resp.get_data(
        as_text=True
    ) or "ngày làm việc" in _text(resp)
    assert "9" * 5000 in resp.get_data(as_text=True)  # what was typed stays in the input
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).version == version
