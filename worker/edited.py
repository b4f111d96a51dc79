"""A draft edited in Word (app.services.drafts) made current: its draft mark set to its version,
and on release the number, the date and the electronic stamp filled in; the sentence naming a
spreadsheet annex carries the digest of the annex made with the version — nothing else of the
drafter's text changes. Pure: bytes and the document's context in, bytes out."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from docx import Document as Docx
from docx.text.paragraph import Paragraph

from app.services.documents import ANNEX_SENTENCE_START

BLANK_NUMBER = re.compile(r"^\s*Số\s*:\s*/")
BLANK_DATE = re.compile(r",\s*ngày\s+tháng\s")
DRAFT = "DỰ THẢO"


def _set_text(p: Paragraph, text: str) -> None:
    """Replace the paragraph's text, keeping its first run's formatting."""
    runs = p.runs
    if not runs:
        p.add_run(text)
        return
    runs[0].text = text
    for r in runs[1:]:
        r._r.getparent().remove(r._r)


def _paragraphs(container) -> list[Paragraph]:  # noqa: ANN001
    out = list(container.paragraphs)
    for t in container.tables:
        for row in t.rows:
            for cell in row.cells:
                out.extend(_paragraphs(cell))
    return out


def _signer_cell(doc) -> Any:  # noqa: ANN001
    """The right cell of the last borderless two-column table holding "Nơi nhận:" on its left:
    the signer block of our templates (also after Word or LibreOffice saved it)."""
    for table in reversed(doc.tables):
        row = table.rows[-1] if table.rows else None
        if row is None or len(row.cells) != 2:
            continue
        if any(p.text.strip().startswith("Nơi nhận") for p in row.cells[0].paragraphs):
            return row.cells[1]
    return None


def _set_signer(doc, ctx: Mapping[str, Any]) -> None:  # noqa: ANN001
    """The name of who signed under the signature (the draft may have left it blank or named
    the intended signer): the last non-tag paragraph of the signer cell."""
    name = (ctx.get("signer_name") or "").strip()
    cell = _signer_cell(doc)
    if not name or cell is None:
        return
    paragraphs = list(cell.paragraphs)
    if paragraphs:
        _set_text(paragraphs[-1], name)


def _set_annex_sentence(doc, ctx: Mapping[str, Any]) -> None:  # noqa: ANN001
    """The sentence naming the spreadsheet annex, written again with the digest of the annex
    made with this version (``ctx``'s block): the drafter's file carries the digest of the
    annex of the draft downloaded, which the data may have changed since."""
    sentence = next((b.get("text") for b in ctx.get("blocks") or [] if b.get("annex_digest")), None)
    if not ctx.get("annex") or not sentence:
        return
    for p in _paragraphs(doc):
        if p.text.strip().startswith(ANNEX_SENTENCE_START):
            _set_text(p, sentence)


def apply(source: bytes, ctx: Mapping[str, Any]) -> bytes:
    """``source`` with the context's number line, date line (when the number is given), draft
    mark (removed when empty) and electronic stamp."""
    doc = Docx(io.BytesIO(source))
    _set_signer(doc, ctx)
    _set_annex_sentence(doc, ctx)
    numbered = not BLANK_NUMBER.match(ctx.get("number_line") or "Số: /")
    if numbered:
        seen: set[int] = set()
        for p in _paragraphs(doc):
            if id(p._p) in seen:  # merged cells repeat
                continue
            seen.add(id(p._p))
            if BLANK_NUMBER.match(p.text):
                _set_text(p, ctx["number_line"])
            elif BLANK_DATE.search(p.text) and ctx.get("date_line"):
                _set_text(p, ctx["date_line"])
    for section in doc.sections:
        for header in (section.header, section.first_page_header):
            for p in list(header.paragraphs):
                if p.text.strip().startswith(DRAFT):
                    if ctx.get("draft_mark"):
                        _set_text(p, ctx["draft_mark"])
                    else:
                        p._p.getparent().remove(p._p)
        first = section.first_page_header.paragraphs
        if ctx.get("e_stamp") and first and not first[0].text.strip():
            _set_text(first[0], ctx["e_stamp"])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
