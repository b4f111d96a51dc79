"""Plan body text as clerks type it (issue 12, point 1): markers kept as typed, no invented
dashes, structure from the markers, inline emphasis, bounded input; the same text in the
plan document (runs) as in the file."""

from __future__ import annotations

import io

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services import loader, richtext
from tests.test_example_plans import TEMPLATE, TV_YAML, markdown, paragraphs
from worker.contexts import plan_context, recipient_lines, task_blocks
from worker.render import render_docx

CITY_TASKS = """- Chủ trì tổ chức treo băng rôn, khẩu hiệu:
+ tại trụ sở các cơ quan, đơn vị;
+ tại các tuyến đường chính.
Thời gian treo: từ ngày 20/11 đến hết ngày 31/12.
- Tuyên truyền các khẩu hiệu:
(1) *“Bảo đảm quyền con người cho tất cả mọi người”*;
(2) *“Việt Nam quyết tâm đẩy lùi nạn mua, bán người”*.
- Báo cáo kết quả **trước ngày 25/12/2024**."""


def texts(blocks: list[dict]) -> list[str]:
    return [b["text"] for b in blocks]


def test_markers_are_kept_and_nothing_is_added():
    paras = richtext.parse(CITY_TASKS)
    assert [p.text for p in paras] == [
        "- Chủ trì tổ chức treo băng rôn, khẩu hiệu:",
        "+ tại trụ sở các cơ quan, đơn vị;",
        "+ tại các tuyến đường chính.",
        "Thời gian treo: từ ngày 20/11 đến hết ngày 31/12.",
        "- Tuyên truyền các khẩu hiệu:",
        "(1) “Bảo đảm quyền con người cho tất cả mọi người”;",
        "(2) “Việt Nam quyết tâm đẩy lùi nạn mua, bán người”.",
        "- Báo cáo kết quả trước ngày 25/12/2024.",
    ]
    # the structure the markers give: "+" and "(1)" under "-", the paragraph goes on the item
    assert [p.level for p in paras] == [1, 2, 2, 2, 1, 2, 2, 1]
    assert paras[5].runs[1].italic and paras[7].runs[1].bold


def test_a_task_list_prints_as_typed():
    """No "- + …", no "- (1) …", a second paragraph of a task does not gain a "- "."""
    tasks = richtext.split_items(CITY_TASKS)
    assert len(tasks) == 3 and tasks[0].count("\n") == 3
    printed = texts(task_blocks(tasks))
    assert printed == [p.text for p in richtext.parse(CITY_TASKS)]
    assert not any(t.startswith(("- +", "- (", "- Thời gian")) for t in printed)
    assert richtext.join_items(tasks) == CITY_TASKS


def test_old_task_lists_print_as_before():
    assert texts(task_blocks(["Một việc."])) == ["Một việc."]
    assert texts(task_blocks(["Việc một.", "Việc hai."])) == ["- Việc một.", "- Việc hai."]
    # an inline assignment: "N. label first task", further tasks as before
    assert texts(task_blocks(["làm A.", "làm B."], prefix="2. Sở X ")) == [
        "2. Sở X làm A.",
        "- làm B.",
    ]
    # a "+" sub-item typed under an old one-line task stays a sub-item, without a dash
    assert richtext.split_items("Việc một.\n+ ở xã A;\nViệc hai.") == [
        "Việc một.\n+ ở xã A;",
        "Việc hai.",
    ]
    assert texts(task_blocks(["Việc một.\n+ ở xã A;", "Việc hai."])) == [
        "- Việc một.",
        "+ ở xã A;",
        "- Việc hai.",
    ]


def test_nesting_as_deep_as_real_plans():
    text = "**1. Mục tiêu**\n*a) Cụ thể*\n- ý một\n+ ý nhỏ\n(1) điểm\nđoạn tiếp\n2. Yêu cầu"
    paras = richtext.parse(text)
    assert [p.level for p in paras] == [1, 2, 3, 4, 5, 5, 1]
    assert [p.style for p in paras[:2]] == ["bold", "italic"]
    assert richtext.last_number(paras) == 2


@pytest.mark.parametrize(
    "typed,runs",
    [
        ("a **b** c", [("a ", 0, 0), ("b", 1, 0), (" c", 0, 0)]),
        ("(*Công an tỉnh*)", [("(", 0, 0), ("Công an tỉnh", 0, 1), (")", 0, 0)]),
        ("***cả hai*** x", [("cả hai", 1, 1), (" x", 0, 0)]),
        ("**đậm *nghiêng* đậm**", [("đậm ", 1, 0), ("nghiêng", 1, 1), (" đậm", 1, 0)]),
        ("5 * 3 * 2", [("5 * 3 * 2", 0, 0)]),
        ("a*b", [("a*b", 0, 0)]),
        ("dấu \\*sao\\*", [("dấu *sao*", 0, 0)]),
        ("** x**", [("** x**", 0, 0)]),
        ("<w:t>&amp; {{ x }}", [("<w:t>&amp; {{ x }}", 0, 0)]),
    ],
)
def test_inline_emphasis(typed, runs):
    got = [(r.text, int(r.bold), int(r.italic)) for r in richtext.parse_inline(typed)]
    assert got == runs
    assert richtext.plain(typed) == "".join(t for t, _, _ in runs)


def test_word_line_ends_and_blank_lines():
    assert richtext.lines_of("a\r\n\r\nb\x0bc\u2028d  \n  ") == ["a", "b", "c", "d"]
    assert richtext.normalize("  - a\r\n\r\n+ b\n") == "- a\n+ b"


def test_hostile_text_is_bounded():
    assert richtext.problems("- a\n+ b") == []
    assert richtext.problems(123) == ["Nội dung phải là văn bản"]
    deep = "\n".join(m + " x" for m in ["-", "+", "•", "(1)", "(a)", "1.1.", "1.", "1)", "a)"])
    (problem,) = richtext.problems(deep)
    assert "lồng quá 8 cấp" in problem and "có 9 cấp" in problem
    assert "dài quá 20.000 ký tự" in richtext.problems("x" * 20_001)[0]
    assert any("quá 1000 đoạn" in p for p in richtext.problems("x\n" * 1_001))
    # parsing never fails and stays bounded
    assert len(richtext.parse("- x\n" * 50_000)) <= richtext.MAX_LINES
    assert len(richtext.parse_inline("*" * 100_000)) == 1
    assert len(richtext.parse_inline("**a " * 10_000)) == 1


def test_a_file_with_too_deep_a_body_names_the_path_and_line(tmp_path):
    text = TV_YAML.read_text(encoding="utf-8")
    deep = "\n".join(
        f"      {m} x" for m in ["-", "+", "•", "(1)", "(a)", "1.1.", "1.", "1)", "a)"]
    )
    bad = tmp_path / "deep.yaml"
    bad.write_text(text.replace("    body: |\n", f"    body: |\n{deep}\n", 1), encoding="utf-8")
    with pytest.raises(loader.PlanFileError) as exc:
        loader.parse_file(bad)
    (problem,) = exc.value.problems
    assert problem.path == "sections[0].body" and "lồng quá 8 cấp" in problem.message
    assert problem.line == text.splitlines().index("    body: |") + 1


def test_recipients_carry_a_note_line():
    assert recipient_lines(
        ["Bộ TTTT (b/c)", "Các sở, ban, ngành tỉnh", "(để thực hiện)", "+ Sở Tư pháp;"], "VT"
    ) == [
        "- Bộ TTTT (b/c);",
        "- Các sở, ban, ngành tỉnh;",
        "(để thực hiện)",
        "+ Sở Tư pháp;",
        "- Lưu: VT.",
    ]


def test_a_plan_prints_body_tasks_and_emphasis_as_typed():
    plan = loader.parse_file(TV_YAML)
    plan["sections"][2]["body"] += "\nĐoạn thứ hai của mục 1, không có gạch đầu dòng."
    plan["assignments"][0]["tasks"] = richtext.split_items(CITY_TASKS)
    plan["assignments"][0]["inline"] = False
    plan["recipients"] += ["(để biết)"]
    agencies = {a["code"]: a for a in plan["agencies"]}
    data = render_docx(TEMPLATE, plan_context(plan, agencies, None, None))
    got = [md for md, _ in paragraphs(data)]
    i = got.index("Đoạn thứ hai của mục 1, không có gạch đầu dòng.")
    assert got[i + 1] == "**2. Sở Thông tin và Truyền thông**"  # numbered on after the body
    assert got[i + 2 : i + 10] == [
        "- Chủ trì tổ chức treo băng rôn, khẩu hiệu:",
        "+ tại trụ sở các cơ quan, đơn vị;",
        "+ tại các tuyến đường chính.",
        "Thời gian treo: từ ngày 20/11 đến hết ngày 31/12.",
        "- Tuyên truyền các khẩu hiệu:",
        "(1) *“Bảo đảm quyền con người cho tất cả mọi người”*;",
        "(2) *“Việt Nam quyết tâm đẩy lùi nạn mua, bán người”*.",
        "- Báo cáo kết quả **trước ngày 25/12/2024**.",
    ]
    assert "(để biết)" in got
    # every body paragraph: Times New Roman 14, justified, first line indented 1.27 cm
    doc = Document(io.BytesIO(data))
    body = [p for p in doc.paragraphs if p.text.startswith(("+ tại", "(1)", "Thời gian treo"))]
    assert len(body) == 4
    for p in body:
        assert p.alignment == 3 and abs(p.paragraph_format.first_line_indent.cm - 1.27) < 0.01
        assert all(r.font.size.pt == 14 for r in p.runs)
        assert markdown(p)[0]


LINE = st.text(alphabet=st.sampled_from(list("ab -+*()1.đ\\")), min_size=1, max_size=10).map(
    str.strip
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(LINE.filter(bool), min_size=1, max_size=8))
def test_tasks_typed_in_the_editor_read_back_the_same(lines: list[str]) -> None:
    typed = "\n".join(lines)
    tasks = richtext.split_items(typed)
    assert richtext.join_items(tasks) == typed
    assert richtext.split_items(richtext.join_items(tasks)) == tasks
    # and the document prints every line as typed when the first has a marker
    if richtext.marker_of(lines[0])[0]:
        assert texts(task_blocks(tasks)) == [richtext.plain(x) for x in lines]
