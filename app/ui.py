"""Helpers shared by the page blueprints: text folding for search, paging, date display,
read-only rendering of report data, and the form-engine blueprint."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import Blueprint, Flask, has_app_context, request
from flask_babel import get_locale, gettext
from flask_login import current_user
from markupsafe import Markup

import forms as form_engine
from app.services import clock, policy, richtext, status
from forms import bounds
from forms.formatting import as_date, format_date_table, format_date_text, format_number
from forms.i18n import set_translator


def fold(text: Any) -> str:
    """Lower-case text without Vietnamese marks: "Hà Nội" → "ha noi", "Đà" → "da"."""
    s = str(text or "").replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return " ".join(s.lower().split())


def matches(query: str, *texts: Any) -> bool:
    words = fold(query).split()
    hay = " ".join(fold(t) for t in texts)
    return all(w in hay for w in words)


class Page:
    """A page of a Python list."""

    def __init__(self, items: Sequence[Any], per_page: int = 20) -> None:
        number = bounds.parse_int(request.args.get("page", 1), 1, bounds.INT_MAX) or 1
        self.total = len(items)
        self.pages = max(1, math.ceil(self.total / per_page))
        self.number = min(max(1, number), self.pages)
        start = (self.number - 1) * per_page
        self.items = items[start : start + per_page]


def vn_date(value: Any) -> str:
    """A date in a table cell, "05/01/2025" (a timestamp adds its Vietnam time "14:30"):
    :func:`forms.formatting.format_date_table`, the documents' and the form engine's too."""
    return format_date_table(value)


def N_(message: str) -> str:
    """Mark ``message`` for extraction only; it is translated where it is shown."""
    return message


def _as_date(value: Any) -> date | None:
    return as_date(value)


def format_day_month_year(d: date) -> str:
    """ "ngày 05 tháng 01 năm 2020" (Decree 30): :func:`forms.formatting.format_date_text`."""
    return format_date_text(d)


MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _lang() -> str:
    try:
        locale = get_locale()
    except Exception:  # noqa: BLE001  (no request: the primary language)
        locale = None
    return locale.language if locale is not None else "vi"


def date_text(value: Any, lang: str | None = None) -> str:
    """A date in running text: "ngày 05 tháng 01 năm 2025" / "5 January 2025"."""
    d = _as_date(value)
    if d is None:
        return "" if value in (None, "") else str(value)
    if (lang or _lang()) == "en":
        return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    return format_day_month_year(d)


def date_table(value: Any) -> str:
    """A date in a table cell: "05/01/2025" in both languages (a timestamp adds "14:30")."""
    return vn_date(value)


def engine_gettext(message: str) -> str:
    """The form engine's translator: ``gettext`` inside the app, the Vietnamese text outside."""
    return gettext(message) if has_app_context() else message


def translate(message: Any) -> str:
    """Translate a Vietnamese label or message held as data (workflow tables, exceptions)."""
    if message is None or message == "":
        return ""
    return gettext(str(message))


def display_value(spec: Any, value: Any) -> Any:
    """A stored value of a report field as text (groups as a list of row dicts of text)."""
    t = spec.get("type")
    if value is None or value == "" or value == []:
        return "—"
    if t == "yesno":
        return gettext("Có") if value else gettext("Không")
    if t in ("choice", "multichoice"):
        labels = {c["value"]: c["label"] for c in spec.get("choices", [])}
        vals = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(v, str(v)) for v in vals)
    if t == "date":
        return vn_date(value)
    if t == "file":
        return value.get("filename", gettext("tệp")) if isinstance(value, dict) else str(value)
    if t == "group":
        return [
            {c["name"]: display_value(c, row.get(c["name"])) for c in spec.get("fields", [])}
            for row in value
        ]
    if t in ("integer", "decimal", "percentage", "computed"):
        return format_number(value, "%" if t == "percentage" else spec.get("unit"))
    return str(value)


def may(action: str, obj: Any = None) -> bool:
    """Template global ``can(action, obj)``: may the current user do it? (buttons only; the
    services enforce the same policy)."""
    if not current_user.is_authenticated:
        return False
    return policy.can(current_user, action, obj)


def status_text(st: Any) -> str:
    """A status (``app.services.status.Status``) as the user reads it, days with their unit:
    "Đúng hạn", "Trễ 2 ngày làm việc", "Quá hạn 5 ngày làm việc"."""
    if st is None:
        return ""
    return status.phrase(st.result, st.days, gettext)


def status_phrase(result: str, days: int = 0) -> str:
    """The same phrase from a stored result and day count (kept consolidation results)."""
    return status.phrase(result, days or 0, gettext)


def days_text(n: int) -> str:
    """Working days with their unit: "3 ngày làm việc"."""
    return status.days_phrase(n, gettext)


def init_app(app: Flask) -> None:
    engine = Blueprint(
        "kehoach_forms",
        form_engine.__name__,
        template_folder=form_engine.TEMPLATE_FOLDER,
        static_folder=form_engine.STATIC_FOLDER,
        static_url_path="/static/engine",
    )
    app.register_blueprint(engine)
    app.jinja_env.filters["vn_date"] = vn_date
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["date_text"] = date_text
    app.jinja_env.filters["date_table"] = date_table
    app.jinja_env.filters["t"] = translate
    app.jinja_env.filters["status_text"] = status_text
    app.jinja_env.filters["days_text"] = days_text
    app.jinja_env.filters["richtext"] = richtext_html
    set_translator(engine_gettext)
    app.jinja_env.globals["display_value"] = display_value
    app.jinja_env.globals["can"] = may
    app.jinja_env.globals["status_phrase"] = status_phrase

    @app.context_processor
    def _today() -> dict:
        return {"today": clock.today()}


def richtext_html(text: Any) -> Markup:
    """Plan body text (a task, a section's body) as the document prints it: one escaped HTML
    paragraph a line, markers as typed, **bold** and *italic* (:mod:`app.services.richtext`)."""
    return Markup(richtext.to_html(str(text or "")))
