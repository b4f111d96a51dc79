"""Excel out (openpyxl): consolidated results, dashboard tables, the register and every list.

Numbers are written as numbers, dates as dates (format dd/mm/yyyy), times in Vietnam time
(dd/mm/yyyy hh:mm), yes/no as "Có"/"Không", text as text (Vietnamese intact; a text starting
with = + - @ is written with a leading apostrophe-equivalent so Calc never runs it as a formula).
Each sheet has a bold header row, frozen panes, an auto filter and sensible column widths."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.services import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
TIME_FORMAT = "DD/MM/YYYY HH:MM"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: list[list[Any]]
    heading: str | None = None  # a title line above the table
    totals: list[Any] | None = None  # a bold last row
    number_formats: dict[int, str] = field(default_factory=dict)  # column index → format


def cell_value(value: Any) -> tuple[Any, str | None]:
    """(what openpyxl writes, number format) for one value."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return ("Có" if value else "Không"), None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(clock.VN).replace(tzinfo=None)
        return value, TIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, (int, float)):
        return value, None
    text = _ILLEGAL.sub("", str(value))
    if text[:1] in ("=", "+", "-", "@"):
        text = "\u200b" + text  # shown the same, never a formula
    return text[:32000], None


def _safe_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Sheet"


def build(sheets: Sequence[Sheet]) -> bytes:
    wb = Workbook()
    for default in list(wb.worksheets):
        wb.remove(default)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="EEF1F5")
    for sheet in sheets:
        ws = wb.create_sheet(_safe_title(sheet.title))
        r = 1
        if sheet.heading:
            ws.cell(row=1, column=1, value=cell_value(sheet.heading)[0]).font = Font(
                bold=True, size=13
            )
            r = 3
        for c, h in enumerate(sheet.header, 1):
            cell = ws.cell(row=r, column=c, value=cell_value(h)[0])
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        header_row = r
        widths = [min(max(len(str(h)), 6), 40) for h in sheet.header]
        body = list(sheet.rows) + ([sheet.totals] if sheet.totals else [])
        for i, row in enumerate(body):
            r += 1
            for c, v in enumerate(row, 1):
                value, fmt = cell_value(v)
                cell = ws.cell(row=r, column=c, value=value)
                fmt = sheet.number_formats.get(c - 1, fmt)
                if fmt:
                    cell.number_format = fmt
                if sheet.totals and i == len(body) - 1:
                    cell.font = bold
                if c <= len(widths):
                    shown = 11 if isinstance(value, (date, datetime)) else len(str(value or ""))
                    widths[c - 1] = min(max(widths[c - 1], shown), 60)
        for c, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(c)].width = w + 2
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        if sheet.rows:
            last = header_row + len(sheet.rows)
            ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(sheet.header))}{last}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def response(filename: str, sheets: Sequence[Sheet]) -> Response:
    """The workbook as a download (``filename`` without extension; Vietnamese kept)."""
    return download(build(sheets), filename)


def download(content: bytes, filename: str) -> Response:
    """An .xlsx file as a download named ``filename`` (without extension)."""
    name = re.sub(r"[\\/:*?\"<>|\r\n]+", "-", filename).strip() or "danh-sach"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", _ascii(name)).strip("-") or "danh-sach"
    resp = Response(content, mimetype=XLSX)
    resp.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}.xlsx\"; filename*=UTF-8''{quote(name)}.xlsx"
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _ascii(text: str) -> str:
    from app.ui import fold

    return fold(text).replace(" ", "-")


# -- the consolidated results of a period --------------------------------------------------


NUMERIC = ("integer", "decimal", "percentage", "computed")


def consolidated_sheets(
    plan_title: str, period_label: str, results: Mapping[str, Any], phrase: Any
) -> list[Sheet]:
    """Agency × field with totals, targets and timeliness; the fields with their totals and
    targets; the completeness summary. Figures as on the consolidation page; ``phrase`` is the
    status module's wording of a result (``app.ui.status_phrase``)."""
    fields = [f for f in results["fields"] if f["rule"] != "none"]
    numeric = [f for f in fields if f["type"] in NUMERIC]
    heading = f"{plan_title} — {period_label}"

    def label(f: dict) -> str:
        return f"{f['label']} ({f['unit']})" if f.get("unit") else f["label"]

    by_agency: dict[str, dict[str, Any]] = {}
    for f in numeric:
        for cell in f["agencies"]:
            by_agency.setdefault(cell["agency_code"], {})[f["name"]] = cell["value"]
    rows = []
    for i, a in enumerate(results["agencies"], 1):
        values = by_agency.get(a["agency_code"], {})
        rows.append(
            [
                i,
                a["agency_name"],
                phrase(a["timeliness"], a.get("days") or 0),
                a.get("days") if a["timeliness"] in ("late", "overdue") else None,
                _when(a.get("submitted_at")),
                *[_number(values.get(f["name"])) for f in numeric],
            ]
        )
    totals = ["", "Tổng cộng", "", None, None, *[_number(f["value"]) for f in numeric]]
    targets = ["", "Mục tiêu", "", None, None, *[_number(f.get("target")) for f in numeric]]
    per_agency = Sheet(
        "Theo cơ quan",
        [
            "STT",
            "Cơ quan",
            "Tình trạng",
            "Số ngày làm việc trễ",
            "Ngày gửi",
            *[label(f) for f in numeric],
        ],
        rows + ([targets] if any(f.get("target") is not None for f in numeric) else []),
        heading=heading,
        totals=totals,
    )
    per_field = Sheet(
        "Theo chỉ tiêu",
        ["Chỉ tiêu", "Đơn vị", "Tổng hợp", "Mục tiêu", "Đạt so với mục tiêu (%)", "Số cơ quan"],
        [
            [
                f["label"],
                f.get("unit") or "",
                _number(f["value"]) if f["type"] in NUMERIC else (f.get("display") or ""),
                _number(f.get("target")) if f.get("target") is not None else f.get("target_label"),
                _number(f.get("percent_of_target")),
                f.get("n"),
            ]
            for f in fields
        ],
        heading=heading,
    )
    s = results["summary"]
    summary = Sheet(
        "Tình hình báo cáo",
        ["Nội dung", "Số cơ quan"],
        [
            ["Phải báo cáo", s.get("expected")],
            ["Đã gửi", s.get("received")],
            ["Được chấp nhận, đưa vào tổng hợp", s.get("included")],
            ["Đúng hạn", s.get("on_time")],
            ["Trễ hạn", s.get("late")],
            ["Quá hạn, chưa gửi", s.get("overdue")],
            ["Chưa đến hạn", s.get("not_yet_due")],
        ],
        heading=heading,
    )
    return [per_agency, per_field, summary]


def _when(v: Any) -> Any:
    """A time from the results (ISO text in JSON) as a datetime."""
    if isinstance(v, str) and v:
        try:
            return date.fromisoformat(v) if len(v) == 10 else datetime.fromisoformat(v)
        except ValueError:
            return v
    return v


def _number(v: Any) -> Any:
    """A figure as a number when it is one (JSON keeps decimals as strings sometimes)."""
    if v is None or isinstance(v, bool) or isinstance(v, (int, float)):
        return v
    try:
        f = float(str(v).replace(",", "."))
    except ValueError:
        return v
    return int(f) if f.is_integer() else f


def rows_of(items: Iterable[Any], columns: Sequence[tuple[str, Any]]) -> Sheet:
    """A sheet from objects and (header, getter) columns."""
    items = list(items)
    return Sheet(
        "Danh sách",
        [h for h, _g in columns],
        [[g(x) for _h, g in columns] for x in items],
    )
