"""What a file is, by its content (magic numbers), never by its name.

``sniff(data)`` names the kind of the bytes; ``content_matches(ext, data)`` says whether a file
named ``*.ext`` really holds that kind. Used for report attachments (the form engine) and by the
application's upload checks (``app.services.uploads``), so there is one table.
"""

from __future__ import annotations

import io
import zipfile

# (first bytes, kind)
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"PK\x03\x04", "zip"),  # docx, xlsx, pptx, odt…: told apart by their parts
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # old .doc/.xls/.ppt
)
# extension → kinds its content may be
EXTENSIONS: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "png": frozenset({"png"}),
    "jpg": frozenset({"jpg"}),
    "jpeg": frozenset({"jpg"}),
    "gif": frozenset({"gif"}),
    "docx": frozenset({"docx"}),
    "xlsx": frozenset({"xlsx"}),
    "pptx": frozenset({"pptx"}),
    "odt": frozenset({"odf"}),
    "ods": frozenset({"odf"}),
    "doc": frozenset({"ole"}),
    "xls": frozenset({"ole"}),
    "ppt": frozenset({"ole"}),
    "zip": frozenset({"zip", "docx", "xlsx", "pptx", "odf"}),
    "txt": frozenset({"text"}),
    "csv": frozenset({"text"}),
}


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "mimetype" in names and "content.xml" in names:
        return "odf"
    return "zip"


def sniff(data: bytes) -> str | None:
    """The kind of ``data``: one of the kinds of :data:`EXTENSIONS`, or None for anything else
    (an executable, a script, HTML, an unknown binary)."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return _zip_kind(data) if kind == "zip" else kind
    if b"\x00" in data[:65536]:
        return None
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < 65536 - 4:  # a character cut at the end of the sample is fine
            return None
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<script", b"<svg", b"#!", b"<?php")):
        return None
    return "text"


def content_matches(ext: str, data: bytes) -> bool:
    """Does a file named ``*.ext`` hold what its extension says?"""
    allowed = EXTENSIONS.get(ext.lower().lstrip("."))
    return allowed is not None and sniff(data) in allowed
