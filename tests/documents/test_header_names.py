"""Agency names in the header: broken between word groups, balanced, fitting the cell — on the
real agencies of both example plans, and on any name."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from app.services.header_names import (
    HEADER_LINE_WIDTH,
    breaks_inside_group,
    header_lines,
    split_lines,
)
from app.services.textwidth import bold_width_twips

ROOT = Path(__file__).resolve().parents[2]
AGENCIES = {
    a["name"]: a
    for f in sorted((ROOT / "plans").glob("*.yaml"))
    for a in yaml.safe_load(f.read_text(encoding="utf-8"))["agencies"]
}
# the word groups the issue names, and the places of the example plans
NEVER_SPLIT = ["NINH THUẬN", "TRÀ VINH", "TRUYỀN THÔNG", "DU LỊCH", "VĂN HÓA", "THÔNG TIN"]


@pytest.mark.parametrize("name", sorted(AGENCIES))
def test_real_agency_names_break_between_groups(name):
    lines = header_lines(name)
    assert " ".join(lines) == " ".join(name.upper().split())
    assert breaks_inside_group(lines) == []
    assert all(bold_width_twips(line, 12) <= HEADER_LINE_WIDTH for line in lines), lines
    for group in NEVER_SPLIT:
        first, second = group.split()
        assert not any(
            a.endswith(first) and b.startswith(second)
            for a, b in zip(lines, lines[1:], strict=False)
        ), lines
    parent = AGENCIES[name].get("header_parent")
    if parent:
        assert breaks_inside_group(header_lines(parent, parent, regular=True)) == []


def test_the_issue_examples():
    assert header_lines("Ủy ban nhân dân tỉnh Ninh Thuận") == ["ỦY BAN NHÂN DÂN", "TỈNH NINH THUẬN"]
    assert header_lines("Sở Văn hóa, Thể thao và Du lịch tỉnh Trà Vinh") == [
        "SỞ VĂN HÓA, THỂ THAO",
        "VÀ DU LỊCH TỈNH TRÀ VINH",
    ]
    assert "THÔNG / TIN" not in " / ".join(header_lines("Sở Thông tin và Truyền thông"))
    # what the admin set wins; a line too wide for the cell is still broken between groups
    assert header_lines("x", "Sở Thông tin\nvà Truyền thông") == ["SỞ THÔNG TIN", "VÀ TRUYỀN THÔNG"]


WORDS = st.sampled_from(
    "Sở Ban Ủy ban nhân dân tỉnh huyện Ninh Thuận Trà Vinh Văn hóa Du lịch và Truyền thông "
    "Thông tin Giáo dục Đào tạo Công an Hội Liên hiệp Phụ nữ Việt Nam xã Số 12 - ,".split()
)


@given(st.lists(WORDS, min_size=1, max_size=25))
def test_any_name_keeps_every_word_in_order(words):
    text = " ".join(words).upper()
    lines = split_lines(text)
    assert " ".join(lines).split() == text.split()
    assert 1 <= len(lines) <= 4
