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
    return ({r.day for r in rows if r.kind == "holiday"}, {r.day for r in rows if r.kind == "workday"})


def add_working_days(start: date, n: int) -> date:
    hol, work = days_off_and_makeups()
    return schedule.add_working_days(start, n, hol, work)


def working_days_late(due: date, delivered: date) -> int:
    """Working days between the deadline and the delivery (0 when on time)."""
    hol, work = days_off_and_makeups()
    return schedule.working_days_between(due, delivered, hol, work)
