"""Bounded input for every page: the base form class, query arguments, column lengths.

The bounds themselves live in :mod:`forms.bounds` (shared with the form engine and the plan
validator); this module applies them to the app's WTForms forms and to ``request.args``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length

from app.models.base import column_length
from app.services.exceptions import InvalidInput
from forms import bounds

__all__ = ["BoundedForm", "arg_int", "check_query_args", "column_length", "field_problems"]


def _label(field: Any) -> str:
    return str(field.label.text).split(" (")[0]


def _explicit_max(field: Any) -> int | None:
    for v in field.validators:
        if isinstance(v, Length) and v.max is not None and v.max >= 0:
            return int(v.max)
    return None


def field_problems(field: Any) -> list[str]:
    """The bounds a WTForms field's value breaks (text, integer, decimal, date)."""
    data = field.data
    label = _label(field)
    if isinstance(field, StringField):
        if not isinstance(data, str):
            return []
        multiline = isinstance(field, TextAreaField)
        limit = _explicit_max(field) or getattr(field, "kh_max_length", None)
        problem = bounds.text_problem(data, label, max_length=limit, multiline=multiline)
        return [problem] if problem else []
    if isinstance(field, IntegerField):
        problem = bounds.int_problem(data, label)
        return [problem] if problem else []
    if isinstance(field, DecimalField):
        problem = bounds.number_problem(data, label)
        return [problem] if problem else []
    if isinstance(field, DateField):
        problem = bounds.date_problem(data, label)
        return [problem] if problem else []
    return []


class BoundedForm(FlaskForm):
    """Every page form of the app: WTForms' own checks, then the bounds of every field (control
    characters, lengths, ranges, years). A refused form is shown again with what was typed."""

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            problems = field_problems(field)
            if problems:
                field.errors = [*field.errors, *problems]
                ok = False
        return ok


def arg_int(name: str, default: int, low: int, high: int, label: str | None = None) -> int:
    """The query argument ``name`` as an integer from ``low`` to ``high`` (``default`` when
    absent); anything else is refused with a 400 page naming the argument."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = bounds.parse_int(raw, low, high)
    if value is None:
        raise InvalidInput(
            gettext(
                "Tham số “%(name)s” không hợp lệ: phải là số nguyên từ %(low)s đến %(high)s.",
                name=label or name,
                low=low,
                high=high,
            )
        )
    return value


def check_query_args() -> None:
    """Refuse control characters and overlong values in any query argument (a 400 page)."""
    for name, value in request.args.items(multi=True):
        problem = bounds.text_problem(value, name, max_length=bounds.ARG_MAX)
        if problem is None:
            problem = bounds.text_problem(name, name[:40], max_length=100)
        if problem:
            raise InvalidInput(problem)


def init_app(app: Flask) -> None:
    app.before_request(check_query_args)
