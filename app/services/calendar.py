"""The working-day calendar as the services use it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import g, has_app_context
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
    """The days of a calendar file (``app/data/holidays.yaml``), checked."""
    import yaml

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
            raise CalendarFileError(f"{where}.day: phải là ngày dạng YYYY-MM-DD")
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


def load_file(path) -> int:  # noqa: ANN001
    from pathlib import Path

    return load_days(parse_calendar(Path(path).read_text(encoding="utf-8")))


def default_file():  # noqa: ANN201
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "data" / "holidays.yaml"
