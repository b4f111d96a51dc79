"""Deadlines and activity windows as plans word them (issue 12, point 6): the one place that
turns "trước ngày 25/12", "chậm nhất đến ngày 01 tháng 01 năm 2025", "định kỳ hằng năm trước
ngày 15/12" or "từ ngày 01/12 đến ngày 31/12" into dates. The plan keeps the wording; these
functions give the dates a round runs on.

The rules (docs/plan-format.md, "Deadlines and windows in words"):

- "trước ngày D" (before D): D itself is late, the last day is the day before D. Every other
  wording ("chậm nhất (vào/đến/trong) ngày D", "hạn chót/hạn cuối (là) ngày D", "đến ngày D",
  "trong ngày D", or just "ngày D") makes D the last day.
- D is "25/12", "25-12", "25.12", optionally with "/2024", or "(ngày) 25 tháng 12 (năm 2024)".
- A date without a year repeats each year: for a period it is the occurrence nearest to the
  period's data cut-off ("hằng năm" / "hàng năm" / "định kỳ" only say so explicitly). 29/02 in
  a common year is 28/02.
- A window "từ (ngày) D1 đến (hết) (ngày) D2" (or "D1 - D2"): D2 earlier in the year than D1
  falls in the next year; without years, the occurrence nearest to the plan's first cut-off.

Pure functions, no database: the status module and the loader both call them.
"""

from __future__ import annotations

import calendar as _calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

_NUM = r"(\d{1,2})"
_YEAR = r"(\d{4})"
# "25/12", "25-12-2024", "25.12.2024"
_SHORT = rf"{_NUM}\s*[/.\-]\s*{_NUM}(?:\s*[/.\-]\s*{_YEAR})?"
# "25 tháng 12", "ngày 01 tháng 01 năm 2025"
_LONG = rf"{_NUM}\s+tháng\s+{_NUM}(?:\s*(?:,\s*)?năm\s+{_YEAR})?"
_DATE = rf"(?:ngày\s+)?(?:{_LONG}|{_SHORT})"
DATE_RE = re.compile(_DATE)
_STRICT_RE = re.compile(rf"(?:^|\s)trước\s+{_DATE}")
_YEARLY_RE = re.compile(r"\b(?:hằng|hàng)\s+năm\b|\bđịnh\s+kỳ\b|\bmỗi\s+năm\b")
_WINDOW_RE = re.compile(rf"(?:từ\s+)?(?P<a>{_DATE})\s*(?:đến(?:\s+hết)?|[-–—])\s*(?P<b>{_DATE})")


class DeadlineTextError(ValueError):
    """The wording has no date this module understands; the message is Vietnamese."""


@dataclass(frozen=True)
class DayMonth:
    day: int
    month: int
    year: int | None = None

    def on(self, year: int) -> date:
        """This day in ``year`` (its own year if it has one); 29/02 of a common year is 28/02."""
        y = self.year if self.year is not None else year
        last = _calendar.monthrange(y, self.month)[1]
        return date(y, self.month, min(self.day, last))


@dataclass(frozen=True)
class Deadline:
    """A deadline as worded: ``last`` is the day it names, ``strict`` when that day is already
    late ("trước ngày"), ``yearly`` when it repeats each year."""

    text: str
    named: DayMonth
    strict: bool
    yearly: bool

    def on(self, year: int) -> date:
        """The last day to report, for a period in ``year``."""
        day = self.named.on(year)
        return day - timedelta(days=1) if self.strict else day

    def near(self, cutoff: date) -> date:
        """The last day to report for a period whose data cut-off is ``cutoff``: a date with its
        year is that date; otherwise the occurrence nearest to the cut-off (the later one on a
        tie): "trước ngày 15/12" for the year to 14/12/2025 is 14/12/2025; "trước ngày 25/12"
        for a one-off round cut off on 01/01/2025 is 24/12/2024."""
        if self.named.year is not None:
            return self.on(self.named.year)
        days = [self.on(y) for y in (cutoff.year + 1, cutoff.year, cutoff.year - 1)]
        return min(days, key=lambda d: abs((d - cutoff).days))


@dataclass(frozen=True)
class Window:
    """An activity window, e.g. banners "từ ngày 01/12 đến ngày 31/12"."""

    text: str
    first: DayMonth
    last: DayMonth

    def dates(self, year: int) -> tuple[date, date]:
        """(first day, last day) for ``year``: a year-less end before the start is in the next
        year; a year-less start takes the end's year (or the year before it)."""
        if self.first.year is None and self.last.year is not None:
            end = self.last.on(year)
            start = self.first.on(end.year)
            return (start if start <= end else self.first.on(end.year - 1)), end
        start = self.first.on(year)
        end = self.last.on(start.year)
        if self.last.year is None and end < start:
            end = self.last.on(start.year + 1)
        return start, end

    def near(self, day: date) -> tuple[date, date]:
        """The occurrence of the window nearest to ``day`` (one containing it if any; the later
        one on a tie)."""

        def gap(w: tuple[date, date]) -> int:
            return max((w[0] - day).days, (day - w[1]).days, 0)

        return min((self.dates(y) for y in (day.year + 1, day.year, day.year - 1)), key=gap)


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").lower().split())


def _day_month(groups: tuple[str | None, ...]) -> DayMonth:
    """From the six groups of :data:`DATE_RE` (long form first, then short)."""
    d, m, y = groups[0:3] if groups[0] is not None else groups[3:6]
    assert d is not None and m is not None
    day, month = int(d), int(m)
    year = int(y) if y else None
    if not 1 <= month <= 12:
        raise DeadlineTextError(f"tháng {month} không có thật")
    if not 1 <= day <= _calendar.monthrange(year or 2024, month)[1]:  # 2024: 29/02 allowed
        raise DeadlineTextError(f"ngày {day}/{month:02d} không có thật")
    if year is not None and not 1900 <= year <= 2200:
        raise DeadlineTextError(f"năm {year} không hợp lệ")
    return DayMonth(day, month, year)


@lru_cache(maxsize=1024)
def parse_deadline(text: str) -> Deadline:
    """The deadline a wording names. Raises :class:`DeadlineTextError` (Vietnamese) when there
    is no date in it, or one that does not exist."""
    t = _normal(text)
    found = DATE_RE.search(t)
    if found is None:
        raise DeadlineTextError(
            f"không tìm thấy ngày trong “{text}”; ghi dạng “trước ngày 25/12”, “chậm nhất đến "
            "ngày 01 tháng 01 năm 2025” hoặc “định kỳ hằng năm trước ngày 15/12”"
        )
    strict = _STRICT_RE.search(t)
    # the date the wording is about: the one after "trước" if there is one, else the first
    m = DATE_RE.search(t, strict.start()) if strict else found
    assert m is not None
    return Deadline(
        text=text,
        named=_day_month(m.groups()),
        strict=strict is not None,
        yearly=_YEARLY_RE.search(t) is not None,
    )


@lru_cache(maxsize=1024)
def parse_window(text: str) -> Window:
    """The activity window a wording names ("từ ngày 20/11 đến hết ngày 31/12/2024")."""
    t = _normal(text)
    m = _WINDOW_RE.search(t)
    if m is None:
        raise DeadlineTextError(
            f"không tìm thấy khoảng thời gian trong “{text}”; ghi dạng “từ ngày 01/12 đến "
            "ngày 31/12”"
        )
    a = DATE_RE.fullmatch(m.group("a").strip())
    b = DATE_RE.fullmatch(m.group("b").strip())
    assert a is not None and b is not None
    first, last = _day_month(a.groups()), _day_month(b.groups())
    if first.year is not None and last.year is not None and last.on(1) < first.on(1):
        raise DeadlineTextError(f"ngày kết thúc trước ngày bắt đầu trong “{text}”")
    return Window(text=text, first=first, last=last)


def problem(text: object, window: bool = False) -> str | None:
    """Why ``text`` is no deadline (or window) this module reads, or None."""
    if not isinstance(text, str) or not text.strip():
        return "phải là một câu có ngày, vd. “trước ngày 25/12”"
    try:
        (parse_window if window else parse_deadline)(text)
    except DeadlineTextError as exc:
        return str(exc)
    return None


def due_for_cutoff(text: str, cutoff: date) -> date:
    """The last day to report in a period cut off on ``cutoff``, from a worded deadline
    (raises :class:`DeadlineTextError` on a wording without a date)."""
    return parse_deadline(text).near(cutoff)
