"""The working-day calendar for any year: statutory holidays from the `holidays` library (VN),
the Government's announced swaps and make-up days as data; the admin page moves between years."""

from __future__ import annotations

from datetime import date

from app.models import CalendarDay
from app.services import calendar as workcal
from app.services import schedule


def test_2027_and_2028_tet_and_national_day_are_days_off(db):
    workcal.seed_years([2027, 2028])
    hol, work = workcal.days_off_and_makeups()
    # Tết Đinh Mùi: mùng 1 is Saturday 06/02/2027; Tết Mậu Thân: mùng 1 is Wednesday 26/01/2028
    tet = [date(2027, 2, 4), date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9)]
    tet += [date(2028, 1, 25), date(2028, 1, 26), date(2028, 1, 27), date(2028, 1, 28)]
    national = [date(2027, 9, 2), date(2027, 9, 3), date(2028, 9, 1), date(2028, 9, 4)]
    for day in tet + national + [date(2028, 9, 2), date(2027, 2, 6)]:
        assert not schedule.is_working_day(day, hol, work), day
    assert schedule.is_working_day(date(2027, 2, 11), hol, work)  # back to work after Tết
    # 2/9/2028 is a Saturday: the library gives Monday 04/09 off in its place
    assert workcal.add_working_days(date(2028, 8, 31), 1) == date(2028, 9, 5)
    assert db.session.get(CalendarDay, date(2027, 2, 8)).name  # named, in Vietnamese


def test_announced_swaps_win_and_carry_their_source(db):
    workcal.seed_years([2026])
    assert db.session.get(CalendarDay, date(2026, 1, 10)).kind == "workday"
    assert db.session.get(CalendarDay, date(2026, 8, 22)).kind == "workday"
    assert db.session.get(CalendarDay, date(2026, 1, 2)).kind == "holiday"
    assert "12729/VPCP-KGVX" in workcal.announced_sources()[2026]
    assert db.session.get(CalendarDay, date(2026, 2, 21)) is None  # a Saturday: off anyway


def test_culture_day_is_configurable(app, db):
    app.config["CALENDAR_CULTURE_DAY"] = False
    try:
        workcal.seed_years([2027])
        assert db.session.get(CalendarDay, date(2027, 11, 24)) is None
    finally:
        app.config["CALENDAR_CULTURE_DAY"] = True
    workcal.seed_years([2027])
    assert db.session.get(CalendarDay, date(2027, 11, 24)).kind == "holiday"


def test_admin_moves_between_years_and_seeds_one(as_admin, db):
    client = as_admin
    page = client.get("/quan-tri/lich?nam=2028").get_data(as_text=True)
    assert "Lịch làm việc năm 2028" in page and "nam=2027" in page and "nam=2029" in page
    assert "Chưa có ngày nghỉ lễ" in page
    assert client.post("/quan-tri/lich/nap", data={"nam": "2028"}).status_code == 302
    page = client.get("/quan-tri/lich?nam=2028").get_data(as_text=True)
    assert "26/01/2028" in page and "Tết Nguyên Đán" in page
    page = client.get("/quan-tri/lich?nam=2026").get_data(as_text=True)
    assert "12729/VPCP-KGVX" in page
    assert client.get("/quan-tri/lich?nam=99999").status_code in (400, 404)
