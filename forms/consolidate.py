"""Adding up the agencies' reports, field by field, with each field's consolidation rule.

Input, plain data::

    reports = [{"agency_code": "STP", "agency_name": "Sở Tư pháp", "data": {...},
                "schema": FormSchema | dict,   # the version the report was filled with
                "status": "accepted", "submitted_at": datetime | None, "due": date}]
    expected = [{"code": "STP", "name": "Sở Tư pháp"}, ...]   # agency order of the tables

Output (JSON-able: integers as ``int``, other numbers as decimal strings like the stored data,
dates ISO; every value also has a Vietnamese ``display`` string)::

    {"title": str | None,
     "fields": [{"name", "label", "type", "rule", "unit", "target", "target_label",
                 "value", "display", "n", "percent_of_target",  # ratio/formula with a target
                 "counts": [{"value", "label", "count"}],           # count of choice/yesno only
                 "rows": [{"agency_code", "agency_name", "values": {column: value},
                           "display": {column: str}}],                          # rows only
                 "columns": [{"name", "label", "rule", "value", "display"}],           # rows only
                 "agencies": [{"agency_code", "agency_name", "value", "display", "met"}]}],
     "by_name": {name: <the same field dict>},
     "agencies": [{"agency_code", "agency_name", "report_status", "included"}],
     "summary": {"expected", "included"}}

Only reports whose status is in ``include_statuses`` (default: accepted) contribute values. Who
reported on time, late or not at all is not decided here: the application's status module
(``app/services/status.py``) adds it. A field absent from the schema version a report was filled
with, or whose stored value no longer fits the field, is absent for that report (not zero).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NotRequired, TypedDict, cast

from .fields import (
    ComputedSpec,
    FieldSpec,
    GroupSpec,
    MultichoiceSpec,
    OptionsSpec,
    PercentageSpec,
    YesNoSpec,
    decimal_to_json,
    is_empty,
)
from .formatting import format_date_table, format_number
from .i18n import _
from .schema import FormSchema, computed_order, parse_schema


class CountResult(TypedDict):
    """One answer of a yes/no or choice field and how many reports gave it."""

    value: Any
    label: str
    count: int


class AgencyValue(TypedDict):
    agency_code: str
    agency_name: str
    value: Any
    display: str
    met: NotRequired[bool | None]


class RowResult(TypedDict):
    """A row of a repeating group, with the agency that reported it."""

    agency_code: str
    agency_name: str
    values: dict[str, Any]
    display: dict[str, str]


class ColumnTotal(TypedDict):
    name: str
    label: str
    rule: str
    value: Any
    display: str


class FieldResult(TypedDict):
    """One field consolidated by its rule; what the consolidation page and the consolidated
    report both read (``display`` is the one formatting of :mod:`forms.formatting`)."""

    name: str
    label: str
    type: str
    rule: str
    unit: str | None
    target: Any
    target_label: str | None
    value: Any
    display: str
    n: int
    percent_of_target: str | None
    agencies: list[AgencyValue]
    counts: NotRequired[list[CountResult]]
    rows: NotRequired[list[RowResult]]
    columns: NotRequired[list[ColumnTotal]]
    row_columns: NotRequired[list[tuple[str, str]]]


class Summary(TypedDict, total=False):
    """The forms' counts; the status module (``app.services.consolidation``) adds the rest."""

    expected: int
    received: int
    included: int
    on_time: int
    late: int
    overdue: int
    not_yet_due: int
    missing: int
    returned: int


class ConsolidationResult(TypedDict):
    """What :func:`consolidate` hands to the app, the page and the worker (typed, checked by
    mypy): the fields, and the agencies' rows (the status module's, see
    ``app.services.consolidation``)."""

    title: str | None
    fields: list[FieldResult]
    by_name: dict[str, FieldResult]
    agencies: list[dict[str, Any]]
    summary: Summary
    # when the app computes one page of the agencies' table: how many agencies, which page
    agencies_total: NotRequired[int]
    agencies_page: NotRequired[int]


VIETNAM = dt.timezone(dt.timedelta(hours=7))
TWO_PLACES = Decimal("0.01")
Agency = tuple[str, str]


def consolidate(
    schema: FormSchema | Mapping[str, Any],
    reports: Sequence[Mapping[str, Any]],
    expected: Sequence[Mapping[str, Any]] = (),
    *,
    include_statuses: Collection[str] = ("accepted",),
) -> ConsolidationResult:
    """Consolidate ``reports`` against the current ``schema`` (format in the module docstring)."""
    schema = parse_schema(schema)
    agencies: list[Agency] = [(str(a["code"]), str(a["name"])) for a in expected]
    listed = {code for code, _n in agencies}
    by_agency: dict[str, Mapping[str, Any]] = {}
    for report in reports:
        code = str(report["agency_code"])
        if code not in listed:
            listed.add(code)
            agencies.append((code, str(report.get("agency_name") or code)))
        by_agency[code] = report

    included: dict[str, dict[str, Any]] = {}
    versions: dict[int, _Version] = {}  # each schema version read once, not per report
    for code, _name in agencies:
        found = by_agency.get(code)
        if found is not None and found.get("status") in include_statuses:
            included[code] = _typed_values(schema, found, versions)

    fields: list[FieldResult] = []
    for spec in schema.fields:
        if isinstance(spec, ComputedSpec):
            per_agency = [
                (a, included[a[0]].get(spec.name) if a[0] in included else None) for a in agencies
            ]
            contributing = [included[a[0]] for a, v in per_agency if v is not None]
            entry = _base(spec, per_agency, _formula_total(schema, spec, contributing))
            if spec.consolidate == "none":
                entry.update(value=None, display="")
            fields.append(cast(FieldResult, entry))
        else:
            fields.append(cast(FieldResult, _field(spec, agencies, included)))

    return {
        "title": schema.title,
        "fields": fields,
        "by_name": {f["name"]: f for f in fields},
        "agencies": [
            {
                "agency_code": code,
                "agency_name": name,
                "report_status": (by_agency.get(code) or {}).get("status"),
                "included": code in included,
            }
            for code, name in agencies
        ],
        "summary": {"expected": len(expected), "included": len(included)},
    }


class _Version:
    """How one schema version's reports are read with the current schema, worked out once per
    version (not per report): each current input field with the version's field of that name
    when it still fits (else None: the value is absent), and each computed field in order with
    whether its inputs existed in that version."""

    def __init__(self, schema: FormSchema, old: FormSchema) -> None:
        olds: dict[str, FieldSpec] = {}
        for f in old.fields:
            olds.setdefault(f.name, f)
        self.reads: list[tuple[FieldSpec, FieldSpec | None]] = []
        for spec in schema.fields:
            if isinstance(spec, ComputedSpec):
                continue
            found = olds.get(spec.name)
            self.reads.append(
                (spec, found if found is not None and found.numeric == spec.numeric else None)
            )
        self.computed = [
            (
                spec,
                spec.formula is not None
                and all(
                    n in olds for n in spec.formula.names if not isinstance(schema[n], ComputedSpec)
                ),
            )
            for spec in computed_order(schema.fields)
        ]


def _typed_values(
    schema: FormSchema, report: Mapping[str, Any], versions: dict[int, _Version] | None = None
) -> dict[str, Any]:
    """One report's typed values for the current schema; computed fields recomputed.
    ``versions`` keeps each schema version's reading by the identity of the given object (the
    reports filled with one version share its schema object)."""
    data = report.get("data") or {}
    raw = report.get("schema")
    key = id(raw)
    version = versions.get(key) if versions is not None else None
    if version is None:
        version = _Version(schema, parse_schema(raw) if raw is not None else schema)
        if versions is not None:
            versions[key] = version
    values: dict[str, Any] = {}
    for spec, old_spec in version.reads:
        values[spec.name] = None if old_spec is None else _read(spec, old_spec, data)
    for spec, inputs_known in version.computed:
        values[spec.name] = spec.compute(values) if inputs_known else None
    return values


def _read(spec: FieldSpec, old_spec: FieldSpec, data: Mapping[str, Any]) -> Any:
    """The stored value of ``spec`` (a field of the report's version, ``old_spec``, has its
    name and fits it)."""
    try:
        if isinstance(spec, GroupSpec):
            if not isinstance(old_spec, GroupSpec):
                return None
            known = {c.name for c in old_spec.fields}
            rows = spec.from_json(data.get(spec.name)) or []
            for row in rows:
                for column in spec.fields:
                    if column.name not in known:
                        row[column.name] = None
                for column in computed_order(spec.fields):
                    row[column.name] = column.compute(row)
            return rows or None
        return spec.from_json(data.get(spec.name))
    except ValueError:
        return None


def _as_json(spec: FieldSpec, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return decimal_to_json(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return spec.to_json(value)


def _display(spec: FieldSpec, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, int | Decimal):
        return format_number(value)
    if isinstance(value, dt.date):
        return format_date_table(value)
    if isinstance(spec, OptionsSpec):
        items = value if isinstance(value, list) else [value]
        return "; ".join(spec.label_of(v) for v in items)
    if isinstance(value, dict):
        return str(value.get("filename", ""))
    if isinstance(value, list):
        return _("{n} dòng", n=len(value))
    return str(value)


def _base(spec: FieldSpec, per_agency: list[tuple[Agency, Any]], value: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": spec.name,
        "label": spec.label,
        "type": spec.type_name,
        "rule": spec.consolidate,
        "unit": spec.unit,
        "target": _as_json(spec, spec.target),
        "target_label": spec.target_label,
        "value": _as_json(spec, value),
        "display": _display(spec, value),
        "n": sum(1 for _a, v in per_agency if not is_empty(v)),
        "percent_of_target": None,
        "agencies": [
            {
                "agency_code": code,
                "agency_name": name,
                "value": None,
                "display": "",
                "met": None,
            }
            if v is None  # no value: what _as_json, _display and _met give for None
            else {
                "agency_code": code,
                "agency_name": name,
                "value": _as_json(spec, v),
                "display": _display(spec, v),
                "met": _met(spec, v),
            }
            for (code, name), v in per_agency
        ],
    }
    if (
        spec.consolidate in ("ratio", "formula")
        and spec.target
        and isinstance(value, int | Decimal)
        and not isinstance(value, bool)
    ):
        percent = Decimal(value) / spec.target * 100
        entry["percent_of_target"] = decimal_to_json(percent.quantize(TWO_PLACES, ROUND_HALF_UP))
    return entry


def _met(spec: FieldSpec, value: Any) -> bool | None:
    if spec.target is None or not isinstance(value, int | Decimal) or isinstance(value, bool):
        return None
    return value >= spec.target


def _number_total(spec: FieldSpec, numbers: list[Any]) -> Any:
    """Sum, or the average for ``avg`` and percentage ``ratio`` (rounded to 2 places)."""
    if not numbers:
        return None
    if spec.consolidate == "avg" or (
        spec.consolidate == "ratio" and isinstance(spec, PercentageSpec)
    ):
        return (Decimal(sum(numbers)) / len(numbers)).quantize(TWO_PLACES, ROUND_HALF_UP)
    return sum(numbers)


def _formula_total(schema: FormSchema, spec: ComputedSpec, rows: list[dict[str, Any]]) -> Any:
    """A computed field over the consolidated inputs of the agencies for which it has a value
    (so that an agency that left the denominator empty does not skew the ratio)."""
    totals: dict[str, Any] = {}
    for field in schema.fields:
        if not isinstance(field, ComputedSpec) and field.numeric:
            totals[field.name] = _number_total(
                field, [r[field.name] for r in rows if r.get(field.name) is not None]
            )
    for computed in computed_order(schema.fields):
        totals[computed.name] = computed.compute(totals)
        if computed is spec:
            break
    return totals[spec.name]


def _field(
    spec: FieldSpec, agencies: list[Agency], included: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The consolidated entry of one input field."""
    per_agency = [
        (a, included[a[0]].get(spec.name) if a[0] in included else None) for a in agencies
    ]
    values: list[Any] = [v for _a, v in per_agency if not is_empty(v)]
    rule = spec.consolidate
    numbers = [v for v in values if isinstance(v, int | Decimal) and not isinstance(v, bool)]
    extra: dict[str, Any] = {}
    value: Any = None
    if rule in ("sum", "avg", "min", "max", "ratio") and values and not numbers:
        value = (min if rule == "min" else max)(values) if rule in ("min", "max") else None
    elif rule in ("sum", "avg", "ratio"):
        value = _number_total(spec, numbers)
    elif rule == "min":
        value = min(values) if values else None
    elif rule == "max":
        value = max(values) if values else None
    elif rule == "count":
        value, counts = _count(spec, values)
        if counts is not None:
            extra["counts"] = counts
    elif rule == "list":
        value = [
            {
                "agency_code": code,
                "agency_name": name,
                "value": _as_json(spec, v),
                "display": _display(spec, v),
            }
            for (code, name), v in per_agency
            if not is_empty(v)
        ]
    elif rule == "rows" and isinstance(spec, GroupSpec):
        rows = [
            {"agency_code": code, "agency_name": name, "values": row}
            for (code, name), v in per_agency
            for row in (v or [])
        ]
        extra["rows"] = [
            dict(
                r,
                values=spec.row_to_json(r["values"]),
                display={c.name: _display(c, r["values"].get(c.name)) for c in spec.fields},
            )
            for r in rows
        ]
        extra["columns"] = _columns(spec, [r["values"] for r in rows])
        value = len(rows)
    entry = _base(spec, per_agency, value)
    if rule == "list":
        entry["value"] = value
        entry["display"] = "\n".join(f"{v['agency_name']}: {v['display']}" for v in value)
    if rule == "rows":
        entry["display"] = _("{n} dòng", n=value or 0)
    entry.update(extra)
    return entry


def _count(spec: FieldSpec, values: list[Any]) -> tuple[int, list[dict[str, Any]] | None]:
    if isinstance(spec, YesNoSpec):
        yes = sum(1 for v in values if v is True)
        return yes, [
            {"value": True, "label": _("Có"), "count": yes},
            {"value": False, "label": _("Không"), "count": len(values) - yes},
        ]
    if isinstance(spec, OptionsSpec):
        counts = []
        for choice in spec.choices:
            picked = sum(
                1
                for v in values
                if (
                    choice.value in v
                    if isinstance(spec, MultichoiceSpec) and isinstance(v, list)
                    else v == choice.value
                )
            )
            counts.append({"value": choice.value, "label": choice.label, "count": picked})
        return len(values), counts
    if isinstance(spec, GroupSpec):
        return sum(len(v) for v in values), None
    return len(values), None


def _columns(spec: GroupSpec, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Totals of the numeric columns of a group over every row (sum/avg/min/max/count)."""
    out = []
    for column in spec.fields:
        if not column.numeric or column.consolidate not in ("sum", "avg", "min", "max", "count"):
            continue
        numbers = [r[column.name] for r in rows if r.get(column.name) is not None]
        value: Any = None
        if column.consolidate == "count":
            value = len(numbers)
        elif numbers and column.consolidate == "sum":
            value = sum(numbers)
        elif numbers and column.consolidate == "avg":
            value = (Decimal(sum(numbers)) / len(numbers)).quantize(TWO_PLACES, ROUND_HALF_UP)
        elif numbers:
            value = (min if column.consolidate == "min" else max)(numbers)
        out.append(
            {
                "name": column.name,
                "label": column.label,
                "rule": column.consolidate,
                "value": _as_json(column, value),
                "display": _display(column, value),
            }
        )
    return out
