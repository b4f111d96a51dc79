"""The working-day calendar as the services use it.

Statutory public holidays come from the kept ``holidays`` library (country VN) for any year;
the Government's yearly announcements (days off swapped, extra days off, Saturday make-up
working days) are data with their source in ``app/data/calendar_announced.yaml``. Both are
seeded into the ``calendar_day`` table, which the administrator may then correct by hand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import holidays as holidays_lib
import yaml
from flask import current_app, g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import CalendarDay
from app.services import schedule

_CACHE = "_kehoach_calendar"


@dataclass
class Days:
    """The calendar's days off and substitute working days, loaded once (per app context: one
    request, one job) and dropped whenever a ``CalendarDay`` is written in this process."""

    holidays: frozenset[date]
    workdays: frozenset[date]
    _late: dict[tuple[date, date], int] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        return schedule.is_working_day(day, self.holidays, self.workdays)

    def add_working_days(self, start: date, n: int) -> date:
        return schedule.add_working_days(start, n, self.holidays, self.workdays)

    def next_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_late(self, due: date, delivered: date) -> int:
        """Working days from the deadline to the delivery: 0 when on time; at least 1 when
        delivered after the deadline (a delivery on a day off counts as the next working day)."""
        if delivered <= due:
            return 0
        key = (due, delivered)
        if key not in self._late:
            self._late[key] = schedule.working_days_between(
                due, self.next_working_day(delivered), self.holidays, self.workdays
            )
        return self._late[key]


def _load() -> Days:
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return Days(
        frozenset(d for d, k in rows if k == "holiday"),
        frozenset(d for d, k in rows if k == "workday"),
    )


def days() -> Days:
    """The calendar, cached for the current app context (one query per request or job)."""
    if not has_app_context():
        return _load()
    cached = g.get(_CACHE)
    if cached is None:
        cached = _load()
        setattr(g, _CACHE, cached)
    return cached


def forget() -> None:
    if has_app_context():
        g.pop(_CACHE, None)


@event.listens_for(Session, "after_flush")
def _calendar_written(session, flush_context) -> None:  # noqa: ANN001
    if any(isinstance(o, CalendarDay) for o in (*session.new, *session.dirty, *session.deleted)):
        forget()


def days_off_and_makeups() -> tuple[set[date], set[date]]:
    """(holidays, substitute working days) from the calendar table."""
    d = days()
    return set(d.holidays), set(d.workdays)


def add_working_days(start: date, n: int) -> date:
    return days().add_working_days(start, n)


def working_days_late(due: date, delivered: date) -> int:
    """Working days between the deadline and the delivery (0 when on time)."""
    return days().working_days_late(due, delivered)


class CalendarFileError(ValueError):
    """A calendar file that cannot be loaded; the message says where and why, in Vietnamese."""


def parse_calendar(text: str) -> list[dict]:
    """The days of a calendar file (``app/data/calendar_announced.yaml``), checked."""
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an impossible date (2025-13-01)
        raise CalendarFileError(
            f"Tệp lịch không đúng cú pháp YAML hoặc có ngày không hợp lệ: {exc}"
        ) from exc
    days = data.get("days") if isinstance(data, dict) else None
    if not isinstance(days, list):
        raise CalendarFileError("Tệp lịch phải có danh sách “days”.")
    out, seen = [], set()
    for i, d in enumerate(days):
        where = f"days[{i}]"
        if not isinstance(d, dict) or not isinstance(d.get("day"), date):
            raise CalendarFileError(f"{where}.day: phải là một ngày hợp lệ (ngày/tháng/năm)")
        if d.get("kind", "holiday") not in ("holiday", "workday"):
            raise CalendarFileError(f"{where}.kind: phải là holiday (nghỉ) hoặc workday (làm bù)")
        if not str(d.get("name") or "").strip():
            raise CalendarFileError(f"{where}.name: thiếu tên ngày")
        if d["day"] in seen:
            raise CalendarFileError(f"{where}.day: ngày {d['day']:%d/%m/%Y} ghi hai lần")
        seen.add(d["day"])
        out.append({"day": d["day"], "kind": d.get("kind", "holiday"), "name": str(d["name"])})
    return out


def load_days(days: list[dict]) -> int:
    """Insert or update the given days (flushed, not committed). Returns how many."""
    for d in days:
        row = db.session.get(CalendarDay, d["day"])
        if row is None:
            db.session.add(CalendarDay(**d))
        else:
            row.kind, row.name = d["kind"], d["name"]
    db.session.flush()
    return len(days)


def load_file(path: str | Path) -> int:
    return load_days(parse_calendar(Path(path).read_text(encoding="utf-8")))


ANNOUNCED_FILE = Path(__file__).resolve().parent.parent / "data" / "calendar_announced.yaml"
CULTURE_DAY = (11, 24)  # Ngày Văn hóa Việt Nam, proposed in 2026: on unless configured off


def default_file() -> Path:
    """The Government's announced swaps and make-up days (statutory days come from the library)."""
    return ANNOUNCED_FILE


def announced_sources() -> dict[int, str]:
    """Year → where that year's announced swaps and make-up days come from."""
    data = yaml.safe_load(ANNOUNCED_FILE.read_text(encoding="utf-8")) or {}
    return {int(y): " ".join(str(s).split()) for y, s in (data.get("sources") or {}).items()}


def _culture_day_on() -> bool:
    if has_app_context():
        return bool(current_app.config.get("CALENDAR_CULTURE_DAY", True))
    return True


def statutory_days(year: int) -> list[dict]:
    """The statutory public holidays of ``year`` (with the library's substitute days off), in
    Vietnamese, weekdays only: a Saturday or Sunday is a day off anyway."""
    lib = holidays_lib.country_holidays("VN", years=[year], language="vi")
    out = []
    for day, name in sorted(lib.items()):
        if day.weekday() >= 5:
            continue
        if (day.month, day.day) == CULTURE_DAY and not _culture_day_on():
            continue
        out.append({"day": day, "kind": "holiday", "name": str(name)})
    return out


def days_for_year(year: int) -> list[dict]:
    """Statutory days of ``year`` merged with the announced ones (announced win on the same day)."""
    merged = {d["day"]: d for d in statutory_days(year)}
    for d in parse_calendar(ANNOUNCED_FILE.read_text(encoding="utf-8")):
        if d["day"].year == year:
            merged[d["day"]] = d
    return [merged[k] for k in sorted(merged)]


def seed_years(years: Iterable[int]) -> int:
    """Insert or update the holidays and make-up days of each year (flushed). Returns how many."""
    return sum(load_days(days_for_year(y)) for y in sorted(set(years)))


def year_problem(year: int) -> str | None:
    """Why ``year`` cannot be seeded, in the user's language, or None."""
    if not 1990 <= year <= 2100:
        return str(_l("Năm phải trong khoảng 1990–2100."))
    return None
