"""Build the official .docx templates (Decree 30/2020, FORMAT.md) with docxtpl tags.

Run ``python templates/build.py``; it rewrites plan.docx, report.docx, consolidated.docx and
reminder.docx next to this file. The built files are committed; edit this script, not the .docx.
Geometry shared with the context builders lives in ``worker/contexts.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from worker.contexts import (  # noqa: E402, I001
    CELL_MARGIN,
    HEADER_LEFT,
    HEADER_RIGHT,
    TEXT_WIDTH,
)
from worker.textwidth import bold_width_twips  # noqa: E402

FONT = "Times New Roman"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SIGN_LEFT = 4535  # 8 cm for Nơi nhận, the rest for the signer
CENTER, JUSTIFY, LEFT = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
    WD_ALIGN_PARAGRAPH.LEFT,
)


# ----------------------------------------------------------------------------- document setup


def _set_fonts(rpr: OxmlElement) -> None:
    """Times New Roman in all four slots, no theme fonts (they would override it)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), FONT)


def _setup(doc: DocumentObject) -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr)
    for tag, val in (("w:sz", "28"), ("w:szCs", "28")):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), val)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.attrib.clear()
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    lang.set(qn("w:bidi"), "ar-SA")
    for style in styles.findall(qn("w:style")):
        srpr = style.find(qn("w:rPr"))
        if srpr is None:
            srpr = OxmlElement("w:rPr")
            style.append(srpr)
        _set_fonts(srpr)
        for color in srpr.findall(qn("w:color")):
            srpr.remove(color)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    normal.paragraph_format.widow_control = True

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True
    # Page number centred in the top margin from page 2 on (PAGE field); page 1 header empty.
    p = section.header.paragraphs[0]
    p.alignment = CENTER
    _field(p, "PAGE", "2", size=13)
    _draft_mark(section.header)
    # Page 1: the electronic stamp top right (number+symbol, signing time; FORMAT.md §6), empty
    # for a draft.
    stamp = section.first_page_header.paragraphs[0]
    stamp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    stamp.paragraph_format.space_after = Pt(0)
    run = stamp.add_run("{{ e_stamp }}")
    run.font.size = Pt(10)
    run.font.name = FONT
    _draft_mark(section.first_page_header)


def _draft_mark(header) -> None:  # noqa: ANN001
    """ "DỰ THẢO (lần N)" top right of every page of an unreleased document, in a box; the
    paragraph disappears when ``draft_mark`` is empty (a released document)."""
    tag(header, "{%p if draft_mark %}")
    p = para(header, "{{ draft_mark }}", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    for edge in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{edge}")
        for k, v in (("val", "single"), ("sz", "8"), ("space", "2"), ("color", "000000")):
            el.set(qn(f"w:{k}"), v)
        bdr.append(el)
    ppr.append(bdr)
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left"), str(TEXT_WIDTH - 2600))
    ppr.append(ind)
    tag(header, "{%p endif %}")


def _field(p: Paragraph, instr: str, shown: str, size: float) -> None:
    def run_with(child: OxmlElement) -> None:
        r = p.add_run()
        r.font.size = Pt(size)
        r._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instr} "
    run_with(text)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    p.add_run(shown).font.size = Pt(size)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


# ----------------------------------------------------------------------------- paragraphs


def para(
    container,
    text: str = "",
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align=CENTER,
    before: float = 0,
    after: float = 0,
    indent: bool = False,
    keep_next: bool = False,
    left: int | None = None,
    hanging: int | None = None,
    first: bool = False,
) -> Paragraph:
    """Add a paragraph; ``first`` reuses the first (empty) paragraph of a new cell."""
    p = container.paragraphs[0] if first else container.add_paragraph()
    p.alignment = align
    pf = p.paragraph_format
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    pf.line_spacing = 1.0
    if indent:
        pf.first_line_indent = Cm(1.27)
    if left is not None:
        pf.left_indent = Twips(left)
    if hanging is not None:
        pf.first_line_indent = Twips(-hanging)
    if keep_next:
        pf.keep_with_next = True
    if text:
        r = p.add_run(text)
        r.font.size = Pt(size)
        r.bold = bold
        r.italic = italic
    else:  # an empty paragraph still gets the size for its mark
        rpr = p._p.get_or_add_pPr()
        mark = OxmlElement("w:rPr")
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(int(size * 2)))
        mark.append(sz)
        rpr.append(mark)
    return p


def keep_with_next(p: Paragraph, value: str = "1") -> Paragraph:
    """``<w:keepNext w:val=…/>``; ``value`` may be a docxtpl tag ("{{ b.keep }}": "1" or "0")
    written into the attribute, so the context decides per block or per table row."""
    ppr = p._p.get_or_add_pPr()
    for old in ppr.findall(qn("w:keepNext")):
        ppr.remove(old)
    keep = OxmlElement("w:keepNext")
    keep.set(qn("w:val"), value)
    ppr.insert(0, keep)
    return p


def tag(container, text: str, first: bool = False) -> Paragraph:
    """A paragraph holding only a ``{%p …%}`` tag (removed by docxtpl)."""
    return para(container, text, size=14, align=LEFT, first=first)


def rule(container, indent: str | int, *, after: float = 0, before: float = 2) -> Paragraph:
    """A solid line as the top border of an empty 1 pt paragraph, shortened by equal indents.

    ``indent`` may be a docxtpl tag (``{{ agency_rule_indent }}``) written into the attributes.
    """
    p = container.add_paragraph()
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        top.set(qn(f"w:{k}"), v)
    bdr.append(top)
    ppr.append(bdr)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), str(int(before * 20)))  # a little below the descenders
    spacing.set(qn("w:after"), str(int(after * 20)))
    spacing.set(qn("w:line"), "20")
    spacing.set(qn("w:lineRule"), "exact")
    ppr.append(spacing)
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left"), str(indent))
    ind.set(qn("w:right"), str(indent))
    ppr.append(ind)
    ppr.append(OxmlElement("w:jc"))
    ppr[-1].set(qn("w:val"), "center")
    mark = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "2")
    mark.append(sz)
    ppr.append(mark)
    return p


# ----------------------------------------------------------------------------- tables


def _no_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


def _all_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for k, v in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            el.set(qn(f"w:{k}"), v)
        borders.append(el)
    tblpr.append(borders)


def _fixed(table: Table, widths: list[int]) -> None:
    """Fixed layout; grid column widths AND cell widths (LibreOffice reads the grid)."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tblpr = table._tbl.tblPr
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:w"), str(sum(widths)))
    tblw.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(w))
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Twips(w)


def _header_table(doc: DocumentObject, *, dispatch: bool = False) -> None:
    t = doc.add_table(rows=2, cols=2)
    _no_borders(t)
    _fixed(t, [HEADER_LEFT, HEADER_RIGHT])
    left, right = t.cell(0, 0), t.cell(0, 1)
    tag(left, "{%p if header_parent %}", first=True)
    para(left, "{{ header_parent }}", size=12)
    tag(left, "{%p endif %}")
    para(left, "{{ agency_name }}", size=12, bold=True)
    rule(left, "{{ agency_rule_indent }}")
    para(right, NATION, size=12, bold=True, first=True)
    para(right, MOTTO, size=13, bold=True)
    motto_indent = (HEADER_RIGHT - 2 * CELL_MARGIN - bold_width_twips(MOTTO, 13)) // 2
    rule(right, motto_indent)
    nleft, nright = t.cell(1, 0), t.cell(1, 1)
    para(nleft, "{{ number_line }}", size=13, before=6, first=True)
    if dispatch:
        para(nleft, "{{ subject_line }}", size=12, before=3)
    para(nright, "{{ date_line }}", size=13, italic=True, before=6, first=True)


def _title(doc: DocumentObject) -> None:
    para(doc, "{{ type_name }}", size=14, bold=True, before=18, keep_next=True)
    para(doc, "{{ summary }}", size=14, bold=True, keep_next=True)
    rule(doc, "{{ summary_rule_indent }}", after=12)


def _addressees(doc: DocumentObject, before: float = 6) -> None:
    """ "Kính gửi:" then the first recipient on the same line, the others aligned under it."""
    hang = 1560  # "Kính gửi:" width + gap
    left = 3400
    p = para(
        doc,
        "Kính gửi:\t{{ addressee_first }}",
        align=LEFT,
        before=before,
        after=0,
        left=left,
        hanging=hang,
    )
    tabs = p.paragraph_format.tab_stops
    tabs.add_tab_stop(Twips(left))
    tag(doc, "{%p for a in addressee_rest %}")
    para(doc, "{{ a }}", align=LEFT, left=left)
    tag(doc, "{%p endfor %}")
    para(doc, "", size=6)


def runs_para(doc: DocumentObject, var: str = "b") -> Paragraph:
    """A justified body paragraph (first-line indent 1.27 cm, 6 pt before) printing the runs of
    block ``var`` (``{t, b, i}`` each: text, bold and italic "1"/"0", written into ``w:b``/``w:i``
    of one run repeated by a ``{%r for %}`` loop), so inline emphasis is kept."""
    p = para(doc, "", align=JUSTIFY, before=6, indent=True)
    for el in p._p.findall(qn("w:pPr")):  # no empty-paragraph mark size: the runs carry it
        for mark in el.findall(qn("w:rPr")):
            el.remove(mark)
    p.add_run(f"{{%r for r in {var}.runs %}}")
    r = p.add_run("{{ r.t }}")
    r.font.size = Pt(14)
    rpr = r._r.get_or_add_rPr()
    for name, attr in (("w:b", "b"), ("w:i", "i")):
        el = OxmlElement(name)
        el.set(qn("w:val"), f"{{{{ r.{attr} }}}}")
        sz = rpr.find(qn("w:sz"))
        if sz is not None:
            sz.addprevious(el)
        else:
            rpr.append(el)
    p.add_run("{%r endfor %}")
    keep_with_next(p, f"{{{{ {var}.keep }}}}")
    return p


def _blocks(doc: DocumentObject, var: str, *, tables: bool = False) -> None:
    """The body paragraphs (their runs: :func:`runs_para`); with ``tables`` a block of kind
    ``table`` is a bordered table."""
    tag(doc, f"{{%p for b in {var} %}}")
    if tables:
        tag(doc, "{%p if b.kind == 'table' %}")
        _block_table(doc)
        tag(doc, "{%p else %}")
    runs_para(doc)
    if tables:
        tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def _block_table(doc: DocumentObject) -> None:
    """A table block (rows of a repeating group): header row ``b.head``, rows ``b.rows``; each
    cell ``{text, w, jc, keep}`` (width twips, alignment, keep the row with the next: the header
    and the first and last-but-one rows, so no row is left alone on a page), the grid ``b.grid``;
    sum ``TEXT_WIDTH``. No empty paragraph before it: the heading keeps with the table."""
    t = doc.add_table(rows=4, cols=3)
    _all_borders(t)
    _fixed(t, [300, 8755, 300])
    rows = [
        ("{%tc for h in b.head %}", "{{ h.text }}", "{%tc endfor %}"),
        ("{%tr for r in b.rows %}", "", ""),
        ("{%tc for c in r %}", "{{ c.text }}", "{%tc endfor %}"),
        ("{%tr endfor %}", "", ""),
    ]
    for ri, texts in enumerate(rows):
        for ci, text in enumerate(texts):
            _cell_text(t.cell(ri, ci), text, bold=ri == 0, size=12)
    for r in t.rows:
        r._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))
    t.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for ri, var in ((0, "h"), (2, "c")):
        cell = t.cell(ri, 1)
        cell._tc.get_or_add_tcPr().find(qn("w:tcW")).set(qn("w:w"), f"{{{{ {var}.w }}}}")
        jc = cell.paragraphs[0]._p.get_or_add_pPr().find(qn("w:jc"))
        jc.set(qn("w:val"), f"{{{{ {var}.jc }}}}")
        keep_with_next(cell.paragraphs[0], "1" if ri == 0 else "{{ c.keep }}")
    grid = t._tbl.tblGrid
    for col in list(grid):
        grid.remove(col)
    grid.text = "{% for w in b.grid %}"
    col = OxmlElement("w:gridCol")
    col.set(qn("w:w"), "{{ w }}")
    col.tail = "{% endfor %}"
    grid.append(col)


def _signature(doc: DocumentObject) -> None:
    """Nơi nhận | signer: one row that never splits (cantSplit), kept with the last lines of
    the body (their keepNext, set by the context, and this spacing paragraph's)."""
    keep_with_next(para(doc, "", size=8))
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    _fixed(t, [SIGN_LEFT, TEXT_WIDTH - SIGN_LEFT])
    t.rows[0]._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))
    left, right = t.cell(0, 0), t.cell(0, 1)
    para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=LEFT, first=True)
    tag(left, "{%p for r in recipients %}")
    para(left, "{{ r }}", size=11, align=LEFT)
    tag(left, "{%p endfor %}")
    tag(right, "{%p for line in signer_lines %}", first=True)
    para(right, "{{ line }}", size=14, bold=True)
    tag(right, "{%p endfor %}")
    for _ in range(5):  # room for the signature and the seal
        para(right, "", size=14)
    tag(right, "{%p if signer_note %}")
    para(right, "{{ signer_note }}", size=14, bold=True)
    tag(right, "{%p endif %}")
    para(right, "{{ signer_name }}", size=14, bold=True)


def _preserve_spaces(doc: DocumentObject) -> None:
    for t in doc.element.body.iter(qn("w:t")):
        t.set(qn("xml:space"), "preserve")


def _cell_text(
    cell: _Cell,
    text: str,
    *,
    bold: bool = False,
    size: float = 12,
    align=CENTER,
    first: bool = True,
) -> None:
    para(cell, text, size=size, bold=bold, align=align, first=first, before=2, after=2)


def _results_table(doc: DocumentObject, var: str = "table_parts") -> None:
    """Results by agency, split into tables of a few result columns (``table_parts``, or
    ``appendix_parts`` in the appendix): STT | agency | one column per field (tc loop) | status
    (first table only); the unit row only when a column has a unit (``part.units_row``)."""
    tag(doc, f"{{%p for part in {var} %}}")
    tag(doc, "{%p if part.caption %}")
    para(
        doc,
        "{{ part.caption }}",
        size=13,
        bold=True,
        italic=True,
        align=CENTER,
        before=6,
        after=3,
        keep_next=True,
    )
    tag(doc, "{%p endif %}")
    # 8 template columns: STT, name, {%tc for%}, value, {%tc endfor%}, {%tc if%}, status,
    # {%tc endif%}; the tag cells disappear. The grid is written by a loop over part.grid.
    t = doc.add_table(rows=6, cols=8)
    _all_borders(t)
    _fixed(t, [620, 2600, 300, 1500, 300, 300, 1420, 300])
    head_if, head_endif = "{%tc if part.status %}", "{%tc endif %}"
    rows = [
        (
            "STT",
            "Cơ quan, đơn vị",
            "{%tc for h in part.head %}",
            "{{ h }}",
            "{%tc endfor %}",
            head_if,
            "Tình hình báo cáo",
            head_endif,
            True,
        ),
        ("{%tr if part.units_row %}", "", "", "", "", "", "", "", False),
        (
            "",
            "",
            "{%tc for u in part.units %}",
            "{{ u }}",
            "{%tc endfor %}",
            head_if,
            "",
            head_endif,
            False,
        ),
        ("{%tr endif %}", "", "", "", "", "", "", "", False),
        ("{%tr for r in part.rows %}", "", "", "", "", "", "", "", False),
        (
            "{{ r.no }}",
            "{{ r.name }}",
            "{%tc for c in r.cells %}",
            "{{ c }}",
            "{%tc endfor %}",
            head_if,
            "{{ r.status }}",
            head_endif,
            False,
        ),
    ]
    for ri, (*texts, bold) in enumerate(rows):
        for ci, text in enumerate(texts):
            _cell_text(
                t.cell(ri, ci),
                text,
                bold=bold,
                size=11 if ri < 4 else 12,
                align=LEFT if (ci == 1 and ri > 3) else CENTER,
            )
    extra = [
        ("{%tr endfor %}", "", "", "", "", "", "", ""),
        ("{%tr for s in part.totals %}", "", "", "", "", "", "", ""),
        (
            "",
            "{{ s.label }}",
            "{%tc for c in s.cells %}",
            "{{ c }}",
            "{%tc endfor %}",
            head_if,
            "",
            head_endif,
        ),
        ("{%tr endfor %}", "", "", "", "", "", "", ""),
    ]
    for texts in extra:
        cells = t.add_row().cells
        for ci, text in enumerate(texts):
            _cell_text(cells[ci], text, bold=True, align=LEFT if ci == 1 else CENTER)
    for r in t.rows:  # a row is not split across pages (cantSplit comes before tblHeader)
        r._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))
    # keep with next: the header rows always, a data/totals row as its context says (the first
    # and the last rows keep with their neighbour: no row alone at the top or foot of a page)
    for ri, value in ((0, "1"), (2, "1"), (5, "{{ r.keep }}"), (8, "{{ s.keep }}")):
        for cell in t.rows[ri].cells:
            for p in cell.paragraphs:
                if not p.text.startswith("{%"):
                    keep_with_next(p, value)
    for r in t.rows[:4]:  # header rows repeat on each page (the unit row may be dropped)
        r._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    # cell widths come from the context, like the grid: they depend on the number of fields
    widths = {
        0: "{{ part.grid[0] }}",
        1: "{{ part.name_w }}",
        3: "{{ part.field_w }}",
        6: "{{ part.status_w }}",
    }
    for r in t.rows:
        for ci, w in widths.items():
            r.cells[ci]._tc.get_or_add_tcPr().find(qn("w:tcW")).set(qn("w:w"), w)
    tblw = t._tbl.tblPr.find(qn("w:tblW"))
    tblw.set(qn("w:w"), str(TEXT_WIDTH))
    grid = t._tbl.tblGrid
    for col in list(grid):
        grid.remove(col)
    grid.text = "{% for w in part.grid %}"
    col = OxmlElement("w:gridCol")
    col.set(qn("w:w"), "{{ w }}")
    col.tail = "{% endfor %}"
    grid.append(col)
    tag(doc, "{%p endfor %}")


# ----------------------------------------------------------------------------- the four kinds


def build_plan() -> DocumentObject:
    doc = Document()
    _setup(doc)
    _header_table(doc)
    _title(doc)
    tag(doc, "{%p for o in opening %}")  # legal basis (italic) and preamble, as typed
    runs_para(doc, "o")
    tag(doc, "{%p endfor %}")
    _blocks(doc, "blocks")
    _signature(doc)
    return doc


def build_report() -> DocumentObject:
    doc = Document()
    _setup(doc)
    _header_table(doc)
    _title(doc)
    _addressees(doc, before=0)
    _blocks(doc, "blocks", tables=True)
    _signature(doc)
    return doc


def build_consolidated() -> DocumentObject:
    doc = Document()
    _setup(doc)
    _header_table(doc)
    _title(doc)
    _addressees(doc, before=0)
    _blocks(doc, "blocks")
    _results_table(doc)
    _blocks(doc, "blocks_after", tables=True)  # a short repeating group's rows as a table
    _signature(doc)
    _appendix(doc)
    return doc


def _appendix(doc: DocumentObject) -> None:
    """The Phụ lục on a new page (Decree 30): "Phụ lục", its title, "(Kèm theo Báo cáo số …
    ngày … của …)" and a rule, then the per-agency tables and texts that would not fit a page."""
    tag(doc, "{%p if appendix_label %}")
    label = para(doc, "{{ appendix_label }}", size=14, bold=True, keep_next=True)
    label.paragraph_format.page_break_before = True
    para(doc, "{{ appendix_title }}", size=14, bold=True, keep_next=True)
    para(doc, "{{ appendix_ref }}", size=14, italic=True, keep_next=True)
    rule(doc, 3400, after=12, before=4)
    tag(doc, "{%p if appendix_parts %}")
    keep_with_next(
        para(doc, "I. KẾT QUẢ THEO TỪNG CƠ QUAN, ĐƠN VỊ", bold=True, align=LEFT, before=6)
    )
    tag(doc, "{%p endif %}")
    _results_table(doc, "appendix_parts")
    _blocks(doc, "appendix_blocks", tables=True)  # a long repeating group's rows
    tag(doc, "{%p endif %}")


def build_reminder() -> DocumentObject:
    doc = Document()
    _setup(doc)
    _header_table(doc, dispatch=True)
    para(doc, "", size=12)
    _addressees(doc, before=6)
    _blocks(doc, "blocks")
    _signature(doc)
    return doc


BUILDERS: dict[str, Callable[[], DocumentObject]] = {
    "plan": build_plan,
    "report": build_report,
    "consolidated": build_consolidated,
    "reminder": build_reminder,
}


def _drop_leading_empty(doc: DocumentObject) -> None:
    body = doc.element.body
    first = body[0]
    if first.tag == qn("w:p") and not "".join(first.itertext()).strip():
        body.remove(first)


def main(out_dir: Path = HERE) -> None:
    for kind, build in BUILDERS.items():
        doc = build()
        _drop_leading_empty(doc)
        _preserve_spaces(doc)
        doc.core_properties.title = kind
        doc.core_properties.author = "kehoach"
        path = out_dir / f"{kind}.docx"
        doc.save(path)
        print(path)


if __name__ == "__main__":
    main()
