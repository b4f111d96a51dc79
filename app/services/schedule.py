"""Reporting periods (Decree 09/2019/NĐ-CP) and working days. Pure functions: no database.

Data cut-off windows (chốt số liệu), from FORMAT.md §7:
monthly 15th of the previous month → 14th; quarterly 15th of the month before the quarter → 14th
of its last month; half-year 15/12 of the previous year → 14/6 (and 15/6 → 14/12); yearly 15/12 of
the previous year → 14/12. The deadline is the cut-off plus N working days (at least one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from app.services import deadline_text

KINDS = ("once", "yearly", "half_yearly", "quarterly", "monthly")
KIND_LABELS = {
    "once": "Một lần",
    "yearly": "Hằng năm",
    "half_yearly": "Sáu tháng",
    "quarterly": "Hằng quý",
    "monthly": "Hằng tháng",
}


@dataclass(frozen=True)
class PeriodSpec:
    """One reporting period: its key, label, cut-off window and deadline."""

    key: str
    label: str
    kind: str
    starts_on: date
    ends_on: date
    due_on: date


def is_working_day(day: date, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> bool:
    """Monday–Friday, not a public holiday; ``workdays`` are weekend days made working days
    (ngày làm bù)."""
    if day in set(workdays):
        return True
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(
    start: date, n: int, holidays: Iterable[date] = (), workdays: Iterable[date] = ()
) -> date:
    """The date ``n`` working days after ``start`` (n ≥ 0; n = 0 gives the first working day on
    or after ``start``)."""
    hol, work = set(holidays), set(workdays)
    day = start
    if n == 0:
        while not is_working_day(day, hol, work):
            day += timedelta(days=1)
        return day
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day, hol, work):
            counted += 1
    return day


def working_days_between(
    start: date, end: date, holidays: Iterable[date] = (), workdays: Iterable[date] = ()
) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end ≤ start)."""
    hol, work = set(holidays), set(workdays)
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, hol, work):
            n += 1
    return n


def _window(kind: str, year: int, index: int) -> tuple[date, date, str, str]:
    if kind == "yearly":
        return date(year - 1, 12, 15), date(year, 12, 14), f"{year}", f"Năm {year}"
    if kind == "half_yearly":
        if index == 1:
            return (
                date(year - 1, 12, 15),
                date(year, 6, 14),
                f"{year}-H1",
                f"6 tháng đầu năm {year}",
            )
        return date(year, 6, 15), date(year, 12, 14), f"{year}-H2", f"6 tháng cuối năm {year}"
    if kind == "quarterly":
        last_month = index * 3
        first_month = last_month - 2
        start = date(year - 1, 12, 15) if first_month == 1 else date(year, first_month - 1, 15)
        return start, date(year, last_month, 14), f"{year}-Q{index}", f"Quý {index} năm {year}"
    if kind == "monthly":
        start = date(year - 1, 12, 15) if index == 1 else date(year, index - 1, 15)
        return start, date(year, index, 14), f"{year}-{index:02d}", f"Tháng {index} năm {year}"
    raise ValueError(f"unknown period kind {kind!r}")


def periods_for(
    schedule: dict, holidays: Iterable[date] = (), workdays: Iterable[date] = ()
) -> list[PeriodSpec]:
    """The periods of a plan's ``schedule`` (docs/plan-format.md).

    ``once``: one period ending at ``cutoff`` (or the deadline) and due at ``due``.
    Periodic kinds: every period of every year from ``start`` to ``end``; the deadline is
    ``due_working_days`` (default 5, at least 1) working days after the cut-off.
    """
    kind = schedule.get("kind", "once")
    worded = _worded_deadline(schedule)
    if kind == "once":
        if schedule.get("due") not in (None, ""):
            due = _as_date(schedule["due"])
        else:  # "chậm nhất đến ngày 01 tháng 01 năm 2025": the wording names the date
            assert worded is not None and worded.named.year is not None
            due = worded.on(worded.named.year)
        cutoff = _as_date(schedule.get("cutoff") or due)
        starts = _as_date(schedule.get("starts") or cutoff)
        return [PeriodSpec("once", "Báo cáo kết quả", "once", starts, cutoff, due)]
    n_days = max(1, int(schedule.get("due_working_days", 5)))
    per_year = {"yearly": 1, "half_yearly": 2, "quarterly": 4, "monthly": 12}[kind]
    out = []
    for year in range(int(schedule["start"]), int(schedule["end"]) + 1):
        for i in range(1, per_year + 1):
            start, end, key, label = _window(kind, year, i)
            if worded is not None:  # "định kỳ hằng năm trước ngày 15/12"
                due = worded.near(end)
            else:
                due = add_working_days(end, n_days, holidays, workdays)
            out.append(PeriodSpec(key, label, kind, start, end, due))
    return out


def _worded_deadline(schedule: dict) -> deadline_text.Deadline | None:
    """The deadline ``deadline_text`` names, if it names a date ("định kỳ hằng năm" alone does
    not: the deadline is then ``due`` or the working-day offset)."""
    text = schedule.get("deadline_text")
    if not isinstance(text, str) or deadline_text.problem(text) is not None:
        return None
    return deadline_text.parse_deadline(text)


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
