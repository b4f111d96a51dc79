"""Bounds every input passes before it reaches the database or a document.

One module, shared by the form engine (``forms``), the plan validator and every page form of the
app (``app.inputs``), so that a value one accepts the others store: text without control
characters and within its column, integers within a PostgreSQL ``integer``, numbers with a
bounded count of digits, dates in a sane year range, counts of days a plan can actually use.

Each ``*_problem`` function returns ``None`` for an acceptable value, or a Vietnamese sentence
(translated through :mod:`forms.i18n`) that names the field.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .i18n import _

INT_MIN = -(2**31)  # PostgreSQL ``integer``
INT_MAX = 2**31 - 1
MAX_DIGITS = 18  # digits of a number typed anywhere (the engine's integer/decimal inputs too)
MAX_DECIMALS = 10
YEAR_MIN = 1900
YEAR_MAX = 2199
DAYS_MAX = 366  # a count of (working) days in a plan's schedule: due, lock, reminder
LINE_MAX = 500  # one-line text without a column of its own
LONG_TEXT_MAX = 20000  # several lines of text (reasons, comments, paragraphs)
ARG_MAX = 500  # a query-string parameter

# C0 and C1 control characters, DEL and the non-characters Word cannot store; a long text keeps
# tab and line breaks, a one-line text none of them.
_CONTROL_LONG = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_CONTROL_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_INT_TEXT = re.compile(r"[+-]?\d{1," + str(MAX_DIGITS) + "}")


def control_char(text: str, *, multiline: bool = False) -> str | None:
    """The first control character of ``text`` (tab and line breaks allowed when
    ``multiline``), or None."""
    m = (_CONTROL_LONG if multiline else _CONTROL_LINE).search(text)
    return m.group(0) if m else None


def text_problem(
    text: Any, label: str, *, max_length: int | None = None, multiline: bool = False
) -> str | None:
    """Why ``text`` may not be stored in the field ``label``, or None."""
    if text is None:
        return None
    if not isinstance(text, str):
        return _("«{label}»: phải là văn bản.", label=label)
    bad = control_char(text, multiline=multiline)
    if bad is not None:
        return _(
            "«{label}» chứa ký tự điều khiển không được phép (mã U+{code}); vui lòng xóa ký tự đó.",
            label=label,
            code=f"{ord(bad):04X}",
        )
    limit = max_length if max_length is not None else (LONG_TEXT_MAX if multiline else LINE_MAX)
    if len(text) > limit:
        return _("«{label}» dài quá {n} ký tự (hiện có {m}).", label=label, n=limit, m=len(text))
    return None


def int_problem(value: Any, label: str, low: int = INT_MIN, high: int = INT_MAX) -> str | None:
    """Why ``value`` is not an integer from ``low`` to ``high``, or None (``None`` passes)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return _("«{label}»: phải là số nguyên.", label=label)
    if not low <= value <= high:
        return _("«{label}»: phải từ {low} đến {high}.", label=label, low=low, high=high)
    return None


def number_problem(value: Any, label: str) -> str | None:
    """Why the number ``value`` has too many digits to be stored, or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        return _("«{label}»: phải là số.", label=label)
    if not number.is_finite():
        return _("«{label}»: phải là số.", label=label)
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    whole = max(len(digits) + exponent, 0)
    decimals = max(-exponent, 0)
    if whole > MAX_DIGITS or decimals > MAX_DECIMALS:
        return _(
            "«{label}»: số quá lớn hoặc quá nhiều chữ số (tối đa {n} chữ số phần nguyên, "
            "{d} chữ số thập phân).",
            label=label,
            n=MAX_DIGITS,
            d=MAX_DECIMALS,
        )
    return None


def date_problem(value: Any, label: str) -> str | None:
    """Why the date ``value`` is outside the years the application works with, or None."""
    if value is None:
        return None
    if not isinstance(value, dt.date):
        return _("«{label}»: ngày không hợp lệ.", label=label)
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        return _(
            "«{label}»: năm phải từ {low} đến {high}.", label=label, low=YEAR_MIN, high=YEAR_MAX
        )
    return None


def days_problem(value: Any, label: str, low: int = 0) -> str | None:
    """Why ``value`` is not a count of days a plan's schedule can use (``low``…``DAYS_MAX``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return _("«{label}»: phải là số ngày (số nguyên).", label=label)
    if not low <= value <= DAYS_MAX:
        return _(
            "«{label}»: phải là số ngày từ {low} đến {high}.", label=label, low=low, high=DAYS_MAX
        )
    return None


def parse_int(text: Any, low: int = INT_MIN, high: int = INT_MAX) -> int | None:
    """``text`` as an integer from ``low`` to ``high``, or None — without ever converting a
    thousand-digit string."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if low <= text <= high else None
    s = str(text or "").strip()
    if not _INT_TEXT.fullmatch(s):
        return None
    n = int(s)
    return n if low <= n <= high else None


__all__ = [
    "ARG_MAX",
    "DAYS_MAX",
    "INT_MAX",
    "INT_MIN",
    "LINE_MAX",
    "LONG_TEXT_MAX",
    "MAX_DECIMALS",
    "MAX_DIGITS",
    "YEAR_MAX",
    "YEAR_MIN",
    "control_char",
    "date_problem",
    "days_problem",
    "int_problem",
    "number_problem",
    "parse_int",
    "text_problem",
]
