"""The working-day calendar as the services use it.

Statutory public holidays come from the kept ``holidays`` library (country VN) for any year;
the Government's yearly announcements (days off swapped, extra days off, Saturday make-up
working days) are data with their source in ``app/data/calendar_announced.yaml``. Both are
seeded into the ``calendar_day`` table, which the administrator may then correct by hand."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import holidays as holidays_lib
import yaml
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import CalendarDay
from app.services import schedule


def days_off_and_makeups() -> tuple[set[date], set[date]]:
    """(holidays, substitute working days) from the calendar table."""
    rows = db.session.scalars(select(CalendarDay)).all()
    return (
        {r.day for r in rows if r.kind == "holiday"},
        {r.day for r in rows if r.kind == "workday"},
    )


def add_working_days(start: date, n: int) -> date:
    hol, work = days_off_and_makeups()
    return schedule.add_working_days(start, n, hol, work)


def working_days_late(due: date, delivered: date) -> int:
    """Working days between the deadline and the delivery (0 when on time)."""
    hol, work = days_off_and_makeups()
    return schedule.working_days_between(due, delivered, hol, work)


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
