"""The time the services see. Tests and the scheduler may set it; nothing else reads the OS
clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

VN = timezone(timedelta(hours=7), "ICT")
_override: datetime | None = None


def now() -> datetime:
    """The current time, aware, in UTC."""
    return _override if _override is not None else datetime.now(UTC)


def today() -> date:
    """Today's date in Vietnam (UTC+7): deadlines are Vietnamese calendar days."""
    return now().astimezone(VN).date()


def set_now(value: datetime | date | None) -> None:
    """Freeze the clock (``None`` to release it). A date means 09:00 Vietnam time that day."""
    global _override
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, 9, 0, tzinfo=VN)
    _override = value.astimezone(UTC) if value is not None else None
