"""The spreadsheet annex (Phụ lục, .xlsx) of a consolidated report of many agencies.

A report of thousands of agencies does not carry their table in its body (a PDF of thousands of
pages, an hour of LibreOffice): the body keeps the totals and names the annex, and the annex
is this workbook, made from the same stored context as the .docx (``ctx["annex"]``, built by
``worker.contexts.consolidated_context``), so a draft, the frozen version the leader is shown
and the signed one carry the same annex. The body prints the annex's SHA-256
(``contexts.set_annex_digest``): signing the document binds the file sent with it.

Layout (Decree 30/2020, Appendix I: an appendix names itself "Phụ lục", its title in capitals,
then "(Kèm theo Báo cáo số … ngày … của …)"): each section of the appendix (Mục I the figures of
every agency, then the long texts and repeating rows) is a sheet headed by those three lines,
centred over the table, then the section's heading, the column heads (with units), one row per
agency and the consolidated rows (Tổng hợp, Mục tiêu, Tỷ lệ đạt). Times New Roman; figures are
numbers (a reader can add a column up and compare it with the body); the heads are frozen and
filtered; printed landscape, fitted to the page width, the heads repeated on every page.

Written row by row (openpyxl's write-only mode: memory does not grow with the cells) and made
byte-for-byte reproducible (fixed zip times and document dates), so the same context gives the
same file and the same digest.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from copy import copy
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

FONT = "Times New Roman"
FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
WIDTHS = {"no": 6, "text": 36, "number": 16, "long": 90}
_thin = Side(style="thin")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


def _text(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return value
    text = _ILLEGAL.sub("", str(value))
    if text[:1] in ("=", "+", "-", "@"):
        text = "\u200b" + text  # shown the same, never a formula
    return text[:32000]


def render_xlsx(ctx: Mapping[str, Any]) -> bytes:
    """The annex of ``ctx`` (a consolidated report's context with ``annex``) as .xlsx bytes."""
    annex = ctx["annex"]
    wb = Workbook(write_only=True)
    wb.properties.creator = "kehoach"
    wb.properties.title = annex.get("title") or ""
    wb.properties.created = wb.properties.modified = FIXED_TIME
    fonts = {
        (b, i, size): Font(name=FONT, bold=b, italic=i, size=size)
        for b in (False, True)
        for i in (False, True)
        for size in (12, 13)
    }
    centred = Alignment(horizontal="centerContinuous", vertical="center")
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    top = Alignment(vertical="top")
    top_centre = Alignment(horizontal="center", vertical="top")
    for section in annex["sections"]:
        columns: Sequence[Mapping[str, Any]] = section["columns"]
        width = len(columns)
        ws = wb.create_sheet(section["sheet"][:31])
        for i, c in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(c["kind"], 16)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

        def line(value: str, bold: bool, italic: bool, ws: Any = ws, width: int = width) -> None:
            first = WriteOnlyCell(ws, value=_text(value))
            first.font, first.alignment = fonts[(bold, italic, 13)], centred
            rest = []
            for _ in range(width - 1):
                cell = WriteOnlyCell(ws, value=None)
                cell.alignment = centred
                rest.append(cell)
            ws.append([first, *rest])

        line(annex.get("label") or "Phụ lục", True, False)
        line(annex.get("title") or "", True, False)
        if ctx.get("appendix_ref"):
            line(ctx["appendix_ref"], False, True)
        ws.append([])
        heading = WriteOnlyCell(ws, value=_text(section["heading"]))
        heading.font = fonts[(True, False, 13)]
        ws.append([heading])
        head_row = 5 + (1 if ctx.get("appendix_ref") else 0)
        heads = []
        for c in columns:
            cell = WriteOnlyCell(ws, value=_text(c["label"]))
            cell.font, cell.alignment, cell.border = fonts[(True, False, 12)], head_align, BORDER
            heads.append(cell)
        ws.append(heads)
        lines = max(
            -(-len(str(c["label"])) * 3 // (2 * WIDTHS.get(c["kind"], 16))) for c in columns
        )
        ws.row_dimensions[head_row].height = 16 * min(6, max(1, lines)) + 4
        last_head = head_row
        if any(c.get("unit") for c in columns):
            units = []
            for c in columns:
                cell = WriteOnlyCell(ws, value=_text(c.get("unit") or ""))
                cell.font, cell.alignment, cell.border = (
                    fonts[(False, True, 12)],
                    head_align,
                    BORDER,
                )
                units.append(cell)
            ws.append(units)
            last_head += 1
        aligns = {"no": top_centre, "text": wrap, "long": wrap, "number": top}
        styles = _Styles(ws, aligns, {b: fonts[(b, False, 12)] for b in (False, True)})
        for r in section["rows"]:
            ws.append(_row(styles, columns, r, False))
        for r in section.get("totals") or []:
            ws.append(_row(styles, columns, r, True))
        ws.freeze_panes = f"C{last_head + 1}"
        ws.print_title_rows = f"{head_row}:{last_head}"
        if section["rows"]:
            ws.auto_filter.ref = (
                f"A{head_row}:{get_column_letter(width)}{last_head + len(section['rows'])}"
            )
    buf = io.BytesIO()
    wb.save(buf)
    return _reproducible(buf.getvalue())


class _Styles:
    """Each cell style of the data rows worked out once (openpyxl looks a style up in the
    workbook's lists at every assignment: 160,000 cells at 10,000 agencies): a prototype cell
    per (column kind, number format, bold), whose style indices the row cells copy."""

    def __init__(self, ws: Any, aligns: Mapping[str, Alignment], fonts: Mapping[bool, Font]):
        self.ws, self.aligns, self.fonts = ws, aligns, fonts
        self.protos: dict[tuple[str, str | None, bool], Any] = {}

    def cell(self, kind: str, value: Any, bold: bool) -> Any:
        fmt = None
        if kind == "number" and isinstance(value, int | float):
            fmt = "#,##0" if isinstance(value, int) else "#,##0.0#"
        key = (kind, fmt, bold)
        proto: Any = self.protos.get(key)
        if proto is None:
            proto = WriteOnlyCell(self.ws)
            proto.font, proto.border, proto.alignment = self.fonts[bold], BORDER, self.aligns[kind]
            if fmt:
                proto.number_format = fmt
            self.protos[key] = proto
        cell: Any = WriteOnlyCell(self.ws, value=_text(value))
        cell._style = copy(proto._style)  # the prototype's style indices (StyleArray)
        return cell


def _row(
    styles: _Styles, columns: Sequence[Mapping[str, Any]], values: Sequence[Any], bold: bool
) -> list[Any]:
    return [styles.cell(c["kind"], v, bold) for c, v in zip(columns, values, strict=False)]


def _reproducible(data: bytes) -> bytes:
    """``data`` (a zip) with every member's time fixed: the same workbook, the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time
                content = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            dst.writestr(fixed, content)
    return out.getvalue()
