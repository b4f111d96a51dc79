"""Checks of uploaded files by their content, before anything else reads them.

* :func:`docx_problem` — is this a Word .docx whose unpacking is bounded: at most
  :data:`DOCX_MAX_PARTS` zip members, at most :data:`DOCX_MAX_EXPANDED` bytes once unpacked (the sum
  of the members' sizes: Python's ``zipfile`` never returns more than a member declares, and a
  member that lies fails its CRC), a compression ratio no zip bomb fits under, and a
  ``[Content_Types].xml`` that declares the main document part. Cheap: reads only the zip's
  directory and the small content-types part, so the web request can run it.
* :func:`sniff` / :func:`content_matches` — the type of a file by its content (magic numbers),
  never by its name (:mod:`forms.sniff`).

The answers are Vietnamese sentences naming the field (``label``), or None when the file is fine.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

from flask_babel import gettext

from forms import sniff as forms_sniff

DOCX_MAX_BYTES = 2 * 1024 * 1024
DOCX_MAX_EXPANDED = 16 * 1024 * 1024
DOCX_MAX_PARTS = 200
DOCX_MAX_RATIO = 200  # unpacked / packed, per member; XML compresses ~10x, a bomb 1000x
CONTENT_TYPES_MAX = 64 * 1024
MAIN_PART = "word/document.xml"
MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
}
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def docx_problem(data: bytes, label: str) -> str | None:
    """Why ``data`` cannot be accepted as a .docx (a sentence naming ``label``), or None."""
    if len(data) > DOCX_MAX_BYTES:
        return gettext(
            "“%(field)s” lớn hơn %(mb)s MB.", field=label, mb=DOCX_MAX_BYTES // (1024 * 1024)
        )
    if not data.startswith(b"PK\x03\x04"):
        return gettext("“%(field)s” không phải là tệp Word (.docx).", field=label)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > DOCX_MAX_PARTS:
                return gettext(
                    "“%(field)s” có quá nhiều phần (%(n)s, tối đa %(max)s).",
                    field=label,
                    n=len(infos),
                    max=DOCX_MAX_PARTS,
                )
            expanded = sum(i.file_size for i in infos)
            ratio_bad = any(
                i.file_size > 64 * 1024 and i.file_size > DOCX_MAX_RATIO * max(i.compress_size, 1)
                for i in infos
            )
            if expanded > DOCX_MAX_EXPANDED or ratio_bad:
                return gettext(
                    "“%(field)s” khi giải nén lớn bất thường (%(mb)s MB, tối đa %(max)s MB).",
                    field=label,
                    mb=round(expanded / (1024 * 1024), 1),
                    max=DOCX_MAX_EXPANDED // (1024 * 1024),
                )
            names = {i.filename for i in infos}
            if MAIN_PART not in names:
                return gettext(
                    "“%(field)s” không phải là tệp Word (.docx): thiếu phần nội dung văn bản.",
                    field=label,
                )
            if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
                return gettext(
                    "“%(field)s” bị hỏng: thiếu phần khai báo nội dung của tệp Word.", field=label
                )
            ct = z.getinfo("[Content_Types].xml")
            if ct.file_size > CONTENT_TYPES_MAX:
                return gettext("“%(field)s” bị hỏng: phần khai báo nội dung quá lớn.", field=label)
            if z.testzip() is not None:
                raise zipfile.BadZipFile
            types = z.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return gettext("“%(field)s” bị hỏng hoặc không phải là tệp Word (.docx).", field=label)
    if b"<!DOCTYPE" in types or b"<!ENTITY" in types:
        return gettext("“%(field)s” bị hỏng: phần khai báo nội dung không hợp lệ.", field=label)
    try:
        root = ElementTree.fromstring(types)
    except ElementTree.ParseError:
        return gettext("“%(field)s” bị hỏng: phần khai báo nội dung không hợp lệ.", field=label)
    main = [
        o.get("ContentType")
        for o in root.iter(f"{_CT_NS}Override")
        if (o.get("PartName") or "").lstrip("/") == MAIN_PART
    ]
    if not main or main[0] not in MAIN_TYPES:
        return gettext(
            "“%(field)s” bị hỏng: phần khai báo nội dung không nhận ra phần văn bản chính.",
            field=label,
        )
    return None


sniff = forms_sniff.sniff  # the one table of magic numbers lives with the form engine
content_matches = forms_sniff.content_matches
