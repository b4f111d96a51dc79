"""Where the signer block is in a rendered PDF, for app.services.signing.

The signer's image goes between the signer's title (chức vụ) and the name (Decree 30/2020,
box 7c). LibreOffice lays the document out, so the block is found in the PDF itself with
poppler's ``pdftotext -bbox`` (installed with LibreOffice by scripts/test.sh): the last line
carrying the signer's full name, and the nearest text line above it.
"""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from pathlib import Path

from app.services.signing import Box

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_LINE = re.compile(r"<line[^>]*>(.*?)</line>", re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
#: Width of the signer's image box (points); its height is the gap between title and name.
IMAGE_WIDTH = 150.0


def signer_box(pdf: bytes, full_name: str, timeout: float = 60) -> tuple[int, Box] | None:
    """(page index, box in PDF points) for the signer's image, or None if the name is absent."""
    with tempfile.TemporaryDirectory(prefix="kehoach-sign-") as work:
        path = Path(work) / "doc.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-bbox-layout", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        ).stdout
    wanted = full_name.split()
    found: tuple[int, Box] | None = None
    for index, (_, height_text, body) in enumerate(_PAGE.findall(out)):
        height = float(height_text)
        lines = [
            [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in ws]
            for ws in (_WORD.findall(line) for line in _LINE.findall(body))
        ]
        lines = [line for line in lines if line]
        for number, line in enumerate(lines):
            if [w[4] for w in line] != wanted or number == 0:
                continue
            above = lines[number - 1]
            title_bottom = max(w[3] for w in above)
            name_top = min(w[1] for w in line)
            right = max(w[2] for w in line)
            center = (min(w[0] for w in line) + right) / 2
            x1 = max(center - IMAGE_WIDTH / 2, 0.0)
            found = (
                index,
                (x1, height - name_top + 2, x1 + IMAGE_WIDTH, height - title_bottom - 2),
            )
    return found
