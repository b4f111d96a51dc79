"""Contexts from the database: the ONE place a Document row becomes a template context.

``build(doc)`` reads what the document is about (plan, report, period) and adapts the rows to the
plain-dict inputs of the pure builders in :mod:`worker.contexts`. The issuing agency is printed
as the document's ``snapshot`` keeps it (name, abbreviation, place, header line as issued), so a
later rename does not rewrite an issued document. An unnumbered draft gets blanks for its number
and day (``number``/``issued_on`` ``None``, month/year of its creation).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, defer

from app.extensions import db
from app.models import (
    Agency,
    AgencyGroup,
    Consolidation,
    Document,
    DocumentKind,
    DocumentSnapshot,
    DocumentStatus,
    Plan,
    Report,
    ReportingPeriod,
)
from app.services import gcpause, report_parts, status
from forms.consolidate import ConsolidationResult
from worker import contexts
from worker.inputs import (
    PLAN_KEYS,
    AgencyInput,
    ConsolidatedInput,
    CountsItem,
    DraftDate,
    GeneralItem,
    NumberItem,
    NumberResult,
    OtherItem,
    OverdueAgency,
    PlanInput,
    ReminderInput,
    ReportInput,
    RowsItem,
    Signer,
    TextResult,
    TimelinessRow,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
VN_OFFSET = timedelta(hours=7)
REMINDER_DAYS = 5  # working days given by a reminder when the document does not say


class ContextUnavailable(contexts.ContextError):
    """The rows the document needs are missing (message in Vietnamese)."""


def template_path(kind: str) -> Path:
    return TEMPLATES / f"{DocumentKind(kind).value}.docx"


def template_for(agency_id: int | None, kind: str) -> Path | bytes:
    """The template a document of ``kind`` by agency ``agency_id`` is rendered with: the
    agency's newest accepted own template when it has one, else the official one."""
    from app.models import AgencyTemplate
    from app.services import storage

    if agency_id is not None:
        own = db.session.scalar(
            select(AgencyTemplate)
            .where(
                AgencyTemplate.agency_id == agency_id,
                AgencyTemplate.kind == kind,
                AgencyTemplate.status == "accepted",
            )
            .order_by(AgencyTemplate.uploaded_at.desc(), AgencyTemplate.id.desc())
            .limit(1)
        )
        if own is not None:
            try:
                return storage.read(own.path)
            except FileNotFoundError:
                pass
    return template_path(kind)


# ----------------------------------------------------------------------------- small adapters


def agency_dict(a: Agency) -> AgencyInput:
    return {
        "code": a.code,
        "name": a.name,
        "short_name": a.short_name,
        "abbreviation": a.abbreviation,
        "place": a.place,
        "level": a.level,
        "parent": a.parent.code if a.parent else None,
        "header_parent": a.header_parent,
        "header_name": a.header_name,
    }


_PARENT = aliased(Agency)
_AGENCY_COLUMNS = (
    Agency.code,
    Agency.name,
    Agency.short_name,
    Agency.abbreviation,
    Agency.place,
    Agency.level,
    _PARENT.code.label("parent"),
    Agency.header_parent,
    Agency.header_name,
)
AGENCY_IN_LIMIT = 900  # more codes than this: one read of the whole table (cheap as rows)


def _agency_rows(codes: set[str] | None) -> dict[str, dict[str, Any]]:
    """``agency_dict`` of the agencies ``codes`` (all when None) and of their parents, read as
    plain rows (no ORM objects, the parent's code by a join, not a query per agency)."""
    query = select(*_AGENCY_COLUMNS).outerjoin(_PARENT, Agency.parent_id == _PARENT.id)
    if codes is not None and len(codes) <= AGENCY_IN_LIMIT:
        wanted = sorted(codes)
        child = aliased(Agency)
        parents = select(child.parent_id).where(child.code.in_(wanted))
        query = query.where(or_(Agency.code.in_(wanted), Agency.id.in_(parents)))
    return {row.code: row._asdict() for row in db.session.execute(query)}


def agencies_for(doc: Document, codes: Iterable[str] | None = None) -> dict[str, AgencyInput]:
    """The agencies a document names as dicts (``agency_dict``): those of ``codes`` (every
    agency when None) with the issuer and the parents of each, the issuing one as the
    document's snapshot keeps it."""
    snap = doc.snapshot or {}
    issuer = db.session.get(Agency, doc.agency_id)
    if issuer is None:
        raise ContextUnavailable("Không tìm thấy cơ quan ban hành văn bản")
    out = _agency_rows(None if codes is None else {*codes, issuer.code})
    entry = dict(out[issuer.code])
    for k in ("name", "abbreviation", "place", "header_parent", "header_name"):
        if snap.get(k):
            entry[k] = snap[k]
    if snap.get("name") and snap["name"] != issuer.name:
        entry["short_name"] = None  # the short name of today would contradict the name as issued
    out[issuer.code] = entry
    return cast(dict[str, AgencyInput], out)


def _vn_date(value: Any) -> date | None:
    """A stored date/datetime (aware UTC or ISO text) as the Vietnamese calendar day."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = (
            datetime.fromisoformat(value)
            if "T" in value or " " in value
            else (date.fromisoformat(value[:10]))
        )
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(contexts_vn())
        return value.date()
    return value


def contexts_vn():  # noqa: ANN201
    from app.services.clock import VN

    return VN


def _draft_month_year(doc: Document) -> DraftDate:
    """An unnumbered draft is dated this month (the services' clock, not the OS clock)."""
    from app.services import clock

    made = clock.today()
    return {"draft_month": made.month, "draft_year": made.year}


def _signer(doc: Document) -> Signer:
    """As signed, else whom the draft is made for (:func:`app.services.signers.intended`)."""
    from app.services import signers

    return cast(Signer, signers.intended(doc))  # cleaned by signers.check when recorded


def plan_ref(plan: Plan, agencies: dict[str, AgencyInput]) -> str:
    """ "Kế hoạch số 01/KH-BCĐNQ ngày 05 tháng 11 năm 2024 của Ban Chỉ đạo …" (or by title)."""
    issuer = agencies[plan.issuer.code]["name"] if plan.issuer.code in agencies else ""
    issuer = issuer or plan.issuer.name
    type_name = contexts.TYPE_NAMES.get(plan.type_abbr or "KH", "Kế hoạch").capitalize()
    if plan.symbol:
        when = f" {contexts.format_day_month_year(plan.issued_on)}" if plan.issued_on else ""
        return f"{type_name} số {plan.symbol}{when} của {issuer}"
    title = plan.title[:1].lower() + plan.title[1:]
    return f"{type_name} {title} của {issuer}"


def _period_text(period: ReportingPeriod | None) -> str:
    if period is None or period.kind == "once":
        return ""
    return period.label[:1].lower() + period.label[1:]


def _report_to(plan: Plan, doc: Document | None = None) -> list[str]:
    """ "Kính gửi:" of a report: as recorded on the document, else the plan's schedule
    ``report_to``, else the standing agency."""
    snap: DocumentSnapshot = (doc.snapshot or {}) if doc is not None else {}
    if snap.get("addressees"):
        return list(snap["addressees"])
    report_to = ((plan.definition or {}).get("schedule") or {}).get("report_to")
    return [report_to] if report_to else [plan.standing_agency.name]


def _typed(field: dict[str, Any], value: Any) -> Any:
    """Stored JSON answers back to Python values for formatting (decimals, dates)."""
    if value in (None, ""):
        return value
    ftype = field.get("type")
    if ftype in ("decimal", "percentage", "computed") and isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    if ftype == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value
    if ftype == "group" and isinstance(value, list):
        cols = {c["name"]: c for c in field.get("fields") or []}
        return [{k: _typed(cols.get(k, {}), v) for k, v in (row or {}).items()} for row in value]
    return value


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return list((schema or {}).get("fields") or [])


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return value


# ----------------------------------------------------------------------------- per kind


def plan_input(doc: Document) -> tuple[PlanInput, dict[str, AgencyInput]]:
    plan = db.session.get(Plan, doc.plan_id) if doc.plan_id else None
    if plan is None:
        raise ContextUnavailable("Văn bản kế hoạch không gắn với kế hoạch nào")
    definition = plan.definition or {}
    # the plan's definition (docs/plan-format.md) holds more (schedule, form): the document
    # prints only what PlanInput names
    out = cast(PlanInput, {k: v for k, v in definition.items() if k in PLAN_KEYS})
    out["issuer"] = _issuer_code(doc)
    out["type"] = definition.get("type") or plan.type_abbr or "KH"
    out["title"] = definition.get("title") or plan.title
    if isinstance((doc.snapshot or {}).get("signer"), dict) or doc.signer_id:
        out["signer"] = _signer(doc)  # as signed, or the signer chosen for the draft
    out["group_names"] = group_names(definition)
    if doc.number is None:
        made = _draft_month_year(doc)
        out.setdefault("draft_month", made["draft_month"])
        out.setdefault("draft_year", made["draft_year"])
    return out, agencies_for(doc)


def group_names(definition: dict) -> dict[str, str]:
    """``{group code: name}`` of the agency groups the plan's assignment lines name (one
    query): the plan prints a group's line under its name."""
    codes = {a["group"] for a in definition.get("assignments") or [] if a.get("group")}
    if not codes:
        return {}
    rows = db.session.execute(
        select(AgencyGroup.code, AgencyGroup.name).where(AgencyGroup.code.in_(codes))
    )
    return {code: name for code, name in rows}


def report_input(doc: Document) -> tuple[ReportInput, dict[str, AgencyInput]]:
    report = db.session.get(Report, doc.report_id) if doc.report_id else None
    if report is None:
        raise ContextUnavailable("Văn bản báo cáo không gắn với báo cáo nào")
    agencies = agencies_for(doc)
    plan = report.plan
    fields = _fields(report.form_version.schema)
    answers = {f["name"]: _typed(f, (report.data or {}).get(f["name"])) for f in fields}
    out: ReportInput = {
        "agency": report.agency.code,
        "plan_ref": plan_ref(plan, agencies),
        "period": _period_text(report.period),
        "addressees": _report_to(plan, doc),
        "fields": fields,
        "answers": answers,
        "recipients": [],
        "archive": "VT",
        "signer": _signer(doc),
        **_draft_month_year(doc),
    }
    return out, agencies


def _short_labels(plan: Plan) -> dict[str, str]:
    """``{field name: short_label}`` of the plan's form (the newest version that names it)."""
    out: dict[str, str] = {}
    for version in plan.form_versions or []:
        for f in _fields(version.schema):
            if f.get("name") and f.get("short_label"):
                out[f["name"]] = f["short_label"]
    return out


def consolidated_input(doc: Document) -> tuple[ConsolidatedInput, dict[str, AgencyInput]]:
    period = db.session.get(ReportingPeriod, doc.period_id) if doc.period_id else None
    if period is None:
        raise ContextUnavailable("Báo cáo tổng hợp không gắn với kỳ báo cáo nào")
    plan = period.plan
    # the stored results are read only when this session does not hold them already (the
    # consolidation just recorded them: decoding megabytes of JSON again is not needed)
    row = db.session.scalar(
        select(Consolidation)
        .where(Consolidation.period_id == period.id)
        .options(defer(Consolidation.results))
    )
    from app.services import consolidation

    results: ConsolidationResult
    if row is not None and row.results:
        results = consolidation.from_stored(row.results)  # stored by consolidate_period
    else:
        results = consolidation.compute(period)
    # the agencies the report names: those of the consolidation, the plan's issuer and the
    # standing agency (not the whole table)
    code = itemgetter("agency_code")  # over lists of thousands: C, not a Python loop
    named = set(map(code, results.get("agencies") or []))
    for f in results.get("fields") or []:
        named.update(map(code, f.get("agencies") or []))
        named.update(map(code, f.get("rows") or []))
        if isinstance(f.get("value"), list):  # rule "list": the agencies that wrote something
            named.update(v["agency_code"] for v in f["value"] if isinstance(v, dict))
    agencies = agencies_for(doc, named | {plan.issuer.code, plan.standing_agency.code})
    # who reported on time, late or not at all: the status module's rows, as kept with the
    # consolidation (a returned, never accepted report is not received)
    timeliness: list[TimelinessRow] = []
    standing = plan.standing_agency.code
    for a in results.get("agencies") or []:
        if a["agency_code"] == standing and not a.get("submitted_at"):
            continue  # the standing agency consolidates; it does not report to itself
        timeliness.append(
            {
                "agency": a["agency_code"],
                "due": _vn_date(a.get("due")) or period.due_on,
                "submitted_on": _vn_date(a.get("submitted_at")) if a.get("received") else None,
                "status": a.get("timeliness"),
                "days": a.get("days"),
                "text": a.get("text"),
            }
        )
    numeric, texts, general = consolidated_fields(results, plan)
    out: ConsolidatedInput = {
        "agency": _issuer_code(doc),
        "plan_ref": plan_ref(plan, agencies),
        "period": _period_text(period),
        "addressees": [plan.issuer.name],
        "timeliness": timeliness,
        "results": numeric,
        "texts": texts,
        "general": general,
        "recipients": [],
        "archive": "VT",
        "signer": _signer(doc),
        **_draft_month_year(doc),
    }
    # the standing agency's own parts, as it edited them (else the plan's defaults)
    parts = report_parts.printed(period, row)
    out["addressees"] = parts["addressees"]
    out["recipients"] = parts["recipients"]
    if parts.get("assessment"):
        out["assessment"] = parts["assessment"]
    if parts.get("next_steps"):
        out["next_steps"] = parts["next_steps"]
    if parts.get("proposals"):
        out["proposals"] = parts["proposals"]
    if row is not None and row.narrative:
        out["assessment"] = [p.strip() for p in row.narrative.split("\n") if p.strip()]
    out["agency"] = db.session.get(Agency, doc.agency_id).code  # type: ignore[union-attr]
    return out, agencies


NUMERIC_TYPES = ("integer", "decimal", "percentage", "computed")
_CODE_VALUE = itemgetter("agency_code", "value")
NUMBER_RULES = ("sum", "avg", "min", "max", "ratio", "count", "formula")


def consolidated_fields(
    results: ConsolidationResult, plan: Plan
) -> tuple[list[NumberResult], list[TextResult], list[GeneralItem]]:
    """Every field of the consolidation (``forms.consolidate``, the computation the
    consolidation page shows) as the consolidated report prints it: ``numeric`` (the
    per-agency tables: sums, averages, ratios and formula values with their targets), ``texts``
    (listed by agency) and ``general`` (form order: numbers, yes/no counts, choice tallies,
    repeating rows, other values). Only rule ``none`` is left out."""
    short = _short_labels(plan)
    schema_fields = (
        {f.get("name"): f for f in _fields(plan.current_form.schema)}
        if (plan.current_form is not None)
        else {}
    )
    numeric: list[NumberResult] = []
    texts: list[TextResult] = []
    general: list[GeneralItem] = []
    for f in results.get("fields") or []:
        rule = f.get("rule") or "none"
        per = dict(map(_CODE_VALUE, f.get("agencies") or []))
        if rule == "none":
            continue
        if f.get("type") in NUMERIC_TYPES and rule in NUMBER_RULES:
            unit = f.get("unit") or ""
            item: NumberResult = {
                "label": f["label"],
                "short_label": short.get(f.get("name") or "") or "",
                "unit": "%" if f.get("type") == "percentage" else unit,
                "rule": rule,
                "value": _number(f.get("value")),
                "target": _number(f.get("target")),
                "percent": _number(f.get("percent_of_target")),
                "per_agency": {k: _number(v) for k, v in per.items()},
            }
            numeric.append(item)
            number_item: NumberItem = {"kind": "number", **item}
            general.append(number_item)
        elif rule == "list":
            listed = {
                v["agency_code"]: v.get("display") or ""
                for v in (f.get("value") or [])
                if isinstance(v, dict)
            }
            texts.append(
                {"label": f["label"], "per_agency": {k: v for k, v in listed.items() if v}}
            )
        elif rule == "count" and f.get("counts") is not None:
            counts: CountsItem = {
                "kind": "counts",
                "label": f["label"],
                "yesno": f.get("type") == "yesno",
                "n": f.get("n") or 0,
                "counts": [
                    {"label": c["label"], "count": c["count"]} for c in f.get("counts") or []
                ],
            }
            general.append(counts)
        elif rule == "rows":
            spec = schema_fields.get(f.get("name")) or {}
            rows: RowsItem = {
                "kind": "rows",
                "label": f["label"],
                "short_label": short.get(f.get("name") or "") or "",
                "n": len(f.get("rows") or []),
                "columns": list(spec.get("fields") or []),
                "rows": [
                    {"agency": r["agency_code"], "display": r.get("display") or {}}
                    for r in f.get("rows") or []
                ],
                "totals": [dict(c) for c in f.get("columns") or []],
            }
            general.append(rows)
        else:  # a date's min/max, a count of answers: the consolidation's own display
            shown = f.get("display") or ""
            if rule == "count":
                shown = f"{f.get('value') or 0} cơ quan, đơn vị"
            other: OtherItem = {
                "kind": "other",
                "label": f["label"],
                "display": shown or "không có",
            }
            general.append(other)
    return numeric, texts, general


def overdue_agencies(period: ReportingPeriod, on: date) -> list[OverdueAgency]:
    """The agencies of ``period`` overdue on ``on``: the status module's (own due dates and
    granted extensions count)."""
    return [
        {"agency": st.agency_code, "due": st.due, "days": st.days, "text": st.text}
        for st in status.for_period(period, on)
        if st.result == status.Result.OVERDUE
    ]


def reminder_input(doc: Document) -> tuple[ReminderInput, dict[str, AgencyInput]]:
    period = db.session.get(ReportingPeriod, doc.period_id) if doc.period_id else None
    if period is None:
        raise ContextUnavailable("Công văn đôn đốc không gắn với kỳ báo cáo nào")
    from app.services import calendar

    agencies = agencies_for(doc)
    from app.services import clock

    # Issued: the agencies overdue on the day of issue; a draft: those overdue today.
    made = doc.issued_on if doc.number is not None and doc.issued_on else clock.today()
    snap = doc.snapshot or {}
    reminder = snap.get("reminder")
    chosen = (reminder["new_due"] if reminder else None) or snap.get("new_due")  # older drafts
    new_due = _vn_date(chosen) or calendar.add_working_days(made, REMINDER_DAYS)
    out: ReminderInput = {
        "agency": _issuer_code(doc),
        "unit": doc.unit_abbr,  # set by the drafter or the clerk; never a default
        "plan_ref": plan_ref(period.plan, agencies),
        "overdue": [
            o
            for o in overdue_agencies(period, made)
            if o["agency"] != period.plan.standing_agency.code
        ],
        "new_due": new_due,
        # whom the reports go to: the plan's schedule says; else the issuing agency
        "report_to": ((period.plan.definition or {}).get("schedule") or {}).get("report_to") or "",
        "recipients": [],
        "archive": "VT",
        "signer": _signer(doc),
        **_draft_month_year(doc),
    }
    return out, agencies


def _context(
    doc: Document, number: int | None, issued_on: date | None
) -> tuple[dict[str, Any], dict[str, AgencyInput]]:
    """The builder of the document's kind on its typed input, and the agencies it read."""
    kind = DocumentKind(doc.kind)
    if kind == DocumentKind.PLAN:
        plan, agencies = plan_input(doc)
        return contexts.plan_context(plan, agencies, number, issued_on), agencies
    if kind == DocumentKind.REPORT:
        report, agencies = report_input(doc)
        return contexts.report_context(report, agencies, number, issued_on), agencies
    if kind == DocumentKind.CONSOLIDATED:
        consolidated, agencies = consolidated_input(doc)
        return contexts.consolidated_context(consolidated, agencies, number, issued_on), agencies
    reminder, agencies = reminder_input(doc)
    return contexts.reminder_context(reminder, agencies, number, issued_on), agencies


def build(doc: Document) -> dict[str, Any]:
    """The template context of ``doc`` (see module doc). Raises ``ContextError`` (Vietnamese).
    The number line is the register's symbol of the document (:func:`number_line`), so the
    body, the stamp, the page and the register print the same number."""
    with gcpause.paused():  # thousands of agencies' rows: plain dicts, no cycles
        ctx, agencies = _context(doc, doc.number, doc.issued_on if doc.number else None)
    keys = ["number_line", "e_stamp", "draft_mark"]
    if ctx.get("appendix_ref"):  # the appendix names the report by the register's number too
        keys.append("appendix_ref")
    ctx.update(fill_values(doc, keys, agencies))
    return ctx


SIGNER_KEYS = ("signer_lines", "signer_note", "signer_name")


def number_line(doc: Document) -> str:
    """ "Số: 01/CA-VP" from the document's symbol — the register's, given at release (an
    unnumbered draft: "Số:    /CA-VP", the blank the clerk fills)."""
    symbol = doc.symbol or ""
    return f"Số: {symbol}" if doc.number is not None else f"Số:{symbol}"


def signer_of(doc: Document) -> Signer:
    """The signer the document's content shows (:func:`app.services.signers.intended`)."""
    return _signer(doc)


def fill_values(
    doc: Document, keys: Any, agencies: Mapping[str, AgencyInput] | None = None
) -> dict[str, Any]:
    """The values of the fill-in ``keys`` of ``doc`` as it is now: ``number_line``,
    ``date_line``, ``e_stamp`` (release) and the signer block (signing). Signing and release
    replace only these (and the draft mark, gone on release) in the frozen content (see
    ``worker.jobs``). ``agencies``: those :func:`agencies_for` already gave for ``doc``."""
    keys = set(keys)
    out: dict[str, Any] = {}
    if "number_line" in keys:
        out["number_line"] = number_line(doc)
    if keys & {"date_line", "appendix_ref"}:
        code = _issuer_code(doc)
        issuer = (agencies or {}).get(code) or agencies_for(doc, ())[code]
        if doc.number is not None and doc.issued_on:
            date_line = contexts.format_date_line(issuer["place"], doc.issued_on)
        else:
            made = _draft_month_year(doc)
            date_line = contexts.format_date_line(
                issuer["place"], None, made["draft_month"], made["draft_year"]
            )
        if "date_line" in keys:
            out["date_line"] = date_line
        if "appendix_ref" in keys:  # "(Kèm theo Báo cáo số 01/BC-CA ngày … của …)"
            ref = contexts.appendix_heading(
                {"number_line": number_line(doc), "date_line": date_line}, issuer, True
            )
            out["appendix_ref"] = ref["appendix_ref"]
    if "e_stamp" in keys:
        signed = signed_time(doc)
        out["e_stamp"] = contexts.e_stamp(doc.symbol, signed) if signed and doc.symbol else ""
    if "draft_mark" in keys:  # "DỰ THẢO (lần N)" on every page until released
        released = doc.status == DocumentStatus.RELEASED
        out["draft_mark"] = "" if released else contexts.draft_mark(doc.draft_version)
        if (doc.snapshot or {}).get("recorded"):  # a copy of a plan issued on paper
            out["draft_mark"] = contexts.RECORDED_MARK
    if keys & set(SIGNER_KEYS):
        lines, note, name = contexts.signer_block(signer_of(doc))
        out.update(signer_lines=lines, signer_note=note, signer_name=name)
    return out


def _issuer_code(doc: Document) -> str:
    issuer = db.session.get(Agency, doc.agency_id)
    if issuer is None:
        raise ContextUnavailable("Không tìm thấy cơ quan ban hành văn bản")
    return issuer.code


def signed_time(doc: Document) -> datetime | date | None:
    """When a released document was signed, for its electronic stamp (FORMAT.md §6): the
    snapshot's ``signed_at`` (ISO text) if recorded, else the time it was released (its audit
    event), else its issue date. ``None`` for a document that is not released."""
    from app.models import AuditEvent, DocumentStatus

    if doc.status != DocumentStatus.RELEASED or doc.number is None:
        return None
    if (doc.snapshot or {}).get("recorded"):  # recorded from a paper original: never signed here
        return None
    raw = (doc.snapshot or {}).get("signed_at")
    if isinstance(raw, str) and raw:
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            pass
    released = db.session.scalar(
        select(AuditEvent.at)
        .where(
            AuditEvent.object_type == "document",
            AuditEvent.object_id == doc.id,
            AuditEvent.action == "release",
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    return released or doc.issued_on
