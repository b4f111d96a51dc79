"""The render macro: labels, errors next to their field, escaping, no-JS row buttons."""

from __future__ import annotations

import jinja2

from forms import SUBMIT, TEMPLATE_FOLDER, build_form_class, parse_schema
from forms.build import FormData

SCHEMA = parse_schema(
    {
        "fields": [
            {
                "name": "staff",
                "label": "Cán bộ <b>",
                "type": "integer",
                "min": 0,
                "unit": "người",
                "help": "Tính cả hợp đồng & tạm tuyển",
                "required": True,
            },
            {"name": "has", "label": "Có tập huấn?", "type": "yesno"},
            {
                "name": "why",
                "label": "Lý do",
                "type": "text",
                "visible_if": {"field": "has", "equals": False},
            },
            {
                "name": "acts",
                "label": "Hoạt động",
                "type": "group",
                "fields": [{"name": "day", "label": "Ngày", "type": "date"}],
            },
        ]
    }
)
ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_FOLDER),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def render(pairs: list[tuple[str, str]]) -> str:
    form = build_form_class(SCHEMA)(formdata=FormData(pairs))
    form.validate(mode=SUBMIT)
    template = ENV.from_string(
        '{% from "kehoach_forms/render.html" import render_form %}{{ render_form(form, schema) }}'
    )
    return template.render(form=form, schema=SCHEMA)


def test_fields_errors_and_escaping() -> None:
    html = render([("staff", "<script>alert(1)</script>"), ("acts-0-day", "32/01/2024")])
    assert '<label class="form-label" for="staff">Cán bộ &lt;b&gt;' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'aria-describedby="staff-error staff-help staff-unit"' in html
    assert (
        '<div class="invalid-feedback d-block" id="staff-error" aria-live="polite">'
        "<div>Giá trị phải là số nguyên</div>" in html
    )
    assert "Tính cả hợp đồng &amp; tạm tuyển" in html
    assert 'id="acts-0-day-error" aria-live="polite"><div>Ngày không hợp lệ (dd/mm/yyyy)' in html
    assert '<label class="visually-hidden" for="acts-0-day">Ngày (dòng 1)</label>' in html


def test_conditional_field_and_row_buttons() -> None:
    html = render([])
    assert 'data-visible-if="{&#34;field&#34;: &#34;has&#34;' in html
    assert "Chỉ điền khi «Có tập huấn?» là «Không»" in html
    assert 'name="_add_row"\n          value="acts">Thêm dòng</button>' in html
    assert 'name="_remove_row"\n                value="acts-0">Xóa dòng</button>' in html
