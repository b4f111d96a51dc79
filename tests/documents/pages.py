"""Page checks on the PDF a leader would read: LibreOffice's conversion, pdftotext per page."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from app.services.header_names import breaks_inside_group

DRAFT_MARK = "DỰ THẢO"


def norm(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page (pdftotext, reading order)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "d.pdf"
        src.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(src), "-"], capture_output=True, check=True
        ).stdout.decode()
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def _content_lines(page: str, page_no: int) -> list[str]:
    """The page's lines without the page number and the draft mark (header)."""
    lines = [norm(line) for line in page.splitlines() if norm(line)]
    return [
        line
        for line in lines
        if line != str(page_no) and not line.startswith(DRAFT_MARK) and line != "-"
    ]


def layout_problems(pdf: bytes, ctx: dict[str, Any], *, draft: bool) -> list[str]:
    """What a leader would send back, read from the PDF's pages (empty list: none):

    - the signer's name not on the page of its title (or the title lines split);
    - a page holding only the signature block (signer lines, name, Nơi nhận) or only a heading,
      or a heading as the last thing on a page;
    - a header line of the agency name ending inside a listed word group;
    - the draft mark missing from a page of a draft, or present on a released document.
    """
    pages = pdf_pages(pdf)
    out: list[str] = []
    name = norm(ctx.get("signer_name") or "")
    title = norm((ctx.get("signer_lines") or [""])[-1])
    if name:
        on = [i for i, p in enumerate(pages) if name in norm(p)]
        if not on:
            out.append(f"tên người ký “{name}” không có trong PDF")
        elif title and title not in norm(pages[on[-1]]):
            out.append(f"tên người ký ở trang {on[-1] + 1}, chức vụ “{title}” ở trang khác")
    signature = {norm(x) for x in ctx.get("signer_lines") or []}
    signature |= {name, norm(ctx.get("signer_note") or ""), "Nơi nhận:"}
    signature |= {norm(r) for r in ctx.get("recipients") or []}
    signature.discard("")
    headings = [
        norm(b["text"])
        for key in ("blocks", "blocks_after")
        for b in ctx.get(key) or []
        if b.get("kind") in ("heading1", "heading2", "heading3")
    ]
    for i, page in enumerate(pages):
        lines = _content_lines(page, i + 1)
        text = norm(" ".join(lines))
        if lines and all(line in signature for line in lines):
            out.append(f"trang {i + 1} chỉ có khối chữ ký")
        for h in headings:
            if h and text.startswith(h) and not text[len(h) :].strip():
                out.append(f"trang {i + 1} chỉ có đề mục “{h}”")
            elif h and text.endswith(h):
                out.append(f"đề mục “{h}” nằm cuối trang {i + 1}")
        marked = DRAFT_MARK in page
        if draft and not marked:
            out.append(f"trang {i + 1} của dự thảo không có dấu “{DRAFT_MARK}”")
        if not draft and marked:
            out.append(f"trang {i + 1} của văn bản phát hành còn dấu “{DRAFT_MARK}”")
    first = [norm(line) for line in pages[0].splitlines()] if pages else []
    header = [norm(x) for x in (ctx.get("agency_name") or "").split("\n") if norm(x)]
    for line in header:
        if line not in first:  # LibreOffice wrapped it differently from the lines we gave
            out.append(f"dòng tên cơ quan “{line}” bị ngắt khác trong PDF")
    inside = breaks_inside_group(header)
    if inside:
        out.append(f"tên cơ quan ngắt giữa cụm từ: {inside}")
    parent = [norm(x) for x in (ctx.get("header_parent") or "").split("\n") if norm(x)]
    if breaks_inside_group(parent):
        out.append(f"tên cơ quan chủ quản ngắt giữa cụm từ: {breaks_inside_group(parent)}")
    for page in pages:
        if re.search(r"THỦ TRƯỞNG CƠ QUAN", page) and not draft:
            out.append("văn bản đã ký còn chức danh giữ chỗ “THỦ TRƯỞNG CƠ QUAN”")
    return out
