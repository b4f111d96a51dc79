"""The one formatting of numbers and dates, for the web (Jinja filters), the form engine and the
documents: Babel's ``vi`` locale for numbers, the Decree 30 rules for dates in running text.

>>> format_number(1234567.5)
'1.234.567,5'
>>> format_number(Decimal("12.0"))
'12'
>>> format_date_text(dt.date(2025, 1, 5))
'ngày 05 tháng 01 năm 2025'
>>> format_date_table(dt.date(2025, 1, 5))
'05/01/2025'

Imports nothing of ``app`` or ``worker`` (``forms`` is the lowest layer), so every layer uses it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal

LOCALE = "vi"
VIETNAM = dt.timezone(dt.timedelta(hours=7))


def to_number(value: Any) -> int | Decimal | None:
    """A stored number (int, float, Decimal or its text "12.50") as int/Decimal; None if not."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def format_number(value: Any, unit: str | None = None) -> str:
    """Vietnamese number: "1.234.567,5", "12" (no trailing zeros), "" for nothing; with
    ``unit`` "12 cái", and "85%" for the unit "%". Text that is not a number is returned as is."""
    number = to_number(value)
    if number is None:
        return "" if value is None or value == "" else str(value)
    text = _decimal_text(isinstance(number, int), str(number))
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


@lru_cache(maxsize=8192)
def _decimal_text(integer: bool, text: str) -> str:
    """Babel's text of the number written ``text`` (an int or a Decimal), kept: a consolidated
    report formats the same figures for thousands of agencies (keyed by the text, so 12 and
    12.0 stay apart)."""
    number = int(text) if integer else Decimal(text)
    return format_decimal(number, locale=LOCALE, decimal_quantization=False)


def format_percent(value: Any) -> str:
    """ "94,44%"."""
    text = format_number(value)
    return f"{text}%" if text else ""


def as_date(value: Any) -> dt.date | None:
    """A date, a datetime (aware: its day in Vietnam) or ISO text as a calendar day."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = (
                dt.datetime.fromisoformat(value)
                if ("T" in value or " " in value)
                else dt.date.fromisoformat(value[:10])
            )
        except ValueError:
            return None
    if isinstance(value, dt.datetime):  # naive: UTC, as the database keeps it
        return value.replace(tzinfo=value.tzinfo or dt.UTC).astimezone(VIETNAM).date()
    if isinstance(value, dt.date):
        return value
    return None


def _month(month: int) -> str:
    # Decree 30: months 1 and 2 are written with a leading zero, the others without
    return f"{month:02d}" if month < 3 else str(month)


def format_date_text(value: Any) -> str:
    """A date in running text (Decree 30): "ngày 05 tháng 01 năm 2025", "ngày 29 tháng 6 năm
    2019"; "" for nothing."""
    d = as_date(value)
    if d is None:
        return ""
    day = f"{d.day:02d}" if d.day < 10 else str(d.day)
    return f"ngày {day} tháng {_month(d.month)} năm {d.year}"


def format_month(month: int) -> str:
    """The month as printed in a date line (01, 02, 3 … 12)."""
    return _month(month)


@lru_cache(maxsize=4096)
def _table_date(d: dt.date) -> str:
    """Babel's "dd/MM/yyyy", kept per day: a page or a document writes the same few days for
    hundreds of lines, and Babel parses the pattern on every call."""
    return _babel_date(d, "dd/MM/yyyy", locale=LOCALE)


def format_date_table(value: Any) -> str:
    """A date in a table cell: "05/01/2025"; a datetime adds its Vietnam time "05/01/2025 14:30";
    "" for nothing."""
    if value is None or value == "":
        return ""
    d = as_date(value)
    if d is None:
        return str(value)
    text = _table_date(d)
    moment = value
    if isinstance(moment, str) and ("T" in moment or " " in moment):
        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError:
            return text
    if isinstance(moment, dt.datetime):
        moment = moment.replace(tzinfo=moment.tzinfo or dt.UTC).astimezone(VIETNAM)
        return f"{text} {moment:%H:%M}"
    return text
