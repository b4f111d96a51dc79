"""The working-day calendar: public holidays and substitute working days, kept as data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class CalendarDay(Model):
    """A day off (``holiday``, including substitute days off) or a weekend working day
    (``workday``, ngày làm bù). An administrator updates them each year."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="holiday")  # holiday | workday
    name: Mapped[str] = mapped_column(String(255))
