"""Reporting periods (Decree 09/2019) and working days."""

from datetime import date

from app.services.schedule import add_working_days, periods_for, working_days_between


def test_yearly_periods_of_a_multi_year_plan():
    ps = periods_for({"kind": "yearly", "start": 2023, "end": 2028})
    assert [p.key for p in ps] == ["2023", "2024", "2025", "2026", "2027", "2028"]
    assert (ps[0].starts_on, ps[0].ends_on) == (date(2022, 12, 15), date(2023, 12, 14))
    assert ps[0].due_on == date(2023, 12, 21)  # 14/12/2023 is a Thursday: +5 working days
    assert ps[0].label == "Năm 2023"


def test_cutoff_windows():
    q = periods_for({"kind": "quarterly", "start": 2024, "end": 2024})
    assert [(p.starts_on, p.ends_on) for p in q] == [
        (date(2023, 12, 15), date(2024, 3, 14)),
        (date(2024, 3, 15), date(2024, 6, 14)),
        (date(2024, 6, 15), date(2024, 9, 14)),
        (date(2024, 9, 15), date(2024, 12, 14)),
    ]
    h = periods_for({"kind": "half_yearly", "start": 2024, "end": 2024})
    assert [(p.starts_on, p.ends_on) for p in h] == [
        (date(2023, 12, 15), date(2024, 6, 14)),
        (date(2024, 6, 15), date(2024, 12, 14)),
    ]
    m = periods_for({"kind": "monthly", "start": 2024, "end": 2024})
    assert len(m) == 12
    assert (m[0].starts_on, m[0].ends_on) == (date(2023, 12, 15), date(2024, 1, 14))
    assert (m[4].starts_on, m[4].ends_on) == (date(2024, 4, 15), date(2024, 5, 14))


def test_one_off_period_uses_the_plan_deadline():
    (p,) = periods_for({"kind": "once", "due": "2025-01-01"})
    assert p.due_on == date(2025, 1, 1) and p.kind == "once"


def test_working_days_skip_weekends_holidays_and_count_makeup_days():
    tet = {date(2025, 1, 27) + __import__("datetime").timedelta(days=i) for i in range(7)}
    # Friday 24/01/2025 + 1 working day over Tết (27/01–02/02) is Monday 03/02
    assert add_working_days(date(2025, 1, 24), 1, tet) == date(2025, 2, 3)
    # a Saturday made a working day counts
    assert add_working_days(date(2025, 1, 24), 1, tet, {date(2025, 1, 25)}) == date(2025, 1, 25)
    assert working_days_between(date(2024, 12, 20), date(2024, 12, 27)) == 5
    assert working_days_between(date(2024, 12, 27), date(2024, 12, 20)) == 0
    assert periods_for({"kind": "yearly", "start": 2024, "end": 2024, "due_working_days": 1})[
        0
    ].due_on == date(2024, 12, 16)
