"""The working-day calendar as the services use it."""

from __future__ import annotations

from datetime import date

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
