"""Excel in: an agency fills a report's repeating rows (e.g. its activities) in a sheet made
from a downloadable template, then uploads it. Every row and column is checked with the form's
own field rules; any error refuses the whole file, naming the row and the column, and nothing
is saved."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

import forms as form_engine
from app.services.exceptions import InvalidInput
from app.ui import fold

SHEET = "Nhập liệu"
LISTS = "Danh mục"
MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS = 20


class RowsUploadError(InvalidInput):
    """The uploaded sheet cannot be taken; ``problems`` lists each in a sentence."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(str(_l("Tệp Excel có lỗi; chưa lưu dòng nào.")))
        self.problems = problems


def group_spec(schema: dict, name: str) -> Any:
    parsed = form_engine.parse_schema(schema)
    for spec in parsed.fields:
        if spec.type_name == "group" and spec.name == name:
            return spec
    return None


def _columns(group: Any) -> list[Any]:
    return [c for c in group.fields if c.type_name not in ("computed", "file")]


def _header(col: Any) -> str:
    text = col.label + (f" ({col.unit})" if getattr(col, "unit", None) else "")
    return text + (" *" if col.required else "")


def template(group: Any, rows: list[dict] | None = None) -> bytes:
    """The sheet to fill: one column per field of a row (required ones marked *), a drop-down
    for choices and yes/no, dates as dates; the rows already in the report, if any."""
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = SHEET
    lists = wb.create_sheet(LISTS)
    cols = _columns(group)
    bold = Font(bold=True)
    for c, col in enumerate(cols, 1):
        cell = ws.cell(row=1, column=c, value=_header(col))
        cell.font, cell.fill = bold, PatternFill("solid", fgColor="EEF1F5")
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = max(14, min(len(_header(col)) + 4, 50))
        options: list[str] = []
        if col.type_name in ("choice", "multichoice"):
            options = [ch.label for ch in col.choices]
        elif col.type_name == "yesno":
            options = ["Có", "Không"]
        if options and col.type_name != "multichoice":
            for i, label in enumerate(options, 1):
                lists.cell(row=i, column=c, value=label)
            dv = DataValidation(
                type="list",
                formula1=f"='{LISTS}'!${letter}$1:${letter}${len(options)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=str(_l("Lựa chọn không hợp lệ")),
                error=str(_l("Chọn một giá trị trong danh sách.")),
            )
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{group.effective_max_rows + 1}")
        if col.type_name == "date":
            for r in range(2, group.effective_max_rows + 2):
                ws.cell(row=r, column=c).number_format = "DD/MM/YYYY"
    for r, row in enumerate(rows or [], 2):
        for c, col in enumerate(cols, 1):
            value = row.get(col.name)
            if col.type_name == "date" and value:
                value = date.fromisoformat(str(value)[:10])
            elif col.type_name == "choice":
                value = next((ch.label for ch in col.choices if ch.value == value), value)
            elif col.type_name == "multichoice" and isinstance(value, list):
                value = "; ".join(ch.label for ch in col.choices if ch.value in value)
            elif col.type_name == "yesno" and value is not None:
                value = "Có" if value else "Không"
            ws.cell(row=r, column=c, value=value)
    ws.freeze_panes = "A2"
    lists.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _raw(col: Any, value: Any) -> str:
    """The cell as the text a person would type in the form."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    if col.type_name == "choice":
        wanted = fold(text)
        for ch in col.choices:
            if fold(ch.label) == wanted or fold(ch.value) == wanted:
                return ch.value
    return text


def parse(group: Any, content: bytes) -> list[dict]:
    """The rows of an uploaded sheet as the report stores them; ``RowsUploadError`` naming row
    and column for every problem (at most ``MAX_ERRORS``)."""
    if len(content) > MAX_BYTES:
        raise RowsUploadError([str(_l("Tệp quá lớn (tối đa 5 MB)."))])
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise RowsUploadError(
            [str(_l("Không đọc được tệp: hãy dùng tệp Excel (.xlsx) tải từ mẫu."))]
        ) from None
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    cols = _columns(group)
    by_header = {fold(_header(c).rstrip(" *")): c for c in cols}
    by_header.update({fold(c.label): c for c in cols})
    rows_iter = ws.iter_rows(values_only=True)
    try:
        head = next(rows_iter)
    except StopIteration:
        raise RowsUploadError([str(_l("Tệp không có dòng tiêu đề."))]) from None
    positions: dict[int, Any] = {}
    for i, h in enumerate(head or ()):
        col = by_header.get(fold(str(h or "")).rstrip(" *").strip())
        if col is not None:
            positions[i] = col
    missing = [c.label for c in cols if c not in positions.values()]
    if missing:
        raise RowsUploadError(
            [
                str(_l("Thiếu cột “%(col)s” ở dòng tiêu đề (dòng 1).", col=label))
                for label in missing
            ]
        )
    problems: list[str] = []
    out: list[dict] = []
    for n, values in enumerate(rows_iter, 2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(out) >= group.effective_max_rows:
            problems.append(
                str(
                    _l(
                        "Dòng %(row)s: quá số dòng tối đa (%(max)s).",
                        row=n,
                        max=group.effective_max_rows,
                    )
                )
            )
            break
        row: dict[str, Any] = {}
        for i, col in positions.items():
            raw = _raw(col, values[i] if i < len(values) else None)
            where = str(_l("Dòng %(row)s, cột “%(col)s”", row=n, col=col.label))
            try:
                value = col.parse_input(raw)
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
                continue
            if value is None:
                if col.required:
                    problems.append(str(_l("%(where)s: chưa nhập.", where=where)))
                continue
            for msg in col.limit_errors(value):
                problems.append(f"{where}: {msg}")
            row[col.name] = col.to_json(value)
        out.append(row)
        if len(problems) >= MAX_ERRORS:
            break
    if problems:
        raise RowsUploadError(problems[:MAX_ERRORS])
    return out
