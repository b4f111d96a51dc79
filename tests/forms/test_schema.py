"""A bad schema is refused with every problem, its path and a Vietnamese reason."""

from decimal import Decimal

import pytest

from forms import SchemaError, parse_schema
from forms.formula import Formula


def problems(fields: list[dict]) -> dict[str, str]:
    with pytest.raises(SchemaError) as info:
        parse_schema({"fields": fields})
    return {p.path: p.message for p in info.value.problems}


def num(name: str, **kw: object) -> dict:
    return {"name": name, "label": name.upper(), "type": "integer", **kw}


@pytest.mark.parametrize(
    ("fields", "path", "message"),
    [
        (
            [{"name": "a", "label": "A", "type": "money"}],
            "fields[0].type",
            "Loại trường không hợp lệ: money",
        ),
        ([{"label": "A", "type": "text"}], "fields[0].name", "Thiếu tên trường (name)"),
        (
            [{"name": "Số", "label": "A", "type": "text"}],
            "fields[0].name",
            "Tên trường không hợp lệ",
        ),
        ([num("a"), num("a")], "fields[1].name", "Tên trường bị trùng: a"),
        ([num("data")], "fields[0].name", "đã được hệ thống dùng"),
        ([{"name": "a", "type": "text"}], "fields[0].label", "Thiếu nhãn"),
        ([num("a", min=10, max=1)], "fields[0].min", "lớn hơn giá trị lớn nhất"),
        (
            [{"name": "p", "label": "P", "type": "percentage", "min": 150}],
            "fields[0].min",
            "lớn hơn giá trị lớn nhất",
        ),
        ([num("a", min=1.5)], "fields[0].min", "Phải là số nguyên"),
        (
            [{"name": "c", "label": "C", "type": "choice"}],
            "fields[0].choices",
            "Trường chọn phải có danh sách lựa chọn",
        ),
        (
            [{"name": "c", "label": "C", "type": "choice", "choices": ["x", "x"]}],
            "fields[0].choices[1].value",
            "Giá trị lựa chọn bị trùng: x",
        ),
        (
            [num("a", visible_if={"field": "nope", "equals": 1})],
            "fields[0].visible_if.field",
            "Không có trường nope ở cùng cấp",
        ),
        (
            [
                {"name": "y", "label": "Y", "type": "yesno"},
                num("a", visible_if={"field": "y", "equals": "maybe"}),
            ],
            "fields[1].visible_if.equals",
            "không hợp với trường y",
        ),
        (
            [num("a"), {"name": "r", "label": "R", "type": "computed", "formula": "a / b"}],
            "fields[1].formula",
            "Công thức dùng trường không có: b",
        ),
        (
            [
                {"name": "t", "label": "T", "type": "text"},
                {"name": "r", "label": "R", "type": "computed", "formula": "t * 2"},
            ],
            "fields[1].formula",
            "Công thức dùng trường không phải số: t",
        ),
        (
            [{"name": "r", "label": "R", "type": "computed", "formula": "r + 1"}],
            "fields[0].formula",
            "Công thức không được dùng chính trường r",
        ),
        (
            [
                {"name": "x", "label": "X", "type": "computed", "formula": "y + 1"},
                {"name": "y", "label": "Y", "type": "computed", "formula": "x * 2"},
            ],
            "fields[0]",
            "Các trường phụ thuộc vòng tròn: x → y → x",
        ),
        (
            [{"name": "r", "label": "R", "type": "computed", "formula": "__import__('os')"}],
            "fields[0].formula",
            "Công thức chỉ được dùng số",
        ),
        (
            [{"name": "r", "label": "R", "type": "computed", "formula": "2 ** 99999"}],
            "fields[0].formula",
            "Công thức chỉ được dùng số",
        ),
        (
            [
                {
                    "name": "g",
                    "label": "G",
                    "type": "group",
                    "fields": [{"name": "h", "label": "H", "type": "group", "fields": [num("a")]}],
                }
            ],
            "fields[0].fields[0].type",
            "Không được lồng bảng trong bảng",
        ),
        (
            [num("a", consolidate="median")],
            "fields[0].consolidate",
            "Quy tắc tổng hợp không hợp lệ: median",
        ),
        (
            [{"name": "t", "label": "T", "type": "text", "consolidate": "sum"}],
            "fields[0].consolidate",
            "Quy tắc tổng hợp sum không dùng được cho loại text",
        ),
        (
            [{"name": "p", "label": "P", "type": "percentage", "consolidate": "sum"}],
            "fields[0].consolidate",
            "không dùng được cho loại percentage",
        ),
        (
            [{"name": "t", "label": "T", "type": "text", "target": 5}],
            "fields[0].target",
            "Chỉ đặt mục tiêu cho trường số",
        ),
        ([num("a", consolidate="ratio")], "fields[0].target", "cần có mục tiêu"),
        ([num("a", min=0, default=-1)], "fields[0].default", "Giá trị phải từ 0 trở lên"),
        (
            [{"name": "t", "label": "T", "type": "text", "min": 1}],
            "fields[0].min",
            "Khóa min không dùng cho loại text",
        ),
        ([num("a", short_label=5)], "fields[0].short_label", "Phải là văn bản"),
    ],
)
def test_refused(fields: list[dict], path: str, message: str) -> None:
    found = problems(fields)
    assert path in found, found
    assert message in found[path]


def test_every_problem_is_reported_at_once() -> None:
    found = problems(
        [
            num("a", min=3, max=1),
            {"name": "b", "label": "B", "type": "zzz"},
            {"name": "c", "label": "C", "type": "choice"},
        ]
    )
    assert set(found) == {"fields[0].min", "fields[1].type", "fields[2].choices"}


def test_column_paths_inside_a_group() -> None:
    found = problems(
        [
            {
                "name": "g",
                "label": "G",
                "type": "group",
                "fields": [num("n"), num("m", visible_if={"field": "zz", "not_empty": True})],
            }
        ]
    )
    assert "fields[0].fields[1].visible_if.field" in found


def test_round_trip_of_a_full_schema() -> None:
    data = {
        "title": "Báo cáo",
        "fields": [
            num("staff", min=0, required=True, unit="người", help="Tổng số"),
            num("trained", min=0, default=0),
            {
                "name": "rate",
                "label": "Tỷ lệ",
                "type": "computed",
                "formula": "trained / staff * 100",
                "target": 100,
                "target_label": "Mục tiêu: 100%",
                "consolidate": "ratio",
                "decimals": 1,
            },
            {
                "name": "fake",
                "label": "Tin giả xử lý",
                "type": "percentage",
                "target": 90,
                "short_label": "Tin giả",
            },
            {"name": "has", "label": "Có tập huấn?", "type": "yesno"},
            {
                "name": "why",
                "label": "Lý do",
                "type": "textarea",
                "max_length": 300,
                "visible_if": {"field": "has", "equals": False},
            },
            {
                "name": "ch",
                "label": "Kênh",
                "type": "multichoice",
                "choices": [{"value": "bao_in", "label": "Báo in"}, {"value": "tv", "label": "TV"}],
            },
            {"name": "f", "label": "Tệp", "type": "file", "accept": ["pdf"], "max_size_mb": 2.5},
            {
                "name": "acts",
                "label": "Hoạt động",
                "type": "group",
                "min_rows": 1,
                "max_rows": 50,
                "fields": [
                    {"name": "d", "label": "Ngày", "type": "date", "short_label": "Ng."},
                    num("n"),
                ],
            },
        ],
    }
    schema = parse_schema(data)
    again = parse_schema(schema.to_dict())
    assert again == schema
    assert again.to_dict() == schema.to_dict()
    assert again["why"].visible_if.equals is False
    assert again["f"].max_bytes == int(2.5 * 1024 * 1024)
    assert again["fake"].short_label == "Tin giả"
    assert again.to_dict()["fields"][3]["short_label"] == "Tin giả"
    assert again["acts"].fields[0].short_label == "Ng."
    assert "short_label" not in again.to_dict()["fields"][0]


def test_formula_division_by_zero_is_empty_not_a_crash() -> None:
    formula = Formula("a / (b - c) * 100")
    assert formula.evaluate({"a": 1, "b": 2, "c": 2}) is None
    assert formula.evaluate({"a": 1, "b": None, "c": 2}) is None
    assert formula.evaluate({"a": 1, "b": 6, "c": 2}) == Decimal(25)
