"""A WTForms class built at run time from a :class:`~forms.schema.FormSchema`.

Typical view (the app passes ``flask_wtf.FlaskForm`` as ``base`` for CSRF)::

    ReportForm = build_form_class(schema, base=FlaskForm)
    if request.method == "GET":
        form = ReportForm(formdata=data_to_formdata(schema, report.data))
    else:
        form = ReportForm()                      # reads request.form + request.files
        if handle_row_actions(form, request.form):
            return render(form)                  # a row was added/removed; nothing is lost
        mode = DRAFT if "_save_draft" in request.form else SUBMIT
        if form.validate(mode=mode, existing=report.data):
            report.data = form_to_data(form, schema, mode=mode, existing=report.data,
                                       store_file=save_upload)
    form.kh_existing = report.data               # to show the files already attached

Modes: ``draft`` checks types and limits but not required fields; ``submit`` checks everything.
Fields hidden by ``visible_if`` are never required and are emptied on submit. Computed fields have
no input: they are recomputed here from the other values.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import wtforms

from .fields import (
    ComputedSpec,
    FieldSpec,
    FileSpec,
    GroupSpec,
    MultichoiceSpec,
    format_number,
    is_empty,
)
from .i18n import _
from .schema import FormSchema, compute_all, parse_schema, visibility
from .sniff import EXTENSIONS, content_matches

DRAFT = "draft"
SUBMIT = "submit"
ADD_ROW = "_add_row"
REMOVE_ROW = "_remove_row"

StoreFile = Callable[[str, Any], dict[str, Any]]


class FormData:
    """A minimal multi-valued mapping (what WTForms reads as ``formdata``)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._data: dict[str, list[str]] = {}
        for key, value in items:
            self.add(key, value)

    def add(self, key: str, value: str) -> None:
        """Append one value under ``key``."""
        self._data.setdefault(key, []).append(value)

    def getlist(self, key: str) -> list[str]:
        """Every value under ``key``."""
        return list(self._data.get(key, []))

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value under ``key``."""
        values = self._data.get(key)
        return values[0] if values else default

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def items(self, multi: bool = False) -> Iterator[tuple[str, str]]:
        """Pairs ``(key, value)``, every value when ``multi``."""
        for key, values in self._data.items():
            for value in values if multi else values[:1]:
                yield key, value

    def __repr__(self) -> str:
        return f"FormData({self._data!r})"


class SpecField(wtforms.Field):
    """One input of a scalar field type; parsing and limits come from its spec."""

    def __init__(
        self, label: str | None = None, validators: Any = None, *, spec: FieldSpec, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.spec = spec

    def process_data(self, value: Any) -> None:
        self.data = value

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if isinstance(self.spec, MultichoiceSpec):
            self.data = self.spec.parse_values([str(v) for v in valuelist])
        elif valuelist:
            self.data = self.spec.parse_input(str(valuelist[0]))

    def kh_text(self) -> str:
        """What the input shows: the text as typed, else the stored value formatted."""
        if self.raw_data:
            return str(self.raw_data[0])
        return self.spec.format_input(self.data)

    def kh_selected(self) -> set[str]:
        """The option values that are ticked/selected."""
        if self.raw_data:
            return {str(v) for v in self.raw_data}
        if isinstance(self.data, list):
            return set(self.data)
        return {self.spec.format_input(self.data)} if self.data is not None else set()

    _value = kh_text


class UploadField(wtforms.Field):
    """A file input; ``data`` is the uploaded file object (``.filename`` and a stream) or None."""

    def __init__(
        self, label: str | None = None, validators: Any = None, *, spec: FileSpec, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.spec = spec

    def process_data(self, value: Any) -> None:
        self.data = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = next((v for v in valuelist if getattr(v, "filename", None)), None)


def upload_size(upload: Any, limit: int) -> int | None:
    """Size of an uploaded file in bytes, read without loading it (seek/tell, or reading at most
    ``limit + 1`` bytes when the stream cannot seek); ``None`` if it cannot be measured."""
    stream = getattr(upload, "stream", upload)
    try:
        position = stream.tell()
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(position)
        return int(size)
    except (AttributeError, OSError, ValueError):
        pass
    try:
        size = 0
        while size <= limit:
            chunk = stream.read(64 * 1024)
            if not chunk:
                break
            size += len(chunk)
        return size
    except (AttributeError, OSError, ValueError):
        return None


def _content_errors(upload: Any) -> list[str]:
    """The upload's content must be what its extension says (magic bytes): an ``MZ`` executable
    named ``x.pdf`` is refused. The size was checked first, so reading it is bounded."""
    stream = getattr(upload, "stream", upload)
    name = str(getattr(upload, "filename", "") or "")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        position = stream.tell()
        data = stream.read()
        stream.seek(position)
    except (AttributeError, OSError, ValueError):
        return [_("Không đọc được tệp tải lên")]
    if ext not in EXTENSIONS:
        return [_("Không nhận loại tệp “.{ext}”", ext=ext or "?")]
    if not content_matches(ext, data):
        return [_("Nội dung tệp không đúng định dạng “.{ext}”", ext=ext)]
    return []


class RowList(wtforms.FieldList):
    """A group's rows. WTForms keeps the first ``max_entries`` rows posted and silently drops the
    rest; this list counts what was posted (``kh_posted``) so that the group check refuses more
    than ``max_rows`` with a message naming the group: nothing typed is dropped unsaid."""

    kh_posted = 0

    def process(self, formdata: Any, data: Any = wtforms.utils.unset_value, **kwargs: Any) -> None:
        self.kh_posted = len(set(self._extract_indices(self.name, formdata))) if formdata else 0
        most: int | None = getattr(self, "max_entries", None)
        if most:  # keep what was typed beyond the limit on the page (bounded: hostile posts)
            setattr(self, "max_entries", most + 100)  # noqa: B010
        try:
            super().process(formdata, data, **kwargs)
        finally:
            setattr(self, "max_entries", most)  # noqa: B010


class _Level:
    """Shared behaviour of the generated top-level form and of a group's row form."""

    kh_specs: list[FieldSpec]
    kh_mode: str = SUBMIT
    kh_existing: Mapping[str, Any] | None = None

    def kh_values(self) -> dict[str, Any]:
        """Typed values of this level as read from the inputs (``None`` where unreadable),
        groups as lists of filled rows, computed fields recomputed."""
        values: dict[str, Any] = {}
        for spec in self.kh_specs:
            if isinstance(spec, ComputedSpec):
                continue
            field = self[spec.name]  # type: ignore[index]
            if isinstance(spec, GroupSpec):
                rows = [entry.form.kh_values() for entry in field.entries]
                values[spec.name] = [r for r in rows if not _row_empty(spec, r)] or None
            elif isinstance(spec, FileSpec):
                values[spec.name] = field.data
            else:
                values[spec.name] = None if field.process_errors else field.data
        shown = visibility(self.kh_specs, compute_all(self.kh_specs, dict(values)))
        inputs = {k: (v if shown[k] else None) for k, v in values.items()}
        computed = compute_all(self.kh_specs, inputs)
        for spec in self.kh_specs:
            if isinstance(spec, ComputedSpec):
                values[spec.name] = computed[spec.name] if shown[spec.name] else None
        return values

    def kh_shown(self) -> dict[str, bool]:
        """Which fields of this level are visible for the current values."""
        return visibility(self.kh_specs, self.kh_values())

    def kh_display(self, name: str) -> str:
        """A computed field's current value, formatted for display."""
        return format_number(self.kh_values().get(name))

    def kh_condition(self, spec: FieldSpec) -> dict[str, str] | None:
        """For the template: the ``data-visible-if`` JSON and a sentence for readers without
        JavaScript, or None for an unconditional field."""
        cond = spec.visible_if
        if cond is None:
            return None
        ref = next(f for f in self.kh_specs if f.name == cond.field)
        wanted = [] if cond.not_empty else ([cond.equals] if cond.in_ is None else cond.in_)
        shown_values = [ref.format_input(v) for v in wanted]
        labels = [_choice_label(ref, v) for v in wanted]
        payload = {
            "field": cond.field,
            "not_empty": cond.not_empty,
            "in": shown_values,
            "numeric": ref.numeric,
        }
        if cond.not_empty:
            text = _("Chỉ điền khi đã trả lời «{label}»", label=ref.label)
        else:
            text = _(
                "Chỉ điền khi «{label}» là {values}",
                label=ref.label,
                values=_(" hoặc ").join(f"«{v}»" for v in labels),
            )
        return {"json": json.dumps(payload, ensure_ascii=False), "text": text}

    def kh_check(self, mode: str, existing: Mapping[str, Any] | None) -> None:
        """Add the schema's checks to the errors WTForms found while reading the inputs."""
        values = self.kh_values()
        shown = visibility(self.kh_specs, values)
        for spec in self.kh_specs:
            if isinstance(spec, ComputedSpec):
                continue
            field = self[spec.name]  # type: ignore[index]
            if not shown[spec.name]:
                _clear_errors(field)
                continue
            if isinstance(spec, GroupSpec):
                _check_group(spec, field, mode)
                continue
            errors = list(field.errors)
            value = values[spec.name]
            if isinstance(spec, FileSpec):
                if value is not None:
                    size = upload_size(value, spec.max_bytes)
                    errors += spec.check_upload(value.filename, size)
                    if not errors:
                        errors += _content_errors(value)
                elif mode == SUBMIT and spec.required and not (existing or {}).get(spec.name):
                    errors.append(_("Vui lòng chọn tệp đính kèm"))
            elif value is not None:
                errors += spec.limit_errors(value)
            elif mode == SUBMIT and spec.required and not field.process_errors:
                errors.append(_("Vui lòng nhập trường này"))
            field.errors = errors


def _choice_label(spec: FieldSpec, value: Any) -> str:
    label_of = getattr(spec, "label_of", None)
    if label_of is not None:
        return str(label_of(value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    return spec.format_input(value)


def _row_empty(spec: GroupSpec, row: Mapping[str, Any]) -> bool:
    return all(is_empty(row.get(c.name)) for c in spec.fields if not isinstance(c, ComputedSpec))


def _clear_errors(field: Any) -> None:
    field.errors = []
    for entry in getattr(field, "entries", []):
        for sub in entry.form:
            sub.errors = []


def _check_group(spec: GroupSpec, field: Any, mode: str) -> None:
    filled = 0
    for entry in field.entries:
        row = entry.form
        if _row_empty(spec, row.kh_values()) and not any(f.process_errors for f in row):
            for sub in row:
                sub.errors = []
            continue
        filled += 1
        row.kh_check(mode, None)
    errors: list[Any] = [entry.errors for entry in field.entries]
    if not any(errors):
        errors = []
    if mode == SUBMIT and filled < spec.min_rows:
        errors.append(_("Cần ít nhất {n} dòng", n=spec.min_rows))
    posted, most = getattr(field, "kh_posted", 0), spec.effective_max_rows
    if posted > most:
        errors.append(
            _(
                "“{label}” có tối đa {n} dòng; đã gửi {m} dòng. Chưa lưu: hãy bớt {extra} dòng.",
                label=spec.label,
                n=most,
                m=posted,
                extra=posted - most,
            )
        )
    field.errors = errors


class _TopLevel(_Level):
    def validate(
        self,
        extra_validators: Any = None,
        *,
        mode: str | None = None,
        existing: Mapping[str, Any] | None = None,
    ) -> bool:
        """Validate in ``mode`` (``"draft"`` or ``"submit"``, default ``self.kh_mode``);
        ``existing`` is the stored report, whose attached files satisfy required file fields."""
        super().validate(extra_validators=extra_validators)  # type: ignore[misc]
        self.kh_check(mode or self.kh_mode, existing if existing is not None else self.kh_existing)
        return not self.errors  # type: ignore[attr-defined]


def _unbound_fields(specs: list[FieldSpec], class_name: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for spec in specs:
        if isinstance(spec, ComputedSpec):
            continue
        if isinstance(spec, GroupSpec):
            row_class = type(
                f"{class_name}_{spec.name}",
                (_Level, wtforms.Form),
                {"kh_specs": spec.fields, **_unbound_fields(spec.fields, class_name)},
            )
            attrs[spec.name] = RowList(
                wtforms.FormField(row_class, label=spec.label),
                label=spec.label,
                min_entries=max(spec.min_rows, 1),
                max_entries=spec.effective_max_rows,
            )
        elif isinstance(spec, FileSpec):
            attrs[spec.name] = UploadField(spec.label, spec=spec)
        else:
            attrs[spec.name] = SpecField(spec.label, spec=spec, default=spec.default)
    return attrs


def build_form_class(schema: FormSchema | Mapping[str, Any], base: type = wtforms.Form) -> type:
    """A new form class for ``schema``; ``base`` is ``wtforms.Form`` or ``flask_wtf.FlaskForm``.

    The instance's ``validate(mode=..., existing=...)`` applies the schema; groups are
    ``FieldList(FormField(row form))`` with at least ``max(min_rows, 1)`` rows shown.
    """
    schema = parse_schema(schema)
    attrs = {"kh_specs": schema.fields, "kh_schema": schema, **_unbound_fields(schema.fields, "Kh")}
    return type("KhReportForm", (_TopLevel, base), attrs)


def handle_row_actions(form: Any, formdata: Any) -> bool:
    """Apply a no-JavaScript "Thêm dòng" / "Xóa dòng" button, if one was pressed.

    ``_add_row=<group>`` appends an empty row; ``_remove_row=<group>-<index>`` removes that row.
    Returns True when a button was handled: the view then re-renders the form (everything typed
    is kept) instead of saving.
    """
    added = formdata.get(ADD_ROW)
    removed = formdata.get(REMOVE_ROW)
    if added:
        field = _group_field(form, added)
        if field is None:
            return False
        spec = field.kh_spec
        if len(field.entries) >= spec.effective_max_rows:
            field.errors = [_("Tối đa {n} dòng", n=spec.effective_max_rows)]
        else:
            field.append_entry()
        return True
    if removed:
        name, _sep, index = str(removed).rpartition("-")
        field = _group_field(form, name)
        if field is None or not index.isdigit():
            return False
        if int(index) < len(field.entries):
            field.pop_entry(int(index))
        if not field.entries:
            field.append_entry()
        return True
    return False


def _group_field(form: Any, name: str) -> Any:
    spec = next((s for s in form.kh_specs if s.name == name and isinstance(s, GroupSpec)), None)
    if spec is None:
        return None
    field = form[name]
    field.kh_spec = spec
    return field


def form_to_data(
    form: Any,
    schema: FormSchema | Mapping[str, Any],
    *,
    mode: str = SUBMIT,
    existing: Mapping[str, Any] | None = None,
    store_file: StoreFile | None = None,
) -> dict[str, Any]:
    """The report's data as JSON-able values (table in :mod:`forms.fields`), one key per
    top-level field.

    Unreadable inputs become ``None``; empty group rows are dropped; computed fields are
    recomputed (never read from the request); on submit, hidden fields are ``None``. A new upload
    is passed to ``store_file(field_name, upload)``, which returns the stored reference (a dict
    with ``filename``); without a new upload the reference in ``existing`` is kept.
    """
    schema = parse_schema(schema)
    existing = existing or {}
    values = form.kh_values()
    shown = visibility(schema.fields, values)
    out: dict[str, Any] = {}
    for spec in schema.fields:
        value = values.get(spec.name)
        if isinstance(spec, FileSpec):
            value = _file_value(spec, value, existing.get(spec.name), store_file)
        if mode == SUBMIT and not shown[spec.name]:
            value = None
        out[spec.name] = spec.to_json(value)
    return out


def _file_value(
    spec: FileSpec, upload: Any, previous: Any, store_file: StoreFile | None
) -> dict[str, Any] | None:
    if upload is not None:
        filename = os.path.basename(str(upload.filename).replace("\\", "/"))
        size = upload_size(upload, spec.max_bytes)
        if not spec.check_upload(filename, size):
            if store_file is not None:
                return store_file(spec.name, upload)
            return {"filename": filename, "size": size}
    try:
        return spec.from_json(previous)
    except ValueError:
        return None


def data_from_json(
    schema: FormSchema | Mapping[str, Any], data: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Typed values from stored data; a value that no longer fits its field becomes ``None``."""
    schema = parse_schema(schema)
    out: dict[str, Any] = {}
    for spec in schema.fields:
        try:
            out[spec.name] = spec.from_json((data or {}).get(spec.name))
        except ValueError:
            out[spec.name] = None
    return out


def data_to_formdata(
    schema: FormSchema | Mapping[str, Any], data: Mapping[str, Any] | None
) -> FormData:
    """The inputs a clerk would have typed to produce ``data`` (stored JSON values); feed it to
    the generated class as ``formdata`` to show a saved report. ``None`` gives the defaults.
    Files cannot travel as form data: pass the stored data as ``existing`` instead."""
    schema = parse_schema(schema)
    typed = (
        data_from_json(schema, data)
        if data is not None
        else {s.name: s.default for s in schema.fields}
    )
    formdata = FormData()
    _fill(formdata, "", schema.fields, typed)
    return formdata


def _fill(
    formdata: FormData, prefix: str, specs: list[FieldSpec], values: Mapping[str, Any]
) -> None:
    for spec in specs:
        value = values.get(spec.name)
        if value is None or isinstance(spec, ComputedSpec | FileSpec):
            continue
        name = prefix + spec.name
        if isinstance(spec, GroupSpec):
            for i, row in enumerate(value):
                _fill(formdata, f"{name}-{i}-", spec.fields, row)
        elif isinstance(value, list):
            for item in value:
                formdata.add(name, item)
        else:
            formdata.add(name, spec.format_input(value))


__all__ = [
    "ADD_ROW",
    "DRAFT",
    "REMOVE_ROW",
    "SUBMIT",
    "FormData",
    "build_form_class",
    "data_from_json",
    "data_to_formdata",
    "form_to_data",
    "handle_row_actions",
    "upload_size",
]
