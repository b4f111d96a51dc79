"""Hypothesis strategies: random schemas and data that is valid for them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from forms import FormSchema, parse_schema

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    "ĐÂÊÔƠƯ0123456789 ,.;:()%-/<>&\"'"
)
SCALAR_TYPES = [
    "integer",
    "decimal",
    "percentage",
    "text",
    "textarea",
    "date",
    "choice",
    "multichoice",
    "yesno",
]


@st.composite
def field_dicts(draw: st.DrawFn, name: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(SCALAR_TYPES))
    field: dict[str, Any] = {
        "name": name,
        "label": f"Trường {name}",
        "type": kind,
        "required": draw(st.booleans()),
    }
    if kind == "integer":
        low = draw(st.integers(-1000, 1000))
        field.update(min=low, max=low + draw(st.integers(0, 100000)))
    elif kind == "decimal" and draw(st.booleans()):
        field.update(min=draw(st.integers(-50, 0)), max=draw(st.integers(1, 5000)))
    elif kind in ("text", "textarea"):
        field["max_length"] = draw(st.integers(1, 300))
    elif kind in ("choice", "multichoice"):
        n = draw(st.integers(1, 5))
        field["choices"] = [{"value": f"c{i}", "label": f"Lựa chọn <{i}> & ý"} for i in range(n)]
    return field


@st.composite
def schemas(draw: st.DrawFn, with_group: bool = True) -> FormSchema:
    n = draw(st.integers(1, 6))
    fields = [draw(field_dicts(f"f{i}")) for i in range(n)]
    if with_group and draw(st.booleans()):
        columns = [draw(field_dicts(f"c{i}")) for i in range(draw(st.integers(1, 3)))]
        fields.append(
            {
                "name": "rows",
                "label": "Các hoạt động",
                "type": "group",
                "fields": columns,
                "min_rows": draw(st.integers(0, 2)),
                "max_rows": 6,
            }
        )
    return parse_schema({"fields": fields})


def _text(draw: st.DrawFn, spec: Any, multiline: bool) -> str:
    alphabet = VIETNAMESE + ("\n" if multiline else "")
    text = draw(st.text(alphabet, min_size=1, max_size=spec.effective_max_length))
    text = text.strip()
    return text or "x"


@st.composite
def valid_value(draw: st.DrawFn, spec: Any, optional: bool = True) -> Any:
    """A stored (JSON) value valid for ``spec``; None only when allowed."""
    if optional and not spec.required and draw(st.integers(0, 4)) == 0:
        return None
    kind = spec.type_name
    if kind == "integer":
        return draw(st.integers(int(spec.effective_min), int(spec.effective_max)))
    if kind in ("decimal", "percentage"):
        low = spec.effective_min if spec.effective_min is not None else Decimal(-(10**9))
        high = spec.effective_max if spec.effective_max is not None else Decimal(10**9)
        places = draw(st.integers(0, 4))
        number = draw(st.decimals(low, high, places=places, allow_nan=False, allow_infinity=False))
        return format(number, "f")
    if kind in ("text", "textarea"):
        return _text(draw, spec, kind == "textarea")
    if kind == "date":
        return draw(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))).isoformat()
    if kind == "choice":
        return draw(st.sampled_from(spec.values))
    if kind == "multichoice":
        picked = draw(st.sets(st.sampled_from(spec.values), min_size=1))
        return [v for v in spec.values if v in picked]
    if kind == "yesno":
        return draw(st.booleans())
    raise AssertionError(kind)


@st.composite
def valid_data(draw: st.DrawFn, schema: FormSchema) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for spec in schema.fields:
        if spec.type_name == "group":
            n = draw(st.integers(spec.min_rows, spec.effective_max_rows))
            rows = []
            for _i in range(n):
                row = {c.name: draw(valid_value(c)) for c in spec.fields}
                if all(v is None for v in row.values()):
                    first = spec.fields[0]
                    row[first.name] = draw(valid_value(first, optional=False))
                rows.append(row)
            data[spec.name] = rows or None
        else:
            data[spec.name] = draw(valid_value(spec))
    return data
