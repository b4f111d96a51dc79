"""Helpers shared by the page blueprints: text folding for search, paging, date display,
read-only rendering of report data, and the form-engine blueprint."""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Flask, request

import forms as form_engine
from app.services import clock


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

    def __init__(self, items: list, per_page: int = 20) -> None:
        try:
            number = int(request.args.get("page", 1))
        except ValueError:
            number = 1
        self.total = len(items)
        self.pages = max(1, math.ceil(self.total / per_page))
        self.number = min(max(1, number), self.pages)
        start = (self.number - 1) * per_page
        self.items = items[start:start + per_page]


def vn_date(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.astimezone(clock.VN).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def display_value(spec: Any, value: Any) -> Any:
    """A stored value of a report field as text (groups as a list of row dicts of text)."""
    t = spec.get("type")
    if value is None or value == "" or value == []:
        return "—"
    if t == "yesno":
        return "Có" if value else "Không"
    if t in ("choice", "multichoice"):
        labels = {c["value"]: c["label"] for c in spec.get("choices", [])}
        vals = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(v, str(v)) for v in vals)
    if t == "date":
        return vn_date(value)
    if t == "file":
        return value.get("filename", "tệp") if isinstance(value, dict) else str(value)
    if t == "group":
        return [{c["name"]: display_value(c, row.get(c["name"])) for c in spec.get("fields", [])}
                for row in value]
    if t in ("integer", "decimal", "percentage", "computed"):
        text = str(value).replace(".", ",") if t != "integer" else f"{int(value):,}".replace(",", ".")
        unit = "%" if t == "percentage" else (" " + spec["unit"] if spec.get("unit") else "")
        return f"{text}{unit}"
    return str(value)


def init_app(app: Flask) -> None:
    engine = Blueprint("kehoach_forms", form_engine.__name__,
                       template_folder=form_engine.TEMPLATE_FOLDER,
                       static_folder=form_engine.STATIC_FOLDER,
                       static_url_path="/static/engine")
    app.register_blueprint(engine)
    app.jinja_env.filters["vn_date"] = vn_date
    app.jinja_env.globals["display_value"] = display_value

    @app.context_processor
    def _today() -> dict:
        return {"today": clock.today()}
