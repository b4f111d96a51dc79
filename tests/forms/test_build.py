"""The generated form: valid data round-trips, invalid input is refused on the right field."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms import (
    DRAFT,
    SUBMIT,
    build_form_class,
    data_to_formdata,
    form_to_data,
    handle_row_actions,
    parse_schema,
)
from forms.build import FormData

from .strategies import schemas, valid_data

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make(schema: Any, pairs: list[tuple[str, Any]]) -> Any:
    return build_form_class(schema)(formdata=FormData(pairs))


@SETTINGS
@given(st.data())
def test_valid_data_round_trips_unchanged(data: st.DataObject) -> None:
    schema = data.draw(schemas())
    stored = data.draw(valid_data(schema))
    form = build_form_class(schema)(formdata=data_to_formdata(schema, stored))
    assert form.validate(mode=SUBMIT), form.errors
    assert form_to_data(form, schema) == stored


@st.composite
def broken(draw: st.DrawFn) -> tuple[Any, dict, str, str, str]:
    """A schema, valid data, and one top-level field made invalid: (raw input, expected message)."""
    schema = draw(schemas(with_group=False))
    stored = draw(valid_data(schema))
    spec = draw(st.sampled_from(schema.fields))
    kind = spec.type_name
    options: list[tuple[str, str]] = []
    if spec.required:
        options.append(("", "Vui lòng nhập trường này"))
    if kind == "integer":
        options += [
            ("mười", "Giá trị phải là số nguyên"),
            ("1,5", "Giá trị phải là số nguyên"),
            (str(int(spec.effective_max) + 1), "Giá trị không được lớn hơn"),
            (str(int(spec.effective_min) - 1), "trở lên"),
        ]
    elif kind in ("decimal", "percentage"):
        options.append(("12,5,1", "Giá trị phải là số"))
        if spec.effective_max is not None:
            options.append((str(spec.effective_max + 1), "Giá trị không được lớn hơn"))
        if spec.effective_min is not None:
            options.append((str(spec.effective_min - 1).replace(".", ","), "trở lên"))
    elif kind == "date":
        options += [
            ("31/02/2024", "Ngày không hợp lệ (dd/mm/yyyy)"),
            ("hôm qua", "Ngày không hợp lệ (dd/mm/yyyy)"),
        ]
    elif kind in ("choice", "multichoice"):
        options.append(("khac", "Lựa chọn không hợp lệ"))
    elif kind == "yesno":
        options.append(("co le", "Vui lòng chọn Có hoặc Không"))
    elif kind in ("text", "textarea"):
        options.append(("x" * (spec.effective_max_length + 1), "Tối đa"))
    if not options:
        options.append(("", ""))
    raw, message = draw(st.sampled_from(options))
    return schema, stored, spec.name, raw, message


@SETTINGS
@given(broken())
def test_invalid_input_is_refused_on_its_field(case: tuple) -> None:
    schema, stored, name, raw, message = case
    if not message:
        return  # an optional text field: nothing invalid to type into it
    pairs = [(k, v) for k, v in data_to_formdata(schema, stored).items(multi=True) if k != name]
    if raw:
        pairs.append((name, raw))
    form = build_form_class(schema)(formdata=FormData(pairs))
    assert not form.validate(mode=SUBMIT)
    assert set(form.errors) == {name}
    assert any(message in error for error in form.errors[name]), form.errors
    # In draft a missing required value is fine, but a wrong type or limit is still reported.
    draft = build_form_class(schema)(formdata=FormData(pairs))
    assert draft.validate(mode=DRAFT) == (message == "Vui lòng nhập trường này")


SCHEMA = parse_schema(
    {
        "fields": [
            {
                "name": "staff",
                "label": "Tổng số cán bộ",
                "type": "integer",
                "min": 0,
                "required": True,
            },
            {"name": "trained", "label": "Số cán bộ được tập huấn", "type": "integer", "min": 0},
            {
                "name": "rate",
                "label": "Tỷ lệ",
                "type": "computed",
                "formula": "trained / staff * 100",
            },
            {"name": "has_training", "label": "Có tổ chức tập huấn?", "type": "yesno"},
            {
                "name": "reason",
                "label": "Lý do chưa tổ chức",
                "type": "textarea",
                "required": True,
                "visible_if": {"field": "has_training", "equals": False},
            },
            {
                "name": "proof",
                "label": "Tài liệu",
                "type": "file",
                "accept": ["pdf", "docx"],
                "max_size_mb": 1,
            },
            {
                "name": "acts",
                "label": "Hoạt động",
                "type": "group",
                "min_rows": 1,
                "max_rows": 3,
                "fields": [
                    {"name": "day", "label": "Ngày", "type": "date", "required": True},
                    {"name": "people", "label": "Số người", "type": "integer", "min": 0},
                ],
            },
        ]
    }
)


def test_vietnamese_inputs_are_understood() -> None:
    form = make(
        SCHEMA,
        [
            ("staff", "1.200"),
            ("trained", "300"),
            ("acts-0-day", "2/9/2024"),
            ("acts-1-day", "2024-12-10"),
            ("acts-1-people", "45"),
        ],
    )
    assert form.validate(mode=SUBMIT), form.errors
    data = form_to_data(form, SCHEMA)
    assert data["staff"] == 1200
    assert data["rate"] == "25.00"
    assert data["acts"] == [
        {"day": "2024-09-02", "people": None},
        {"day": "2024-12-10", "people": 45},
    ]


def test_computed_value_is_never_taken_from_the_request() -> None:
    form = make(
        SCHEMA, [("staff", "0"), ("trained", "5"), ("rate", "100"), ("acts-0-day", "01/01/2024")]
    )
    assert form.validate(mode=SUBMIT)
    assert form_to_data(form, SCHEMA)["rate"] is None  # division by zero → empty


def test_hidden_field_is_not_required_and_is_dropped_on_submit() -> None:
    base = [("staff", "10"), ("acts-0-day", "01/01/2024")]
    shown = make(SCHEMA, [*base, ("has_training", "no")])
    assert not shown.validate(mode=SUBMIT)
    assert shown.errors == {"reason": ["Vui lòng nhập trường này"]}
    hidden = make(SCHEMA, [*base, ("has_training", "yes"), ("reason", "không kịp")])
    assert hidden.validate(mode=SUBMIT)
    assert form_to_data(hidden, SCHEMA)["reason"] is None
    hidden_draft = make(SCHEMA, [*base, ("has_training", "yes"), ("reason", "không kịp")])
    assert form_to_data(hidden_draft, SCHEMA, mode=DRAFT)["reason"] == "không kịp"


def test_group_rows_are_checked_and_empty_rows_dropped() -> None:
    form = make(SCHEMA, [("staff", "1"), ("acts-0-people", "-3"), ("acts-1-day", "")])
    assert not form.validate(mode=SUBMIT)
    assert form.errors["acts"][0] == {
        "day": ["Vui lòng nhập trường này"],
        "people": ["Giá trị phải từ 0 trở lên"],
    }
    empty = make(SCHEMA, [("staff", "1")])
    assert not empty.validate(mode=SUBMIT)
    assert "Cần ít nhất 1 dòng" in empty.errors["acts"]
    assert make(SCHEMA, [("staff", "1")]).validate(mode=DRAFT)


def test_draft_keeps_what_was_typed() -> None:
    form = make(SCHEMA, [("staff", "mười"), ("trained", "-1")])
    assert not form.validate(mode=DRAFT)
    assert form.errors == {
        "staff": ["Giá trị phải là số nguyên"],
        "trained": ["Giá trị phải từ 0 trở lên"],
    }
    assert form["staff"].kh_text() == "mười"
    assert form_to_data(form, SCHEMA, mode=DRAFT)["trained"] == -1


class Upload:
    def __init__(self, filename: str, size: int, content: bytes = b"%PDF-1.4\n") -> None:
        self.filename = filename
        self.stream = io.BytesIO(content + b"x" * max(0, size - len(content)))


def test_files_extension_and_size() -> None:
    base = [("staff", "1"), ("acts-0-day", "01/01/2024")]
    bad = make(SCHEMA, [*base, ("proof", Upload("virus.exe", 10))])
    assert not bad.validate(mode=SUBMIT)
    assert bad.errors == {"proof": ["Chỉ nhận tệp pdf, docx"]}
    big = make(SCHEMA, [*base, ("proof", Upload("bao-cao.pdf", 1024 * 1024 + 1))])
    assert not big.validate(mode=SUBMIT)
    assert big.errors == {"proof": ["Tệp quá lớn (tối đa 1 MB)"]}
    good = make(SCHEMA, [*base, ("proof", Upload("bao-cao.PDF", 2000))])
    assert good.validate(mode=SUBMIT)
    stored = form_to_data(
        good, SCHEMA, store_file=lambda name, f: {"filename": f.filename, "id": 7}
    )
    assert stored["proof"] == {"filename": "bao-cao.PDF", "id": 7}
    # Saving again without a new upload keeps the stored file.
    again = make(SCHEMA, base)
    assert form_to_data(again, SCHEMA, existing=stored)["proof"] == stored["proof"]


def test_files_are_checked_by_their_content() -> None:
    base = [("staff", "1"), ("acts-0-day", "01/01/2024")]
    exe = make(SCHEMA, [*base, ("proof", Upload("x.pdf", 2000, b"MZ\x90\x00"))])
    assert not exe.validate(mode=SUBMIT)
    assert exe.errors == {"proof": ["Nội dung tệp không đúng định dạng “.pdf”"]}
    html = make(SCHEMA, [*base, ("proof", Upload("x.docx", 200, b"<html><script>"))])
    assert not html.validate(mode=SUBMIT)
    assert html.errors == {"proof": ["Nội dung tệp không đúng định dạng “.docx”"]}


def test_group_rows_beyond_max_rows_are_refused_not_dropped() -> None:
    rows = [(f"acts-{i}-day", "01/01/2024") for i in range(5)]
    form = make(SCHEMA, [("staff", "1"), *rows])
    assert not form.validate(mode=DRAFT)
    message = form.errors["acts"][-1]
    assert message.startswith("“")
    assert "có tối đa 3 dòng; đã gửi 5 dòng" in message and "bớt 2 dòng" in message
    assert len(form["acts"].entries) == 5  # shown again with every row typed


def test_required_file_is_satisfied_by_the_stored_one() -> None:
    schema = parse_schema(
        {"fields": [{"name": "f", "label": "Tệp", "type": "file", "required": True}]}
    )
    assert not make(schema, []).validate(mode=SUBMIT)
    assert make(schema, []).validate(mode=SUBMIT, existing={"f": {"filename": "a.pdf"}})


def test_add_and_remove_rows_without_javascript() -> None:
    pairs = [
        ("staff", "5"),
        ("acts-0-day", "01/01/2024"),
        ("acts-1-day", "02/01/2024"),
        ("acts-1-people", "7"),
    ]
    form = make(SCHEMA, [*pairs, ("_add_row", "acts")])
    assert handle_row_actions(form, FormData([("_add_row", "acts")]))
    assert len(form["acts"].entries) == 3
    assert form["staff"].kh_text() == "5"
    assert form["acts"][1]["people"].kh_text() == "7"
    assert handle_row_actions(form, FormData([("_add_row", "acts")]))
    assert len(form["acts"].entries) == 3
    assert form["acts"].errors == ["Tối đa 3 dòng"]

    form = make(SCHEMA, pairs)
    assert handle_row_actions(form, FormData([("_remove_row", "acts-0")]))
    assert [e["day"].kh_text() for e in form["acts"].entries] == ["02/01/2024"]
    assert form["acts"][0]["people"].name == "acts-0-people"
    assert not handle_row_actions(form, FormData([("save", "1")]))


def test_flask_wtf_base_reads_the_request_and_keeps_csrf() -> None:
    from flask import Flask
    from flask_wtf import FlaskForm

    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=True)
    form_class = build_form_class(SCHEMA, base=FlaskForm)
    with app.test_request_context(method="POST", data={"staff": "3", "acts-0-day": "01/01/2024"}):
        form = form_class()
        assert not form.validate_on_submit()
        assert "csrf_token" in form.errors
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context(method="POST", data={"staff": "3", "acts-0-day": "01/01/2024"}):
        form = form_class()
        assert form.validate_on_submit(), form.errors
        assert form_to_data(form, SCHEMA)["staff"] == 3
