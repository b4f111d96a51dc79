"""Reading and checking a form schema (``docs/form-schema.md``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .exceptions import Problem, SchemaError
from .fields import (
    COMMON_KEYS,
    FIELD_TYPES,
    NAME_RE,
    RULES,
    ComputedSpec,
    Condition,
    FieldSpec,
    FileSpec,
    GroupSpec,
    _read_number,
)
from .i18n import _

# Names a generated WTForms class already uses for itself (wtforms.Form and flask_wtf.FlaskForm).
RESERVED_NAMES = frozenset(
    {
        "data",
        "errors",
        "form_errors",
        "meta",
        "populate_obj",
        "process",
        "validate",
        "csrf_token",
        "hidden_tag",
        "is_submitted",
        "validate_on_submit",
        "extra_validators",
    }
)


class FormSchema:
    """A validated reporting form.

    Attributes:
        title: (opt) title of the report.
        fields: the top-level fields, in display order.
    """

    def __init__(self, fields: list[FieldSpec], title: str | None = None) -> None:
        self.fields = fields
        self.title = title

    def __getitem__(self, name: str) -> FieldSpec:
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(f.name == name for f in self.fields)

    def __iter__(self) -> Iterator[FieldSpec]:
        return iter(self.fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormSchema) and other.to_dict() == self.to_dict()

    def __hash__(self) -> int:
        return hash(tuple(f.name for f in self.fields))

    def to_dict(self) -> dict[str, Any]:
        """Schema as plain data; ``parse_schema(s.to_dict()) == s``."""
        out: dict[str, Any] = {}
        if self.title:
            out["title"] = self.title
        out["fields"] = [f.to_dict() for f in self.fields]
        return out


def parse_schema(data: Mapping[str, Any] | FormSchema) -> FormSchema:
    """Validate a schema given as plain data (the ``form:`` mapping of a plan file).

    Raises :class:`SchemaError` listing every problem found, each with its path and a Vietnamese
    reason. A :class:`FormSchema` passed in is returned as is.
    """
    if isinstance(data, FormSchema):
        return data
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise SchemaError([Problem("", _("Biểu mẫu phải là một bảng khóa–giá trị"))])
    for key in data:
        if key not in ("title", "fields"):
            problems.append(Problem(str(key), _("Khóa không hợp lệ: {key}", key=key)))
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        problems.append(Problem("title", _("Tiêu đề phải là văn bản")))
        title = None
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        problems.append(Problem("fields", _("Biểu mẫu phải có ít nhất một trường")))
        raw_fields = []
    fields = _load_level(raw_fields, "fields", problems, in_group=False)
    if problems:
        raise SchemaError(problems)
    return FormSchema(fields, title or None)


def _load_level(
    raw_fields: list[Any], path: str, problems: list[Problem], *, in_group: bool
) -> list[FieldSpec]:
    fields: list[FieldSpec] = []
    paths: dict[str, str] = {}
    for i, raw in enumerate(raw_fields):
        where = f"{path}[{i}]"
        spec = _load_field(raw, where, problems, in_group=in_group)
        if spec is None:
            continue
        if spec.name in paths:
            problems.append(
                Problem(f"{where}.name", _("Tên trường bị trùng: {name}", name=spec.name))
            )
            continue
        paths[spec.name] = where
        fields.append(spec)
    by_name = {f.name: f for f in fields}
    for spec in fields:
        _check_condition(spec, by_name, paths[spec.name], problems)
        if isinstance(spec, ComputedSpec):
            _check_formula(spec, by_name, paths[spec.name], problems)
    _check_cycles(fields, paths, problems)
    return fields


def _load_field(
    raw: Any, path: str, problems: list[Problem], *, in_group: bool
) -> FieldSpec | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(path, _("Mỗi trường phải là một bảng khóa–giá trị")))
        return None
    before = len(problems)
    name = raw.get("name")
    if name is None or name == "":
        problems.append(Problem(f"{path}.name", _("Thiếu tên trường (name)")))
    elif not isinstance(name, str) or not NAME_RE.fullmatch(name):
        problems.append(
            Problem(
                f"{path}.name",
                _(
                    "Tên trường không hợp lệ: {name} (chỉ chữ thường không dấu, số và _, "
                    "bắt đầu bằng chữ, tối đa 50 ký tự)",
                    name=name,
                ),
            )
        )
    elif name in RESERVED_NAMES or name.startswith("kh_"):
        problems.append(
            Problem(f"{path}.name", _("Tên trường {name} đã được hệ thống dùng", name=name))
        )
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.append(Problem(f"{path}.label", _("Thiếu nhãn của trường (label)")))
    type_name = raw.get("type")
    cls = FIELD_TYPES.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        problems.append(
            Problem(f"{path}.type", _("Loại trường không hợp lệ: {type}", type=type_name))
        )
        return None
    if in_group and cls in (GroupSpec, FileSpec):
        msg = (
            _("Không được lồng bảng trong bảng")
            if cls is GroupSpec
            else _("Không hỗ trợ tệp đính kèm trong bảng")
        )
        problems.append(Problem(f"{path}.type", msg))
        return None
    spec = cls(name if isinstance(name, str) else "", label if isinstance(label, str) else "")
    for key in raw:
        if key not in COMMON_KEYS and key not in cls.own_keys:
            problems.append(
                Problem(
                    f"{path}.{key}",
                    _("Khóa {key} không dùng cho loại {type}", key=key, type=type_name),
                )
            )
    for key in ("short_label", "help", "unit", "target_label"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(Problem(f"{path}.{key}", _("Phải là văn bản")))
        else:
            setattr(spec, key, value or None)
    required = raw.get("required", False)
    if not isinstance(required, bool):
        problems.append(Problem(f"{path}.required", _("Phải là true hoặc false")))
    elif required and not cls.can_require:
        problems.append(
            Problem(f"{path}.required", _("Không đặt bắt buộc cho loại {type}", type=type_name))
        )
    else:
        spec.required = required
    spec.load_own(dict(raw), path, problems)
    if isinstance(spec, GroupSpec):
        columns = raw.get("fields")
        if not isinstance(columns, list) or not columns:
            problems.append(Problem(f"{path}.fields", _("Bảng phải có ít nhất một cột")))
        else:
            spec.fields = _load_level(columns, f"{path}.fields", problems, in_group=True)
    if "target" in raw and raw["target"] is not None:
        if not cls.numeric:
            problems.append(Problem(f"{path}.target", _("Chỉ đặt mục tiêu cho trường số")))
        else:
            spec.target = _read_number(dict(raw), "target", path, problems)
    rule = raw.get("consolidate")
    if rule is not None:
        if rule not in RULES:
            problems.append(
                Problem(
                    f"{path}.consolidate", _("Quy tắc tổng hợp không hợp lệ: {rule}", rule=rule)
                )
            )
        elif rule not in cls.rules:
            problems.append(
                Problem(
                    f"{path}.consolidate",
                    _(
                        "Quy tắc tổng hợp {rule} không dùng được cho loại {type}",
                        rule=rule,
                        type=type_name,
                    ),
                )
            )
        else:
            spec.consolidate = rule
    if rule == "ratio" and spec.target is None and "target" not in raw:
        problems.append(Problem(f"{path}.target", _("Quy tắc ratio cần có mục tiêu (target)")))
    if "default" in raw and raw["default"] is not None:
        if not cls.can_default:
            problems.append(
                Problem(
                    f"{path}.default",
                    _("Không đặt giá trị mặc định cho loại {type}", type=type_name),
                )
            )
        elif len(problems) == before:
            try:
                spec.default = spec.from_json(raw["default"])
                errors = spec.limit_errors(spec.default)
            except ValueError as exc:
                errors = [str(exc)]
            for error in errors:
                problems.append(Problem(f"{path}.default", error))
    if "visible_if" in raw and raw["visible_if"] is not None:
        spec.visible_if = _read_condition(raw["visible_if"], f"{path}.visible_if", problems)
    return spec


def _read_condition(raw: Any, path: str, problems: list[Problem]) -> Condition | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("field"), str):
        problems.append(
            Problem(f"{path}.field", _("Điều kiện hiển thị phải chỉ ra trường (field)"))
        )
        return None
    tests = [k for k in ("equals", "in", "not_empty") if k in raw]
    extra = [k for k in raw if k not in ("field", "equals", "in", "not_empty")]
    if len(tests) != 1 or extra:
        problems.append(
            Problem(path, _("Điều kiện hiển thị cần đúng một trong: equals, in, not_empty"))
        )
        return None
    if "in" in raw and (not isinstance(raw["in"], list) or not raw["in"]):
        problems.append(Problem(f"{path}.in", _("Phải là một danh sách giá trị")))
        return None
    if "not_empty" in raw and raw["not_empty"] is not True:
        problems.append(Problem(f"{path}.not_empty", _("Chỉ dùng not_empty: true")))
        return None
    if "equals" in raw:
        return Condition(raw["field"], equals=raw["equals"])
    if "in" in raw:
        return Condition(raw["field"], in_=raw["in"])
    return Condition(raw["field"], not_empty=True)


def _check_condition(
    spec: FieldSpec, by_name: dict[str, FieldSpec], path: str, problems: list[Problem]
) -> None:
    cond = spec.visible_if
    if cond is None:
        return
    where = f"{path}.visible_if"
    ref = by_name.get(cond.field)
    if cond.field == spec.name:
        problems.append(Problem(f"{where}.field", _("Trường không thể phụ thuộc vào chính nó")))
        return
    if ref is None:
        problems.append(
            Problem(f"{where}.field", _("Không có trường {name} ở cùng cấp", name=cond.field))
        )
        return
    if not ref.can_be_condition:
        problems.append(
            Problem(
                f"{where}.field",
                _("Không dùng trường loại {type} làm điều kiện", type=ref.type_name),
            )
        )
        return
    if cond.not_empty:
        return
    key = "equals" if cond.in_ is None else "in"
    raws = [cond.equals] if cond.in_ is None else cond.in_
    typed = []
    for raw in raws:
        try:
            value = (
                ref.parse_input(raw)
                if ref.type_name == "multichoice" and isinstance(raw, str)
                else ref.from_json(raw)
            )
            if value is None or ref.limit_errors(value):
                raise ValueError
        except ValueError:
            problems.append(
                Problem(
                    f"{where}.{key}",
                    _("Giá trị {v!r} không hợp với trường {name}", v=raw, name=ref.name),
                )
            )
            return
        typed.append(value[0] if isinstance(value, list) else value)
    if cond.in_ is None:
        cond.equals = typed[0]
    else:
        cond.in_ = typed


def _check_formula(
    spec: ComputedSpec, by_name: dict[str, FieldSpec], path: str, problems: list[Problem]
) -> None:
    if spec.formula is None:
        return
    for name in spec.formula.names:
        ref = by_name.get(name)
        if name == spec.name:
            problems.append(
                Problem(
                    f"{path}.formula", _("Công thức không được dùng chính trường {name}", name=name)
                )
            )
        elif ref is None:
            problems.append(
                Problem(f"{path}.formula", _("Công thức dùng trường không có: {name}", name=name))
            )
        elif not ref.numeric:
            problems.append(
                Problem(
                    f"{path}.formula", _("Công thức dùng trường không phải số: {name}", name=name)
                )
            )


def _check_cycles(fields: list[FieldSpec], paths: dict[str, str], problems: list[Problem]) -> None:
    """Refuse computed fields that depend on each other in a circle, and the same for visible_if."""
    graph: dict[str, list[str]] = {}
    for f in fields:
        deps = []
        if isinstance(f, ComputedSpec) and f.formula is not None:
            deps += [n for n in f.formula.names if n != f.name]
        if f.visible_if is not None and f.visible_if.field != f.name:
            deps.append(f.visible_if.field)
        graph[f.name] = [d for d in deps if d in paths]
    reported: set[str] = set()
    for start in graph:
        cycle = _find_cycle(start, graph)
        if cycle and not reported.intersection(cycle):
            reported.update(cycle)
            problems.append(
                Problem(
                    paths[start],
                    _(
                        "Các trường phụ thuộc vòng tròn: {chain}",
                        chain=" → ".join(cycle + [cycle[0]]),
                    ),
                )
            )


def _find_cycle(start: str, graph: dict[str, list[str]]) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    while stack:
        node, trail = stack.pop()
        for dep in graph.get(node, []):
            if dep == start:
                return trail
            if dep not in trail:
                stack.append((dep, trail + [dep]))
    return None


def computed_order(fields: Iterable[FieldSpec]) -> list[ComputedSpec]:
    """The computed fields of one level, each after the computed fields it uses."""
    computed = {f.name: f for f in fields if isinstance(f, ComputedSpec)}
    done: list[ComputedSpec] = []

    def visit(spec: ComputedSpec) -> None:
        if spec in done:
            return
        for name in spec.formula.names if spec.formula else []:
            if name in computed and computed[name] is not spec:
                visit(computed[name])
        done.append(spec)

    for spec in computed.values():
        visit(spec)
    return done


def compute_all(fields: Iterable[FieldSpec], values: dict[str, Any]) -> dict[str, Any]:
    """Fill in every computed field of one level from typed ``values`` (modified and returned)."""
    for spec in computed_order(fields):
        values[spec.name] = spec.compute(values)
    return values


def visibility(fields: Iterable[FieldSpec], values: Mapping[str, Any]) -> dict[str, bool]:
    """Which fields of one level are shown for these typed values. A field that depends on a
    hidden field sees it as empty."""
    by_name = {f.name: f for f in fields}
    shown: dict[str, bool] = {}

    def visible(spec: FieldSpec) -> bool:
        if spec.name not in shown:
            cond = spec.visible_if
            if cond is None:
                shown[spec.name] = True
            else:
                ref = by_name[cond.field]
                shown[spec.name] = cond.matches(values.get(ref.name) if visible(ref) else None)
        return shown[spec.name]

    for spec in by_name.values():
        visible(spec)
    return shown
