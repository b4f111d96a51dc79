"""File names of downloaded documents: "<số>-<ký hiệu>-<trích yếu ngắn>.docx".

``01/KH-BCĐNQ`` on "Triển khai đợt cao điểm tuyên truyền …" downloads as
``01-KH-BCĐNQ-Triển khai đợt cao điểm tuyên truyền.docx`` (UTF-8, ``filename*``) with the
ASCII fallback ``01-KH-BCDNQ-Trien-khai-dot-cao-diem-tuyen-truyen.docx``; an unnumbered draft as
``Dự thảo lần 2-KH-BCĐNQ-….docx``. Pure: no database, no Flask.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

SUMMARY_WORDS = 8
SUMMARY_CHARS = 60
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def ascii_fold(text: str) -> str:
    """ "Đợt cao điểm" → "Dot cao diem" (đ/Đ too, which NFKD does not decompose)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    return (
        "".join(c for c in text if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    )


def short_summary(title: str) -> str:
    """The first words of the trích yếu, at most ``SUMMARY_WORDS`` words / ``SUMMARY_CHARS``."""
    words = _UNSAFE.sub(" ", title).split()
    out: list[str] = []
    for w in words[:SUMMARY_WORDS]:
        if len(" ".join([*out, w])) > SUMMARY_CHARS:
            break
        out.append(w)
    return " ".join(out).rstrip(".,;:-")


def document_filename(
    symbol: str | None,
    number: int | None,
    title: str,
    ext: str,
    *,
    draft_version: int | None = None,
    suffix: str = "",
) -> str:
    """The UTF-8 name (see module doc). ``symbol`` is "01/KH-BCĐNQ" or, for a draft, "/KH-BCĐNQ"
    (the number blank); ``suffix`` e.g. " (bản ký)"."""
    sign = (symbol or "").split("/", 1)[-1].strip()
    if number is not None:
        head = f"{number:02d}-{sign}" if sign else f"{number:02d}"
    else:
        head = f"Dự thảo lần {draft_version or 1}" + (f"-{sign}" if sign else "")
    summary = short_summary(title)
    name = f"{head}-{summary}" if summary else head
    return _UNSAFE.sub("-", f"{name}{suffix}") + f".{ext}"


def ascii_filename(name: str) -> str:
    """The ASCII fallback: diacritics folded, spaces as hyphens, nothing a header could break on."""
    stem, dot, ext = name.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_fold(stem)).strip("-")
    return f"{stem or 'van-ban'}{dot}{ext}"


def content_disposition(name: str) -> str:
    """``attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>`` (RFC 6266)."""
    return f"attachment; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name)}"
