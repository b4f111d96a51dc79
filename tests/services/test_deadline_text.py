"""Deadlines and windows in words (app.services.deadline_text): unit and property tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services import deadline_text as dt
from app.services.schedule import periods_for

CASES = [
    # wording, cut-off of the period, last day to report
    ("trước ngày 25/12", date(2025, 1, 1), date(2024, 12, 24)),
    ("Trước ngày 25/12", date(2024, 12, 14), date(2024, 12, 24)),
    ("chậm nhất đến ngày 01 tháng 01 năm 2025", date(2030, 6, 1), date(2025, 1, 1)),
    ("chậm nhất ngày 28/12", date(2025, 1, 5), date(2024, 12, 28)),
    ("định kỳ hằng năm trước ngày 15/12", date(2025, 12, 14), date(2025, 12, 14)),
    ("gửi về Sở trước ngày 15 tháng 12 hằng năm", date(2026, 12, 14), date(2026, 12, 14)),
    ("hạn chót là ngày 10-01-2025", date(2024, 12, 14), date(2025, 1, 10)),
    ("trong ngày 05.01", date(2024, 12, 31), date(2025, 1, 5)),
    ("chậm nhất vào ngày 29/02", date(2025, 3, 1), date(2025, 2, 28)),
    ("chậm nhất vào ngày 29/02", date(2024, 3, 1), date(2024, 2, 29)),
    ("báo cáo 6 tháng trước ngày 20/6", date(2025, 6, 14), date(2025, 6, 19)),
]


@pytest.mark.parametrize(("text", "cutoff", "due"), CASES)
def test_worded_deadlines(text, cutoff, due):  # noqa: ANN001
    assert dt.due_for_cutoff(text, cutoff) == due
    assert dt.problem(text) is None


def test_strict_and_yearly_are_read_from_the_wording():
    d = dt.parse_deadline("định kỳ hằng năm trước ngày 15/12")
    assert d.strict and d.yearly and d.named == dt.DayMonth(15, 12)
    d = dt.parse_deadline("chậm nhất đến ngày 01 tháng 01 năm 2025")
    assert not d.strict and not d.yearly and d.named == dt.DayMonth(1, 1, 2025)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("trước tết", "không tìm thấy ngày"),
        ("trước ngày 31/02", "không có thật"),
        ("trước ngày 12/13", "tháng 13 không có thật"),
        ("", "phải là một câu có ngày"),
    ],
)
def test_wordings_without_a_date_are_refused_in_vietnamese(text, message):  # noqa: ANN001
    assert message in (dt.problem(text) or "")


def test_windows():
    w = dt.parse_window("từ ngày 01/12 đến ngày 31/12")
    assert w.dates(2024) == (date(2024, 12, 1), date(2024, 12, 31))
    assert w.near(date(2025, 1, 1)) == (date(2024, 12, 1), date(2024, 12, 31))
    w = dt.parse_window("Treo từ ngày 20/11 đến hết ngày 31/12/2024")
    assert w.dates(2030) == (date(2024, 11, 20), date(2024, 12, 31))
    assert dt.parse_window("20/11 - 10/01").dates(2024) == (date(2024, 11, 20), date(2025, 1, 10))
    assert "khoảng thời gian" in (dt.problem("ngày 01/12", window=True) or "")
    assert "trước ngày bắt đầu" in (
        dt.problem("từ ngày 01/12/2024 đến ngày 31/10/2024", window=True) or ""
    )


def test_a_schedule_deadline_in_words_gives_each_period_its_date():
    yearly = {"kind": "yearly", "start": 2023, "end": 2025, "deadline_text": "trước ngày 15/12"}
    assert [p.due_on for p in periods_for(yearly)] == [
        date(2023, 12, 14),
        date(2024, 12, 14),
        date(2025, 12, 14),
    ]
    once = {"kind": "once", "deadline_text": "chậm nhất đến ngày 01 tháng 01 năm 2025"}
    assert [p.due_on for p in periods_for(once)] == [date(2025, 1, 1)]
    # a wording without a date keeps the working-day rule
    plain = {"kind": "yearly", "start": 2024, "end": 2024, "deadline_text": "định kỳ hằng năm"}
    assert periods_for(plain)[0].due_on > date(2024, 12, 14)


# -- properties ------------------------------------------------------------------------------

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31))
LEADS = ["trước ngày", "chậm nhất đến ngày", "chậm nhất vào ngày", "hạn chót là ngày", "ngày"]


def _words(day: date, long: bool, with_year: bool) -> str:
    if long:
        return f"{day.day:02d} tháng {day.month:02d}" + (f" năm {day.year}" if with_year else "")
    return f"{day.day:02d}/{day.month:02d}" + (f"/{day.year}" if with_year else "")


@given(day=days, lead=st.sampled_from(LEADS), long=st.booleans())
def test_a_date_with_its_year_is_that_date_whatever_the_cutoff(day, lead, long):  # noqa: ANN001
    text = f"{lead} {_words(day, long, True)}"
    due = dt.due_for_cutoff(text, date(2000, 6, 1))
    assert due == (day - timedelta(days=1) if lead == "trước ngày" else day)


@given(day=days, cutoff=days, lead=st.sampled_from(LEADS), long=st.booleans())
def test_a_date_without_year_is_the_occurrence_nearest_the_cutoff(day, cutoff, lead, long):  # noqa: ANN001
    text = f"định kỳ hằng năm {lead} {_words(day, long, False)}"
    due = dt.due_for_cutoff(text, cutoff)
    assert abs((due - cutoff).days) <= 184  # within half a year (and a day) of the cut-off
    named = due + timedelta(days=1) if lead == "trước ngày" else due
    assert named.month == day.month
    assert named.day == day.day or (day.month, day.day) == (2, 29)
    assert dt.parse_deadline(text).text == text  # the wording is kept as written


@given(first=days, length=st.integers(min_value=0, max_value=360), year=st.integers(1990, 2150))
def test_a_window_without_years_runs_forward(first, length, year):  # noqa: ANN001
    last = first + timedelta(days=length)
    w = dt.parse_window(
        f"từ ngày {_words(first, False, False)} đến ngày {_words(last, True, False)}"
    )
    start, end = w.dates(year)
    assert start <= end and (end - start).days <= 366
    assert start.year == year
