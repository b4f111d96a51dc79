"""The lines of an agency's name as printed in the document header (FORMAT.md §2).

An agency (and its parent line) may carry the lines an administrator set (``Agency.header_name``,
``Agency.header_parent``, lines separated by ``\\n``). Without them the default here breaks the
name in CAPS into the fewest lines that fit the header's left cell, only between word groups
(never inside "Ninh Thuận", "Truyền thông", "Du lịch": ``app/data/word_groups.txt``, and never
inside a place after "tỉnh", "huyện", "thành phố" …), balancing the lines, and putting "VÀ"
at the start of a line rather than at the end. Pure: no database, no Flask.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from app.services.textwidth import bold_width_twips

WORD_GROUPS_FILE = Path(__file__).resolve().parent.parent / "data" / "word_groups.txt"
# The left header cell (7 cm, worker/contexts.HEADER_LEFT) less its two cell margins, in twips.
HEADER_LINE_WIDTH = 3969 - 2 * 108
HEADER_SIZE = 12  # pt, the agency name and its parent (FORMAT.md §2)
MAX_LINES = 4
# Words after which a place name follows: the place is kept whole, with the word.
PLACE_PREFIXES = (
    ("thành", "phố"),
    ("thị", "xã"),
    ("thị", "trấn"),
    ("tỉnh",),
    ("huyện",),
    ("quận",),
    ("phường",),
    ("xã",),
)
# A line should not end with these (they start the next line: "SỞ VĂN HÓA, THỂ THAO / VÀ DU LỊCH").
WEAK_ENDINGS = {"và", "về", "của", "các", "với", "cho", "-", "–"}


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold()


@cache
def word_groups() -> tuple[tuple[str, ...], ...]:
    """The listed groups, each as its folded words, longest first."""
    groups = set()
    for line in WORD_GROUPS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words = tuple(_fold(w) for w in line.split())
            if len(words) > 1:
                groups.add(words)
    return tuple(sorted(groups, key=len, reverse=True))


def _bound(words: Sequence[str], places: bool = True) -> list[bool]:
    """``bound[i]``: no line break between word ``i`` and word ``i + 1``. With ``places`` a
    place after "tỉnh", "thành phố" … is whole; without, only the prefix stays with it."""
    folded = [_fold(w) for w in words]
    n = len(words)
    bound = [False] * max(n - 1, 0)
    starts_group = [False] * n
    for i in range(n):
        for g in word_groups():
            if tuple(folded[i : i + len(g)]) == g:
                starts_group[i] = True
                for k in range(i, i + len(g) - 1):
                    bound[k] = True
    for i in range(n):
        for prefix in PLACE_PREFIXES:
            if tuple(folded[i : i + len(prefix)]) != prefix or i + len(prefix) >= n:
                continue
            # "Xã hội", "Tỉnh ủy", "Thành phố Hồ Chí Minh" are listed groups, not a place prefix
            if len(prefix) == 1 and starts_group[i]:
                continue
            for k in range(i, (n - 1) if places else (i + len(prefix) - 1)):
                bound[k] = True
            break
    for i in range(n - 1):  # "LAO ĐỘNG - THƯƠNG BINH": never break next to a dash
        if words[i + 1] in ("-", "–") or words[i] in ("-", "–"):
            bound[i] = True
    return bound


def split_lines(
    text: str,
    max_width: int = HEADER_LINE_WIDTH,
    size: float = HEADER_SIZE,
    width: Callable[[str, float], int] = bold_width_twips,
) -> list[str]:
    """``text`` in the fewest balanced lines of at most ``max_width`` twips (see module doc).

    >>> split_lines("ỦY BAN NHÂN DÂN TỈNH NINH THUẬN")
    ['ỦY BAN NHÂN DÂN', 'TỈNH NINH THUẬN']
    """
    words = text.split()
    if not words:
        return []
    passes = [
        [i for i, b in enumerate(_bound(words)) if not b],
        [i for i, b in enumerate(_bound(words, places=False)) if not b],
        list(range(len(words) - 1)),
    ]

    def lines_of(cuts: Sequence[int]) -> list[str]:
        edges = [0, *(c + 1 for c in cuts), len(words)]
        return [" ".join(words[a:b]) for a, b in itertools.pairwise(edges)]

    def cost(lines: list[str]) -> tuple[int, int]:
        widths = [width(line, size) for line in lines]
        weak = sum(1 for line in lines[:-1] if _fold(line.split()[-1]) in WEAK_ENDINGS)
        comma = sum(1 for line in lines[:-1] if line.endswith(","))
        # balance: the widest line; a weak ending costs about five letters, a comma end saves one
        return max(widths) + 600 * weak - 100 * comma, sum(widths)

    for candidates in passes:  # between groups; else inside a long place; else any space
        for k in range(1, MAX_LINES + 1):
            best: list[str] | None = None
            best_cost: tuple[int, int] | None = None
            for cuts in itertools.combinations(candidates, k - 1):
                lines = lines_of(cuts)
                if any(width(line, size) > max_width for line in lines):
                    continue
                c = cost(lines)
                if best_cost is None or c < best_cost:
                    best, best_cost = lines, c
            if best is not None:
                return best
    return lines_of(passes[0][: MAX_LINES - 1])  # nothing fits: the cell wraps what is left


def regular_width(text: str, size: float) -> int:
    """Approximate width of upright (not bold) CAPS: Times regular capitals are about 6 %
    narrower than bold; erring wide only breaks a line a little early."""
    return round(bold_width_twips(text, size) * 0.94)


def header_lines(name: str, given: str | None = None, *, regular: bool = False) -> list[str]:
    """The header lines of an agency name in CAPS: the administrator's ``given`` lines if set
    (a given line too wide for the cell is broken further), else the default
    (:func:`split_lines`). ``regular``: measured upright (the parent line), not bold."""
    measure = regular_width if regular else bold_width_twips
    source = given.splitlines() if given and given.strip() else [name]
    out: list[str] = []
    for line in source:
        line = " ".join(line.split()).upper()
        if line:
            out.extend(split_lines(line, width=measure))
    return out


def header_text(name: str, given: str | None = None) -> str:
    """:func:`header_lines` joined by ``\\n`` (a line break in the rendered document)."""
    return "\n".join(header_lines(name, given))


def breaks_inside_group(lines: Sequence[str]) -> list[str]:
    """The listed word groups (and places) a line break of ``lines`` falls inside: empty when
    every break is between groups. For checks and tests."""
    words: list[str] = []
    ends: set[int] = set()
    for line in lines:
        words.extend(line.split())
        ends.add(len(words) - 1)
    bound = _bound(words, places=False)
    return [f"{words[i]} / {words[i + 1]}" for i in sorted(ends) if i < len(bound) and bound[i]]
