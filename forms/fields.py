"""Field types of a reporting form, one class per type.

Each class documents the keys it reads from the schema (``docs/form-schema.md``) and knows how to
read a typed value from what a clerk typed (``parse_input``), how to write it back into an input
(``format_input``), how to store it as JSON (``to_json`` / ``from_json``) and which limits apply
(``limit_errors``). The WTForms side lives in :mod:`forms.build`, the adding-up in
:mod:`forms.consolidate`.

Stored (JSON) values, per type; an empty value is always ``None``:

==============  ==============================================================
integer         ``int``
decimal         ``str``, the exact decimal with a dot: ``"12.5"`` (never a float)
percentage      ``str`` as decimal, e.g. ``"87.5"`` meaning 87,5 %
computed        ``str`` as decimal, rounded to ``decimals`` places
text/textarea   ``str`` (trimmed; textarea line breaks are ``\\n``)
date            ``str`` ISO ``"2024-12-10"``
choice          ``str``, the choice's ``value``
multichoice     ``list[str]`` of choice values, in the order of the choices
yesno           ``bool``
file            ``dict`` with at least ``filename`` (and what the app's storage adds)
group           ``list[dict]``, one dict per row, keyed by column name
==============  ==============================================================
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from . import bounds
from .exceptions import FormulaError, Problem
from .formatting import format_number
from .formula import Formula
from .i18n import _

NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,49}")
RULES = ("sum", "count", "avg", "min", "max", "ratio", "list", "rows", "formula", "none")
NUMERIC_RULES: tuple[str, ...] = ("sum", "avg", "min", "max", "ratio", "count", "none")

_INTEGER_RE = re.compile(r"[+-]?(?:\d{1,18}|\d{1,3}(?:[. ]\d{3}){1,5})")
_DECIMAL_RE = re.compile(r"[+-]?\d{1,18}(?:[.,]\d{1,10})?")
_DATE_DMY_RE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_DATE_ISO_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_UNSET: Any = object()


def decimal_to_json(value: Decimal | None) -> str | None:
    """The stored form of a decimal: plain notation with a dot, e.g. ``"12.50"``."""
    return None if value is None else format(value, "f")


def decimal_from_json(value: Any) -> Decimal | None:
    """Read a stored decimal (str, int or float); raise ``ValueError`` if it is not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(_("Giá trị phải là số"))
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(_("Giá trị phải là số")) from exc
    if not number.is_finite():
        raise ValueError(_("Giá trị phải là số"))
    return number


class Condition:
    """When a field is shown: ``visible_if`` of the schema.

    Attributes:
        field: name of the field it looks at (same level: top level, or the same group row).
        equals: shown when that field's value equals this (multichoice: is among those ticked).
        in_: shown when that field's value is one of these (schema key ``in``).
        not_empty: shown when that field has any value (``false`` counts as a value for yes/no).
    """

    def __init__(
        self,
        field: str,
        *,
        equals: Any = _UNSET,
        in_: Sequence[Any] | None = None,
        not_empty: bool = False,
    ) -> None:
        self.field = field
        self.equals = equals
        self.in_ = list(in_) if in_ is not None else None
        self.not_empty = not_empty

    def matches(self, value: Any) -> bool:
        """Whether a field with this typed ``value`` makes the conditional field visible."""
        if self.not_empty:
            return not is_empty(value)
        wanted = [self.equals] if self.equals is not _UNSET else list(self.in_ or [])
        if isinstance(value, list):
            return any(v in wanted for v in value)
        return value is not None and value in wanted

    def to_dict(self) -> dict[str, Any]:
        """Schema form of the condition; the compared values are stored values (JSON)."""
        out: dict[str, Any] = {"field": self.field}
        if self.not_empty:
            out["not_empty"] = True
        elif self.equals is not _UNSET:
            out["equals"] = _json_scalar(self.equals)
        else:
            out["in"] = [_json_scalar(v) for v in self.in_ or []]
        return out


def _json_scalar(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_to_json(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def is_empty(value: Any) -> bool:
    """``None``, ``""`` and ``[]`` are empty; ``0`` and ``False`` are values."""
    return value is None or value == "" or value == []


class FieldSpec:
    """Base of every field type: the keys shared by all types.

    Attributes:
        name: identifier, ``[a-z][a-z0-9_]*``, unique at its level (top level or in its group).
        label: the question shown to the clerk.
        short_label: (opt) a few words for a table column header (the consolidated report's
            tables), e.g. ``"Tỷ lệ CB được tập huấn"``; the label is used when absent.
        help: (opt) help text under the input.
        required: on submit the field must have a value (unless hidden by ``visible_if``).
        default: (opt) typed value put in a new, empty report.
        unit: (opt) shown after the value, e.g. ``"cái"``, ``"người"``.
        visible_if: (opt) :class:`Condition`; a hidden field is not required and is emptied on
            submit.
        target: (opt, numeric types) the value to reach, e.g. 100 for a percentage.
        target_label: (opt) how the target is announced, e.g. ``"Mục tiêu đến 2028: 100%"``.
        consolidate: how the standing agency adds the field up (one of ``rules``).
    """

    type_name: ClassVar[str] = ""
    label_vi: ClassVar[str] = ""
    numeric: ClassVar[bool] = False
    rules: ClassVar[tuple[str, ...]] = ("none",)
    default_rule: ClassVar[str] = "none"
    own_keys: ClassVar[tuple[str, ...]] = ()
    can_default: ClassVar[bool] = True
    can_require: ClassVar[bool] = True
    can_be_condition: ClassVar[bool] = True

    def __init__(self, name: str, label: str) -> None:
        self.name = name
        self.label = label
        self.short_label: str | None = None
        self.help: str | None = None
        self.required = False
        self.default: Any = None
        self.unit: str | None = None
        self.visible_if: Condition | None = None
        self.target: Decimal | None = None
        self.target_label: str | None = None
        self.consolidate = self.default_rule

    # -- schema ------------------------------------------------------------------------------
    def load_own(self, data: dict[str, Any], path: str, problems: list[Problem]) -> None:
        """Read and check the keys specific to this type (``own_keys``)."""

    def own_dict(self) -> dict[str, Any]:
        """The type-specific keys, for :meth:`to_dict`."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        """Schema form of the field; ``parse_schema`` reads it back to an equal field."""
        out: dict[str, Any] = {"name": self.name, "label": self.label, "type": self.type_name}
        if self.short_label:
            out["short_label"] = self.short_label
        if self.help:
            out["help"] = self.help
        if self.required:
            out["required"] = True
        if self.default is not None:
            out["default"] = self.to_json(self.default)
        if self.unit:
            out["unit"] = self.unit
        if self.visible_if is not None:
            out["visible_if"] = self.visible_if.to_dict()
        if self.target is not None:
            out["target"] = _number_out(self.target)
        if self.target_label:
            out["target_label"] = self.target_label
        out.update(self.own_dict())
        out["consolidate"] = self.consolidate
        return out

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.to_dict() == self.to_dict()

    def __hash__(self) -> int:
        return hash((self.type_name, self.name))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    # -- values ------------------------------------------------------------------------------
    def parse_input(self, raw: str) -> Any:
        """Typed value from the text a clerk typed; ``None`` if blank; ``ValueError`` (Vietnamese
        message) if it cannot be read."""
        raise NotImplementedError

    def format_input(self, value: Any) -> str:
        """The text to put back in the input for a typed value (inverse of ``parse_input``)."""
        return "" if value is None else str(value)

    def to_json(self, value: Any) -> Any:
        """Stored form of a typed value (see the module table)."""
        return value

    def from_json(self, value: Any) -> Any:
        """Typed value from its stored form; ``ValueError`` if it does not fit this type."""
        return value

    def limit_errors(self, value: Any) -> list[str]:
        """Messages for a typed value that breaks this field's limits."""
        return []


def _number_out(value: Decimal | int) -> int | float:
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def _read_number(
    data: dict[str, Any], key: str, path: str, problems: list[Problem], *, integer: bool = False
) -> Decimal | None:
    if key not in data or data[key] is None:
        return None
    value = data[key]
    try:
        number = decimal_from_json(value)
    except ValueError:
        number = None
    if number is None or (integer and number != number.to_integral_value()):
        msg = _("Phải là số nguyên") if integer else _("Phải là số")
        problems.append(Problem(f"{path}.{key}", msg))
        return None
    return number


class NumberSpec(FieldSpec):
    """Base of the number types.

    Attributes:
        min: (opt) smallest value accepted.
        max: (opt) largest value accepted.
    """

    numeric = True
    rules = NUMERIC_RULES
    default_rule = "sum"
    own_keys = ("min", "max")
    integer_limits = False
    implicit_min: ClassVar[Decimal | None] = None
    implicit_max: ClassVar[Decimal | None] = None

    def __init__(self, name: str, label: str) -> None:
        super().__init__(name, label)
        self.min: Decimal | None = None
        self.max: Decimal | None = None

    @property
    def effective_min(self) -> Decimal | None:
        """``min``, or the type's own floor (0 for percentages)."""
        return self.min if self.min is not None else self.implicit_min

    @property
    def effective_max(self) -> Decimal | None:
        """``max``, or the type's own ceiling (100 for percentages)."""
        return self.max if self.max is not None else self.implicit_max

    def load_own(self, data: dict[str, Any], path: str, problems: list[Problem]) -> None:
        self.min = _read_number(data, "min", path, problems, integer=self.integer_limits)
        self.max = _read_number(data, "max", path, problems, integer=self.integer_limits)
        low, high = self.effective_min, self.effective_max
        if low is not None and high is not None and low > high:
            problems.append(Problem(f"{path}.min", _("Giá trị nhỏ nhất lớn hơn giá trị lớn nhất")))

    def own_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.min is not None:
            out["min"] = _number_out(self.min)
        if self.max is not None:
            out["max"] = _number_out(self.max)
        return out

    def limit_errors(self, value: Any) -> list[str]:
        errors = []
        low, high = self.effective_min, self.effective_max
        if value is not None and low is not None and value < low:
            errors.append(_("Giá trị phải từ {min} trở lên", min=format_number(low)))
        if value is not None and high is not None and value > high:
            errors.append(_("Giá trị không được lớn hơn {max}", max=format_number(high)))
        return errors


class IntegerSpec(NumberSpec):
    """A whole number (count of banners, sessions, participants…).

    Input accepts ``1500``, ``1.500`` and ``1 500`` (Vietnamese thousands separators).
    Stored as ``int``.
    """

    type_name = "integer"
    label_vi = "số nguyên"
    integer_limits = True

    def parse_input(self, raw: str) -> int | None:
        text = raw.strip().replace("\u00a0", " ")
        if not text:
            return None
        if not _INTEGER_RE.fullmatch(text):
            raise ValueError(_("Giá trị phải là số nguyên"))
        return int(text.replace(".", "").replace(" ", ""))

    def to_json(self, value: Any) -> int | None:
        return None if value is None else int(value)

    def from_json(self, value: Any) -> int | None:
        number = decimal_from_json(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValueError(_("Giá trị phải là số nguyên"))
        return int(number)


class DecimalSpec(NumberSpec):
    """A number with decimals. Input accepts ``12,5`` and ``12.5``; stored as the string ``"12.5"``
    so that no digit is lost to floating point."""

    type_name = "decimal"
    label_vi = "số thập phân"

    def parse_input(self, raw: str) -> Decimal | None:
        text = raw.strip()
        if not text:
            return None
        if not _DECIMAL_RE.fullmatch(text):
            raise ValueError(_("Giá trị phải là số (ví dụ 12,5)"))
        return Decimal(text.replace(",", "."))

    def format_input(self, value: Any) -> str:
        return "" if value is None else format(value, "f").replace(".", ",")

    def to_json(self, value: Any) -> str | None:
        return decimal_to_json(value)

    def from_json(self, value: Any) -> Decimal | None:
        return decimal_from_json(value)


class PercentageSpec(DecimalSpec):
    """A percentage, 0 to 100 unless ``min``/``max`` say otherwise (e.g. staff trained, fake news
    handled against a target of 90). Consolidated by default as the average."""

    type_name = "percentage"
    label_vi = "tỷ lệ phần trăm"
    rules = ("avg", "min", "max", "ratio", "count", "none")
    default_rule = "avg"
    implicit_min = Decimal(0)
    implicit_max = Decimal(100)


class TextSpec(FieldSpec):
    """One line of text. Line breaks become spaces; surrounding spaces are trimmed.

    Attributes:
        max_length: (opt) most characters accepted (default 500; 10 000 for textarea).
    """

    type_name = "text"
    label_vi = "văn bản một dòng"
    rules = ("list", "count", "none")
    default_rule = "list"
    own_keys = ("max_length",)
    default_max_length: ClassVar[int] = 500

    def __init__(self, name: str, label: str) -> None:
        super().__init__(name, label)
        self.max_length: int | None = None

    @property
    def effective_max_length(self) -> int:
        """``max_length`` or the type's default."""
        return self.max_length or self.default_max_length

    def load_own(self, data: dict[str, Any], path: str, problems: list[Problem]) -> None:
        if data.get("max_length") is not None:
            value = data["max_length"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(Problem(f"{path}.max_length", _("Phải là số nguyên dương")))
            else:
                self.max_length = value

    def own_dict(self) -> dict[str, Any]:
        return {"max_length": self.max_length} if self.max_length else {}

    def normalize(self, raw: str) -> str:
        """The text as it is stored."""
        text = raw.replace("\x00", "").replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
        return text.strip()

    def parse_input(self, raw: str) -> str | None:
        problem = bounds.text_problem(raw, self.label, max_length=len(raw) + 1, multiline=True)
        if problem:
            raise ValueError(problem)
        return self.normalize(raw) or None

    def from_json(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(_("Giá trị phải là văn bản"))
        return value or None

    def limit_errors(self, value: Any) -> list[str]:
        if value is not None and len(value) > self.effective_max_length:
            return [_("Tối đa {n} ký tự (hiện có {m})", n=self.effective_max_length, m=len(value))]
        return []


class TextareaSpec(TextSpec):
    """Several lines of text (difficulties, proposals…). Line breaks are kept as ``\\n``."""

    type_name = "textarea"
    label_vi = "văn bản nhiều dòng"
    default_max_length = 10000

    def normalize(self, raw: str) -> str:
        return raw.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


class DateSpec(FieldSpec):
    """A date, typed ``dd/mm/yyyy`` (also ``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy`` and ISO
    ``yyyy-mm-dd``). Stored as ISO ``"yyyy-mm-dd"``."""

    type_name = "date"
    label_vi = "ngày"
    rules = ("list", "min", "max", "count", "none")
    default_rule = "list"

    def parse_input(self, raw: str) -> dt.date | None:
        text = raw.strip()
        if not text:
            return None
        match = _DATE_DMY_RE.fullmatch(text)
        try:
            if match:
                day, month, year = (int(g) for g in match.groups())
                return dt.date(year, month, day)
            match = _DATE_ISO_RE.fullmatch(text)
            if match:
                return dt.date.fromisoformat(text)
        except ValueError:
            pass
        raise ValueError(_("Ngày không hợp lệ (dd/mm/yyyy)"))

    def limit_errors(self, value: Any) -> list[str]:
        problem = bounds.date_problem(value, self.label)
        return [problem] if problem else []

    def format_input(self, value: Any) -> str:
        return "" if value is None else value.strftime("%d/%m/%Y")

    def to_json(self, value: Any) -> str | None:
        return None if value is None else value.isoformat()

    def from_json(self, value: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and _DATE_ISO_RE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError(_("Ngày không hợp lệ (dd/mm/yyyy)"))


class Choice:
    """One option of a choice field.

    Attributes:
        value: stored identifier (string).
        label: what the clerk sees.
    """

    def __init__(self, value: str, label: str) -> None:
        self.value = value
        self.label = label

    def __repr__(self) -> str:
        return f"Choice({self.value!r}, {self.label!r})"


class OptionsSpec(FieldSpec):
    """A field answered from a list of options: :class:`ChoiceSpec` (one) or
    :class:`MultichoiceSpec` (any number).

    Attributes:
        choices: the options, in display order; consolidation counts each.
    """

    rules = ("count", "list", "none")
    default_rule = "count"
    own_keys = ("choices",)

    def __init__(self, name: str, label: str) -> None:
        super().__init__(name, label)
        self.choices: list[Choice] = []

    @property
    def values(self) -> list[str]:
        """The choice values, in order."""
        return [c.value for c in self.choices]

    def label_of(self, value: str) -> str:
        """The label shown for a stored value (the value itself if it is no longer a choice)."""
        return next((c.label for c in self.choices if c.value == value), value)

    def load_own(self, data: dict[str, Any], path: str, problems: list[Problem]) -> None:
        choices = data.get("choices")
        if not choices or not isinstance(choices, list):
            problems.append(Problem(f"{path}.choices", _("Trường chọn phải có danh sách lựa chọn")))
            return
        seen: set[str] = set()
        for i, item in enumerate(choices):
            where = f"{path}.choices[{i}]"
            if isinstance(item, str):
                item = {"value": item, "label": item}
            if not isinstance(item, dict):
                problems.append(Problem(where, _("Lựa chọn phải có value và label")))
                continue
            value, label = item.get("value"), item.get("label")
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str) or not value.strip():
                problems.append(Problem(f"{where}.value", _("Thiếu giá trị (value) của lựa chọn")))
                continue
            if value in seen:
                problems.append(
                    Problem(f"{where}.value", _("Giá trị lựa chọn bị trùng: {v}", v=value))
                )
                continue
            if not isinstance(label, str) or not label.strip():
                problems.append(Problem(f"{where}.label", _("Thiếu nhãn (label) của lựa chọn")))
                continue
            seen.add(value)
            self.choices.append(Choice(value, label))

    def own_dict(self) -> dict[str, Any]:
        return {"choices": [{"value": c.value, "label": c.label} for c in self.choices]}


class ChoiceSpec(OptionsSpec):
    """One option out of a list (e.g. the form of an activity)."""

    type_name = "choice"
    label_vi = "chọn một"

    def parse_input(self, raw: str) -> str | None:
        text = raw.strip()
        if not text:
            return None
        if text not in self.values:
            raise ValueError(_("Lựa chọn không hợp lệ"))
        return text

    def from_json(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ValueError(_("Lựa chọn không hợp lệ"))
        return value

    def limit_errors(self, value: Any) -> list[str]:
        if value is not None and value not in self.values:
            return [_("Lựa chọn không hợp lệ")]
        return []


class MultichoiceSpec(OptionsSpec):
    """Any number of options out of a list (e.g. the channels used). Stored as a list of values in
    the order of the choices; consolidation counts each option."""

    type_name = "multichoice"
    label_vi = "chọn nhiều"

    def parse_values(self, raws: Sequence[str]) -> list[str] | None:
        """Typed value from the ticked boxes."""
        picked = {r.strip() for r in raws if r.strip()}
        if picked - set(self.values):
            raise ValueError(_("Lựa chọn không hợp lệ"))
        return [v for v in self.values if v in picked] or None

    def parse_input(self, raw: str) -> list[str] | None:
        return self.parse_values([raw])

    def from_json(self, value: Any) -> list[str] | None:
        if value is None or value == []:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(_("Lựa chọn không hợp lệ"))
        return list(value)

    def limit_errors(self, value: Any) -> list[str]:
        if value is not None and set(value) - set(self.values):
            return [_("Lựa chọn không hợp lệ")]
        return []


YES, NO = "yes", "no"


class YesNoSpec(FieldSpec):
    """A yes/no question (two radio buttons: Có / Không), stored as ``bool``. ``count`` counts the
    yes answers."""

    type_name = "yesno"
    label_vi = "có/không"
    rules = ("count", "list", "none")
    default_rule = "count"

    def parse_input(self, raw: str) -> bool | None:
        text = raw.strip().lower()
        if not text:
            return None
        if text in (YES, "true", "1", "co", "có"):
            return True
        if text in (NO, "false", "0", "khong", "không"):
            return False
        raise ValueError(_("Vui lòng chọn Có hoặc Không"))

    def format_input(self, value: Any) -> str:
        return "" if value is None else (YES if value else NO)

    def from_json(self, value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise ValueError(_("Vui lòng chọn Có hoặc Không"))


class FileSpec(FieldSpec):
    """An attached file (evidence, a signed report…). Not allowed inside a group.

    Attributes:
        accept: (opt) allowed extensions, lower case without the dot; empty means any.
        max_size_mb: (opt) largest size in megabytes (default 10).
    """

    type_name = "file"
    label_vi = "tệp đính kèm"
    rules = ("none", "count", "list")
    default_rule = "none"
    own_keys = ("accept", "max_size_mb")
    can_default = False
    can_be_condition = False
    default_max_size_mb: ClassVar[Decimal] = Decimal(10)

    def __init__(self, name: str, label: str) -> None:
        super().__init__(name, label)
        self.accept: list[str] = []
        self.max_size_mb: Decimal | None = None

    @property
    def max_bytes(self) -> int:
        """Largest size accepted, in bytes."""
        return int((self.max_size_mb or self.default_max_size_mb) * 1024 * 1024)

    def load_own(self, data: dict[str, Any], path: str, problems: list[Problem]) -> None:
        accept = data.get("accept")
        if accept is not None:
            if not isinstance(accept, list) or not all(
                isinstance(a, str) and re.fullmatch(r"\.?[A-Za-z0-9]{1,10}", a) for a in accept
            ):
                problems.append(
                    Problem(
                        f"{path}.accept", _("Phải là danh sách phần mở rộng, ví dụ [pdf, docx]")
                    )
                )
            else:
                self.accept = [a.lower().lstrip(".") for a in accept]
        size = _read_number(data, "max_size_mb", path, problems)
        if size is not None and size <= 0:
            problems.append(Problem(f"{path}.max_size_mb", _("Phải lớn hơn 0")))
        else:
            self.max_size_mb = size

    def own_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.accept:
            out["accept"] = list(self.accept)
        if self.max_size_mb is not None:
            out["max_size_mb"] = _number_out(self.max_size_mb)
        return out

    def from_json(self, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict) or not isinstance(value.get("filename"), str):
            raise ValueError(_("Tệp không hợp lệ"))
        return dict(value)

    def check_upload(self, filename: str, size: int | None) -> list[str]:
        """Messages for an upload that breaks the extension list or the size limit."""
        errors = []
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if self.accept and ext not in self.accept:
            errors.append(_("Chỉ nhận tệp {exts}", exts=", ".join(self.accept)))
        if size is None or size > self.max_bytes:
            errors.append(
                _(
                    "Tệp quá lớn (tối đa {n} MB)",
                    n=format_number(self.max_size_mb or self.default_max_size_mb),
                )
            )
        return errors


class GroupSpec(FieldSpec):
    """Repeating rows (e.g. the list of activities: date, form, place, participants).

    Attributes:
        fields: the columns of a row: any type but ``group`` and ``file``.
        min_rows: (opt) fewest filled rows on submit (default 0).
        max_rows: (opt) most rows (default 200).

    A row with every column empty is dropped when the report is saved.
    """

    type_name = "group"
    label_vi = "bảng nhiều dòng"
    rules = ("rows", "count", "none")
    default_rule = "rows"
    own_keys = ("fields", "min_rows", "max_rows")
    can_default = False
    can_require = False
    can_be_condition = False
    default_max_rows: ClassVar[int] = 200

    def __init__(self, name: str, label: str) -> None:
        super().__init__(name, label)
        self.fields: list[FieldSpec] = []
        self.min_rows = 0
        self.max_rows: int | None = None

    @property
    def effective_max_rows(self) -> int:
        """``max_rows`` or 200."""
        return self.max_rows if self.max_rows is not None else self.default_max_rows

    def load_own(self, data: dict[str, Any], path: str, problems: list[Problem]) -> None:
        for key in ("min_rows", "max_rows"):
            value = data.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(Problem(f"{path}.{key}", _("Phải là số nguyên không âm")))
            elif key == "min_rows":
                self.min_rows = value
            else:
                self.max_rows = value
        if self.min_rows > self.effective_max_rows:
            problems.append(
                Problem(f"{path}.min_rows", _("Số dòng tối thiểu lớn hơn số dòng tối đa"))
            )
        # The columns themselves are read by forms.schema (they use the same loader).

    def own_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fields": [f.to_dict() for f in self.fields]}
        if self.min_rows:
            out["min_rows"] = self.min_rows
        if self.max_rows is not None:
            out["max_rows"] = self.max_rows
        return out

    def from_json(self, value: Any) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            raise ValueError(_("Bảng không hợp lệ"))
        rows = []
        for raw in value:
            row: dict[str, Any] = {}
            for column in self.fields:
                try:
                    row[column.name] = column.from_json(raw.get(column.name))
                except ValueError:
                    row[column.name] = None
            rows.append(row)
        return rows

    def to_json(self, value: Any) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        return [self.row_to_json(row) for row in value]

    def row_to_json(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """One typed row as stored JSON."""
        return {c.name: c.to_json(row.get(c.name)) for c in self.fields}


class ComputedSpec(FieldSpec):
    """A number computed from other numeric fields at the same level, never typed and never trusted
    from the request (e.g. ``trained / staff * 100``). When consolidating it is recomputed from the
    consolidated inputs. A division by zero or an empty operand gives an empty value.

    Attributes:
        formula: :class:`~forms.formula.Formula` over numeric fields, ``+ - * /`` and parentheses.
        decimals: (opt, extension) places the result is rounded to (default 2).
    """

    type_name = "computed"
    label_vi = "trường tính toán"
    numeric = True
    rules = ("formula", "ratio", "none")
    default_rule = "formula"
    own_keys = ("formula", "decimals")
    can_default = False
    can_require = False

    def __init__(self, name: str, label: str) -> None:
        super().__init__(name, label)
        self.formula: Formula | None = None
        self.decimals: int | None = None

    def load_own(self, data: dict[str, Any], path: str, problems: list[Problem]) -> None:
        try:
            self.formula = Formula(data.get("formula"))  # type: ignore[arg-type]
        except FormulaError as exc:
            problems.append(Problem(f"{path}.formula", str(exc)))
        decimals = data.get("decimals")
        if decimals is not None:
            if (
                not isinstance(decimals, int)
                or isinstance(decimals, bool)
                or not (0 <= decimals <= 10)
            ):
                problems.append(Problem(f"{path}.decimals", _("Phải là số nguyên từ 0 đến 10")))
            else:
                self.decimals = decimals

    def own_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"formula": self.formula.text if self.formula else ""}
        if self.decimals is not None:
            out["decimals"] = self.decimals
        return out

    def compute(self, values: dict[str, Any]) -> Decimal | None:
        """The rounded result over typed ``values`` of the same level."""
        if self.formula is None:
            return None
        result = self.formula.evaluate(values)
        if result is None:
            return None
        places = Decimal(1).scaleb(-(2 if self.decimals is None else self.decimals))
        try:
            return result.quantize(places, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            return None

    def format_input(self, value: Any) -> str:
        return format_number(value)

    def to_json(self, value: Any) -> str | None:
        return decimal_to_json(value)

    def from_json(self, value: Any) -> Decimal | None:
        return decimal_from_json(value)


FIELD_TYPES: dict[str, type[FieldSpec]] = {
    cls.type_name: cls
    for cls in (
        IntegerSpec,
        DecimalSpec,
        PercentageSpec,
        TextSpec,
        TextareaSpec,
        DateSpec,
        ChoiceSpec,
        MultichoiceSpec,
        YesNoSpec,
        FileSpec,
        GroupSpec,
        ComputedSpec,
    )
}
COMMON_KEYS = (
    "name",
    "label",
    "short_label",
    "type",
    "help",
    "required",
    "default",
    "unit",
    "visible_if",
    "target",
    "target_label",
    "consolidate",
)
