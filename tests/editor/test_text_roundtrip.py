"""The editor's text form of a section's items reads back as exactly the items it was written
from (issue 10 item 8: paragraphs starting with "- " came back as bullets, plain "_…_" bullets as
italics, a heading's first paragraph as its text)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.editor.definition import nodes_to_text, text_to_nodes

LINE = (
    st.text(alphabet=st.sampled_from(list("ab _-*#1.)+đ\\\\")), min_size=1, max_size=8)
    .map(str.strip)
    .filter(bool)
)
BULLET = st.one_of(LINE, st.builds(lambda t: {"text": t, "italic": True}, LINE))


def node(depth: int) -> st.SearchStrategy:
    optional = {
        "text": LINE,
        "heading": LINE.filter(lambda h: h.lstrip("#").strip() == h),
        "paragraphs": st.lists(LINE, min_size=1, max_size=2),
        "bullets": st.lists(BULLET, min_size=1, max_size=2),
    }
    if depth < 2:
        optional["items"] = st.lists(node(depth + 1), min_size=1, max_size=2)
    return st.fixed_dictionaries({}, optional=optional).filter(
        lambda n: n.get("text") or n.get("heading")  # an item says something
    )


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(node(0), min_size=1, max_size=3))
def test_items_round_trip_through_the_text_area(nodes: list[dict]) -> None:
    text = nodes_to_text(nodes)
    assert text_to_nodes(text) == nodes
    # and as a browser sends it back (CRLF)
    assert text_to_nodes(text.replace("\n", "\r\n")) == nodes


def test_the_cases_the_probe_saw() -> None:
    nodes = [
        {"heading": "Mục tiêu", "paragraphs": ["- Nâng cao nhận thức", "2024. Năm bản lề"]},
        {
            "text": "Tuyên truyền",
            "bullets": ["_khẩu hiệu_", {"text": "in nghiêng", "italic": True}],
        },
    ]
    assert text_to_nodes(nodes_to_text(nodes)) == nodes
