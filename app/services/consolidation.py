"""Consolidation: adding up a period's reports with each field's rule (``forms.consolidate``),
recording who reported on time, late or not at all, and drafting the consolidated report."""

from __future__ import annotations

from operator import itemgetter
from typing import cast

from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Consolidation,
    Document,
    DocumentKind,
    DocumentStatus,
    FormVersion,
    PeriodStatus,
    Report,
    ReportingPeriod,
    User,
)
from app.services import audit, documents, facts, gcpause, jobs, policy, status
from app.services.exceptions import InvalidInput, NotAllowed
from forms.consolidate import ConsolidationResult, Summary, consolidate


def timeliness_row(st: status.Status, included: bool) -> dict:
    """One agency's line of the timeliness table, from the status module (JSON-able, kept in
    ``Consolidation.results`` and handed to the document)."""
    return {
        "agency_code": st.agency_code,
        "agency_name": st.agency_name,
        "report_status": st.report_status,
        "included": included,
        "timeliness": st.result.value,
        "days": st.days,
        "text": st.text,
        "received": st.received,
        "accepted": st.accepted,
        "returned": st.returned,
        "times_returned": st.times_returned,
        "submitted_at": st.first_submitted_on.isoformat() if st.first_submitted_on else None,
        "due": st.due.isoformat(),
    }


def _added_up(
    period: ReportingPeriod,
    expected_rows: list[tuple[int, str, str]],
    include_statuses: tuple[str, ...],
    *,
    only_these: bool = False,
) -> ConsolidationResult:
    """``forms.consolidate`` over the reports of ``expected_rows``' agencies in ``period``
    (all the period's reports are read, unless ``only_these``: a page's agencies)."""
    plan = period.plan
    expected = {agency_id: (code, name) for agency_id, code, name in expected_rows}
    # plain rows, not ORM objects, and each form version's schema read once (its reports share
    # it, forms.consolidate parses it once)
    rq = select(Report.agency_id, Report.status, Report.data, Report.form_version_id).where(
        Report.period_id == period.id
    )
    if only_these:
        rq = rq.where(Report.agency_id.in_(sorted(expected)))
    reports = db.session.execute(rq).all()
    # the plan's form versions (loaded for its current form anyway); another plan's version
    # (none is expected) is read by id
    schemas: dict[int, dict] = {v.id: v.schema for v in plan.form_versions}
    others = {r.form_version_id for r in reports if r.agency_id in expected} - set(schemas)
    if others:
        for v in db.session.execute(
            select(FormVersion.id, FormVersion.schema).where(FormVersion.id.in_(others))
        ):
            schemas[v.id] = v.schema
    inputs = [
        {
            "agency_code": expected[r.agency_id][0],
            "agency_name": expected[r.agency_id][1],
            "data": r.data,
            "schema": schemas[r.form_version_id],
            "status": r.status,
        }
        for r in reports
        if r.agency_id in expected
    ]
    assert plan.current_form is not None
    return consolidate(
        plan.current_form.schema,
        inputs,
        [{"code": code, "name": name} for _id, code, name in expected_rows],
        include_statuses=include_statuses,
    )


def kept_totals(results: ConsolidationResult) -> dict:
    """What ``period_facts.totals`` keeps of a period's consolidation (JSON): the fields'
    figures without each agency's cell (a page reads its own agencies'), and the forms'
    summary (expected, included)."""
    return {
        "title": results["title"],
        "fields": [{k: v for k, v in f.items() if k != "agencies"} for f in results["fields"]],
        "summary": dict(results["summary"]),
    }


def period_totals(period: ReportingPeriod) -> dict:
    """The consolidated figures of the whole ``period`` (``kept_totals``), from its kept row
    when current (app.services.facts), else added up and kept."""
    return facts.totals(
        period,
        lambda: kept_totals(_added_up(period, status.expected_agencies(period), ("accepted",))),
    )


def _summary(c: status.Counts, included: int) -> Summary:
    return {
        "expected": c.expected,
        "received": c.received,
        "included": included,
        "on_time": c.on_time,
        "late": c.late,
        "overdue": c.overdue,
        "not_yet_due": c.not_yet_due,
        "missing": c.expected - c.received,
        "returned": c.returned,
    }


def compute(
    period: ReportingPeriod,
    include_statuses: tuple[str, ...] = ("accepted",),
    *,
    page: tuple[int, int] | None = None,
) -> ConsolidationResult:
    """The consolidated figures of ``period`` as of now (nothing stored). Who reported on time,
    late or not at all is the status module's (``results["agencies"]``, ``["summary"]``).

    With ``page`` (number, rows per page: the page's table of agencies in assignment order; a
    number past the end is the last page) only that page's agencies are decided and listed in
    ``results["agencies"]`` and in each field's ``agencies`` (``agencies_total`` and
    ``agencies_page`` say how many there are and which page it is); the figures and the summary
    are the whole period's, read from its kept facts (``period_totals``, ``facts.counts``:
    computed again only when a write changed the period, or the day changed)."""
    if page is not None:
        # a page reads the kept figures, which are those of the accepted reports
        if include_statuses != ("accepted",):
            raise ValueError("a page of the consolidation adds up accepted reports only")
        return _page(period, page)
    # the cyclic collector paused (``gcpause``): adding up builds a dict per field and agency,
    # none of them a cycle, and the collector's scans of them were a third of the work
    with gcpause.paused():
        return _whole(period, include_statuses)


def _whole(period: ReportingPeriod, include_statuses: tuple[str, ...]) -> ConsolidationResult:
    """:func:`compute` of the whole period: every agency decided and listed."""
    expected_rows = status.expected_agencies(period)
    results = _added_up(period, expected_rows, include_statuses)
    included = {a["agency_code"] for a in results["agencies"] if a.get("included")}
    statuses = status.for_period(period)
    c = status.count(statuses)
    results["agencies"] = [timeliness_row(st, st.agency_code in included) for st in statuses]
    results["summary"] = _summary(c, len(included))
    return results


def _page(period: ReportingPeriod, page: tuple[int, int]) -> ConsolidationResult:
    """``compute`` of one page of agencies: the whole period's figures and counts from its kept
    facts, the page's own agencies' cells and statuses (a constant amount of work whatever the
    number of agencies, but for the listed texts and rows, which are the period's)."""
    c = facts.counts([period]).get(period.id, status.Counts())
    totals = period_totals(period)
    number, per_page = page
    number = max(1, min(number, -(-c.expected // per_page)))
    rows = status.expected_agencies(period, limit=per_page, offset=(number - 1) * per_page)
    own = _added_up(period, rows, ("accepted",), only_these=True)
    included = {a["agency_code"] for a in own["agencies"] if a.get("included")}
    fields = [dict(f, agencies=own["by_name"][f["name"]]["agencies"]) for f in totals["fields"]]
    ids = [agency_id for agency_id, _c, _n in rows]
    decided = status.for_periods([period], agency_ids=ids)
    statuses = [decided[(period.id, i)] for i in ids if (period.id, i) in decided]
    return cast(
        ConsolidationResult,
        {
            "title": totals["title"],
            "fields": fields,
            "by_name": {f["name"]: f for f in fields},
            "agencies": [timeliness_row(st, st.agency_code in included) for st in statuses],
            "summary": _summary(c, int(totals["summary"].get("included") or 0)),
            "agencies_total": c.expected,
            "agencies_page": number,
        },
    )


STORED_FORMAT = 2  # ``Consolidation.results["format"]``; rows without it are the first format
_VALUE, _DISPLAY, _MET = itemgetter("value"), itemgetter("display"), itemgetter("met")


def stored(results: ConsolidationResult) -> dict:
    """``results`` as ``Consolidation.results`` keeps them (JSON), slimmed: without
    ``by_name`` (every field again), and each field's per-agency entries not as a dict per
    agency repeating its code and name (at 10,000 agencies × 13 fields most of the JSON
    written and read back) but as columns — ``values``, ``displays`` and, where a value was
    compared with a target, ``met`` — in the order of one list of the agencies
    (``agency_list``: [code, name]). :func:`from_stored` gives the same result back, and still
    reads the first format (a dict per agency, no ``format`` key)."""
    out: dict = {
        k: v
        for k, v in results.items()
        if k not in ("by_name", "agencies_total", "agencies_page", "fields")
    }
    fields = results.get("fields") or []
    # read by itemgetter over each field's list (C, not a Python loop per agency)
    names = itemgetter("agency_code", "agency_name")
    order: list[tuple[str, str]] = list(map(names, fields[0]["agencies"])) if fields else []
    slim = []
    for f in fields:
        per = f["agencies"]
        if list(map(names, per)) != order:
            slim.append(dict(f))  # not in the common order (never from ``compute``): as it is
            continue
        entry: dict = {k: v for k, v in f.items() if k != "agencies"}
        entry["values"] = list(map(_VALUE, per))
        entry["displays"] = list(map(_DISPLAY, per))
        met = list(map(_MET, per))
        if met.count(None) != len(met):
            entry["met"] = met
        slim.append(entry)
    out["format"] = STORED_FORMAT
    out["agency_list"] = [list(a) for a in order]
    out["fields"] = slim
    return out


def from_stored(data: dict) -> ConsolidationResult:
    """A stored consolidation (``Consolidation.results``, either format) as the
    ConsolidationResult :func:`compute` gave."""
    out = dict(data)
    if out.pop("format", None) is not None:
        order = out.pop("agency_list", None) or []
        fields = []
        for f in out.get("fields") or []:
            if "agencies" in f:
                fields.append(f)
                continue
            entry = {k: v for k, v in f.items() if k not in ("values", "displays", "met")}
            met = f.get("met") or [None] * len(order)
            entry["agencies"] = [
                {"agency_code": a[0], "agency_name": a[1], "value": v, "display": d, "met": m}
                for a, v, d, m in zip(order, f["values"], f["displays"], met, strict=True)
            ]
            fields.append(entry)
        out["fields"] = fields
    out["by_name"] = {f["name"]: f for f in out.get("fields") or []}
    return cast(ConsolidationResult, out)


def _require_standing(period: ReportingPeriod, actor: User) -> None:
    policy.require(actor, "consolidation.run", period)


def consolidate_period(
    period: ReportingPeriod, actor: User, narrative: str | None = None
) -> Consolidation:
    """Store the consolidation of ``period`` (replacing an earlier one) and audit it."""
    _require_standing(period, actor)
    return record(period, actor, narrative)


def record(
    period: ReportingPeriod, actor: User | None, narrative: str | None = None
) -> Consolidation:
    """:func:`consolidate_period` once its caller has checked the actor may (the worker's job
    for a draft asked from the page, :func:`draft_consolidated_report`)."""
    results = compute(period)
    row = db.session.scalar(select(Consolidation).where(Consolidation.period_id == period.id))
    if row is None:
        row = Consolidation(plan_id=period.plan_id, period_id=period.id)
        db.session.add(row)
    row.results = stored(results)
    row.narrative = narrative
    row.created_by_id = actor.id if actor is not None else None
    db.session.flush()
    audit.record(
        actor,
        row,
        "consolidate",
        plan_id=period.plan_id,
        data={"summary": results["summary"], "period": period.key},
    )
    return row


def consolidated_documents(period: ReportingPeriod) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.period_id == period.id, Document.kind == DocumentKind.CONSOLIDATED)
            .order_by(Document.id)
        )
    )


def draft_refusal(
    period: ReportingPeriod, actor: User | None, docs: list[Document] | None = None
) -> str | None:
    """Why the consolidated report of ``period`` cannot be drafted now (a sentence saying what
    must happen first and who does it), or None. The order (docs/status.md): the round is
    closed first — by the standing agency's specialist, or by itself when every report is
    accepted — then the consolidated report is drafted, signed and released; releasing it
    consolidates the round. One consolidated report per period: once one has gone for
    signature, no other is drafted."""
    reason = policy.refusal(actor, "consolidation.draft", period)
    if reason is not None:
        return reason
    if period.status in (PeriodStatus.PENDING, PeriodStatus.OPEN):
        return gettext(
            "Kỳ báo cáo chưa khóa sổ: chuyên viên cơ quan thường trực khóa sổ kỳ báo cáo trên "
            "trang kế hoạch (sau hạn gửi, hoặc tự động khi mọi báo cáo đã được chấp nhận), rồi "
            "tạo báo cáo tổng hợp."
        )
    if period.status == PeriodStatus.CONSOLIDATED:
        return gettext("Báo cáo tổng hợp của kỳ này đã được ban hành.")
    docs = consolidated_documents(period) if docs is None else docs
    if any(d.status != DocumentStatus.DRAFT for d in docs):
        return gettext("Báo cáo tổng hợp của kỳ này đã được trình ký; không tạo thêm dự thảo khác.")
    return None


def draft_consolidated_report(
    period: ReportingPeriod, actor: User, *, in_worker: bool = False
) -> Document:
    """Consolidate and draft the Báo cáo tổng hợp for signature by the standing agency (only
    when ``draft_refusal`` is None).

    With ``in_worker`` (the page, when a worker queue is configured) the request only records
    the draft: adding up every agency's report (seconds at thousands of agencies) is the
    worker's job (``worker.jobs.consolidate_document``), which then renders the draft; the
    document page shows the progress. Otherwise (no queue, the demo, scripts) it is done here.
    """
    reason = draft_refusal(period, actor)
    if reason is not None:
        if policy.refusal(actor, "consolidation.draft", period) is not None:
            raise NotAllowed(reason)
        raise InvalidInput(reason)
    _require_standing(period, actor)
    in_worker = in_worker and jobs.get_queue() is not None
    if not in_worker:
        record(period, actor)
    plan = period.plan
    title = f"Kết quả thực hiện Kế hoạch {plan.symbol or ''} {period.label.lower()}".replace(
        "  ", " "
    )
    if plan.symbol:
        title = f"Kết quả thực hiện Kế hoạch số {plan.symbol} ({period.label.lower()})"
    else:
        title = f"Kết quả thực hiện Kế hoạch {plan.title} ({period.label.lower()})"
    doc = documents.create_document(
        DocumentKind.CONSOLIDATED,
        plan.standing_agency,
        title,
        actor,
        plan=plan,
        period=period,
        render=not in_worker,
    )
    if in_worker:
        doc.render_state, doc.render_progress, doc.render_error = "queued", 0, None
        jobs.enqueue_after_commit(
            "worker.jobs.consolidate_document",
            doc.id,
            actor.id,
            job_id=f"consolidate-doc-{doc.id}",
            retry_max=3,
            job_timeout=900,
        )
    return doc
