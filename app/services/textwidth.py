"""Approximate printed width of a line in Times New Roman bold (Liberation Serif metrics).

Used to size the rule lines under the agency name, the motto and the summary (FORMAT.md §2, §5).
Vietnamese letters are measured by their base letter (NFD); combining marks have no advance.
"""

from __future__ import annotations

import unicodedata

_CHARS = (
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    "abcdefghijklmnopqrstuvwxyz{|}~Đđ"
)
# Advance widths of Liberation Serif Bold 2.1.5 (2048 units per em), metrics of Times New Roman.
_BOLD = (
    512,
    682,
    1137,
    1024,
    1024,
    2048,
    1706,
    569,
    682,
    682,
    1024,
    1167,
    512,
    682,
    512,
    569,
    1024,
    1024,
    1024,
    1024,
    1024,
    1024,
    1024,
    1024,
    1024,
    1024,
    682,
    682,
    1167,
    1167,
    1167,
    1024,
    1905,
    1479,
    1366,
    1479,
    1479,
    1366,
    1251,
    1593,
    1593,
    797,
    1024,
    1593,
    1366,
    1933,
    1479,
    1593,
    1251,
    1593,
    1479,
    1139,
    1366,
    1479,
    1479,
    2048,
    1479,
    1479,
    1366,
    682,
    569,
    682,
    1190,
    1024,
    682,
    1024,
    1139,
    909,
    1139,
    909,
    682,
    1024,
    1139,
    569,
    682,
    1139,
    569,
    1706,
    1139,
    1024,
    1139,
    1139,
    909,
    797,
    682,
    1139,
    1024,
    1479,
    1024,
    1024,
    909,
    807,
    451,
    807,
    1065,
    1479,
    1139,
)
_WIDTH = dict(zip(_CHARS, _BOLD, strict=True))
_UPEM = 2048
_HORN = 150  # Ơ, Ư are a little wider than O, U


def bold_width_twips(text: str, size_pt: float) -> int:
    """Width of the longest line of ``text`` in twips (1/20 pt) at ``size_pt``, bold."""
    best = 0
    for line in text.split("\n"):
        units = 0
        for ch in line:
            if ch in _WIDTH:
                units += _WIDTH[ch]
                continue
            decomposed = unicodedata.normalize("NFD", ch)
            base = decomposed[0]
            units += _WIDTH.get(base, 1024)
            if "\u031b" in decomposed:  # combining horn
                units += _HORN
        best = max(best, units)
    return round(best * size_pt * 20 / _UPEM)
