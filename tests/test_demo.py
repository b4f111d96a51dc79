"""The demo data the first README command loads: alive relative to today, on any date."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app import demo
from app.models import CalendarDay, Extension, Plan, Report, User
from app.services import calendar, clock


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2027, 6, 16)])
def test_demo_is_placed_relative_to_today(db, today):
    clock.set_now(today)
    try:
        assert demo.load_demo() is True
        db.session.commit()
    finally:
        clock.set_now(None)
    plans = {p.code: p for p in db.session.scalars(select(Plan))}
    assert len(plans) == 2
    tv, nt = plans[demo.TRA_VINH], plans[demo.NINH_THUAN]
    # Trà Vinh: open, closing in three working days
    assert tv.status == "in_progress" and tv.symbol == "01/KH-BCĐNQ"
    (round_tv,) = tv.periods
    assert round_tv.status == "open"
    assert round_tv.due_on == calendar.add_working_days(today, 3)
    tv_statuses = sorted(
        r.status for r in db.session.scalars(select(Report).where(Report.plan_id == tv.id))
    )
    assert tv_statuses == ["accepted", "awaiting_approval", "returned", "submitted"]
    # Ninh Thuận: two years ago consolidated, last year late, this year open
    by_year = {int(p.key): p for p in nt.periods}
    y = today.year
    assert by_year[y - 2].status == "consolidated"
    late = by_year[y - 1]
    assert late.status == "open" and late.due_on < today
    reported = {
        r.agency_id for r in db.session.scalars(select(Report).where(Report.period_id == late.id))
    }
    assert 0 < len(reported) < len(nt.reporting_assignments)
    assert by_year[y].status == "open"
    assert db.session.scalar(select(func.count()).select_from(Extension)) == 1
    # the calendar of this year is loaded: 2 September is a day off
    assert db.session.get(CalendarDay, date(y, 9, 2)) is not None or date(y, 9, 2).weekday() >= 5
    roles = set()
    for u in db.session.scalars(select(User)):
        roles |= u.roles
        assert u.check_password(demo.DEMO_PASSWORD)
    assert roles == {"specialist", "clerk", "signer", "reporter", "agency_leader", "admin"}
    assert demo.load_demo() is False  # idempotent
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 2


def test_printed_logins_say_role_and_plan_in_vietnamese(db):
    demo.load_demo()
    db.session.commit()
    lines: list[str] = []
    demo.print_logins(lines.append)
    text = "\n".join(lines)
    assert "mật khẩu chung: kehoach-demo" in text
    # the Trà Vinh specialist is the one of the standing agency (Công an tỉnh), under that plan
    tv_block = text.split("Kế hoạch 01/KH-BCĐNQ")[1].split("\nKế hoạch ")[0]
    assert "chuyenvien.ca-tv" in tv_block and "Chuyên viên – Công an tỉnh" in tv_block
    assert "chuyenvien.bcdnq-tv" not in tv_block
    assert "Cán bộ đầu mối báo cáo" in text and "Lãnh đạo cơ quan" in text
    for english in ("specialist", "agency_leader", "reporter", "clerk", "signer"):
        assert english not in text
