"""What waits for a user: one work queue per hand-over, for every role.

Each queue is one SQL query (scoped like the pages, by role and agency); the home page shows the
first items of each with since when it waits, its due date and the one button that moves it on,
and the navigation shows the counts (``counts``: one COUNT per queue the user has). An item is
shown only if the permission policy (``app.services.policy``) lets this user take its action,
and the workflow allows it in the item's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Assignment,
    AuditEvent,
    Document,
    DocumentStatus,
    Extension,
    ExtensionStatus,
    PeriodStatus,
    Plan,
    PlanStatus,
    Report,
    ReportingPeriod,
    ReportStatus,
    User,
)
from app.services import documents, policy, reports, status
from app.services.wording import plan_name, report_name
from app.ui import N_
from workflows import DocumentFlow, ReportFlow

SHOWN = 10  # items per queue on the home page; the count covers them all

QUEUE_LABELS = {
    "report": N_("Báo cáo cần lập hoặc sửa"),
    "approve": N_("Báo cáo chờ lãnh đạo cơ quan duyệt"),
    "review": N_("Báo cáo chờ xem xét"),
    "extension": N_("Đề nghị gia hạn chờ quyết định"),
    "sign": N_("Văn bản chờ ký"),
    "number": N_("Văn bản đã ký chờ vào số, phát hành"),
    "redraft": N_("Dự thảo bị trả lại chờ sửa"),
}


@dataclass
class WorkItem:
    queue: str
    title: str
    detail: str
    since: datetime | date | None
    due: date | None
    endpoint: str  # where the button goes (url_for endpoint and arguments)
    args: dict[str, Any]
    action: str  # the button's label
    post: bool = False  # the button is a form (POST) rather than a link
    extra: dict[str, Any] = field(default_factory=dict)


# -- the queries (each a SELECT of the objects waiting; counts use the same) -------------------


def _report_q(user: User) -> Select:
    """Open rounds of plans assigning the user's agency, whose report is not yet submitted (no
    report, draft or returned): as (period, assignment, report or None)."""
    return (
        select(ReportingPeriod, Assignment, Report)
        .join(Assignment, Assignment.plan_id == ReportingPeriod.plan_id)
        .join(Plan, Plan.id == ReportingPeriod.plan_id)
        .outerjoin(
            Report,
            and_(Report.period_id == ReportingPeriod.id, Report.agency_id == Assignment.agency_id),
        )
        .where(
            Assignment.agency_id == user.agency_id,
            Assignment.reports.is_(True),
            Plan.status.in_([PlanStatus.IN_PROGRESS, PlanStatus.ISSUED]),
            ReportingPeriod.status == PeriodStatus.OPEN,
            or_(
                Report.id.is_(None), Report.status.in_([ReportStatus.DRAFT, ReportStatus.RETURNED])
            ),
        )
        .order_by(ReportingPeriod.due_on, ReportingPeriod.id)
    )


def _approve_q(user: User) -> Select:
    return (
        select(Report)
        .where(Report.agency_id == user.agency_id, Report.status == ReportStatus.AWAITING_APPROVAL)
        .order_by(Report.updated_at)
    )


def _review_q(user: User) -> Select:
    q = select(Report).join(Plan, Plan.id == Report.plan_id)
    # the rows policy "report.review" lets this user act on, chosen in SQL (the walk would
    # otherwise read chunk after chunk of reports an administrator may only look at)
    q = q.where(Report.status == ReportStatus.SUBMITTED, Plan.standing_agency_id == user.agency_id)
    return q.order_by(Report.submitted_at, Report.id)


def _extension_q(user: User) -> Select:
    q = select(Extension).join(Plan, Plan.id == Extension.plan_id)
    q = q.where(Extension.status == ExtensionStatus.PENDING)
    if not user.has_role("admin"):
        q = q.where(Plan.standing_agency_id == user.agency_id)
    return q.order_by(Extension.id)


def _doc_q(user: User, status: str) -> Select:
    return (
        select(Document)
        .where(Document.agency_id == user.agency_id, Document.status == status)
        .order_by(Document.id)
    )


def _last_action():  # noqa: ANN202
    """Per document, the id of its latest audit event."""
    return (
        select(AuditEvent.object_id, func.max(AuditEvent.id).label("last_id"))
        .where(AuditEvent.object_type == "document")
        .group_by(AuditEvent.object_id)
        .subquery()
    )


def _redraft_q(user: User) -> Select:
    """Drafts this user made that the signer sent back (their latest event is a decline)."""
    last = _last_action()
    return (
        select(Document)
        .join(last, last.c.object_id == Document.id)
        .join(AuditEvent, AuditEvent.id == last.c.last_id)
        .where(
            Document.created_by_id == user.id,
            Document.status == DocumentStatus.DRAFT,
            AuditEvent.action == "decline",
        )
        .order_by(Document.id)
    )


def _queries(user: User) -> dict[str, Select]:
    out: dict[str, Select] = {}
    if user.has_role("reporter"):
        out["report"] = _report_q(user)
    if user.has_role("agency_leader"):
        out["approve"] = _approve_q(user)
    if user.has_role("specialist"):  # report.review: the standing agency's specialists only
        out["review"] = _review_q(user)
    if user.has_role("specialist", "admin"):
        out["extension"] = _extension_q(user)
    if user.has_role("signer", "agency_leader"):
        out["sign"] = _doc_q(user, DocumentStatus.AWAITING_SIGNATURE)
    if user.has_role("clerk"):
        out["number"] = _doc_q(user, DocumentStatus.SIGNED)
    if user.has_role("specialist", "clerk", "signer", "admin"):
        out["redraft"] = _redraft_q(user)
    return out


CAP = 100  # a queue counts up to this and one more: 101 is shown "100+" (:func:`badge`)


def counts(user: User) -> dict[str, int]:
    """Queue → how many items wait (up to ``CAP + 1``): the number of items :func:`items`
    lists (the same walk, so the badge never counts what the queue hides: a locked round, a
    report this user may not edit, a document whose action the policy refuses)."""
    return {name: n for name, (_items, n) in _walked(user).items()}


def badge(counts: dict[str, int], *queues: str, shown: int = 0) -> str:
    """The count of ``queues`` (all when none named) less the ``shown`` items: "" when none,
    "7", or "100+" when a queue has more than :data:`CAP` items."""
    names = queues or tuple(counts)
    more = any(counts.get(q, 0) > CAP for q in names)
    n = sum(counts.get(q, 0) for q in names) - shown - (1 if more else 0)
    return "" if n <= 0 else f"{n}+" if more else str(n)


# -- the items ---------------------------------------------------------------------------------


def since_of(object_type: str, ids: list[int]) -> dict[int, datetime]:
    """When each object got where it waits (its latest audit event)."""
    return _since(object_type, ids)


def _since(object_type: str, ids: list[int], action: str | None = None) -> dict[int, datetime]:
    """When each object got where it waits: its latest audit event (of ``action`` if given),
    on the services' clock. One query for the whole list."""
    if not ids:
        return {}
    q = select(AuditEvent.object_id, func.max(AuditEvent.at)).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id.in_(ids)
    )
    if action:
        q = q.where(AuditEvent.action == action)
    rows = db.session.execute(q.group_by(AuditEvent.object_id)).all()
    return {oid: at for oid, at in rows}


def items(user: User, limit: int = SHOWN) -> dict[str, list[WorkItem]]:
    """Queue → its first ``limit`` (at most ``CAP + 1``) items, oldest first, those this user
    can act on now. A bounded number of queries (see :func:`_walk`)."""
    return {name: found[:limit] for name, (found, _n) in _walked(user).items()}


def _walked(user: User) -> dict[str, tuple[list[WorkItem], int]]:
    """Every queue of ``user`` walked once per request (the navigation and the home page read
    the same result)."""
    # on the request, not on ``g``: an application context may outlive a request
    cache = request.__dict__.setdefault("_workqueue", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = {name: _walk(user, name, q) for name, q in _queries(user).items()}
    result: dict[str, tuple[list[WorkItem], int]] = cache[user.id]
    return result


CHUNK = CAP + 1  # rows read at a time: a full chunk of actionable items is enough for the badge
MAX_CHUNKS = 3  # then the count is "at least" (items the user cannot act on are rare)


def _walk(user: User, name: str, q: Select) -> tuple[list[WorkItem], int]:
    """The items of queue ``name`` this user can act on, oldest first, and their number (up to
    ``CAP + 1``): the query's rows read a chunk at a time and kept when the policy, the
    workflow and the status module (locks) let the user act — the same filter for the list and
    for the count. At most :data:`MAX_CHUNKS` chunks, each a fixed number of queries."""
    found: list[WorkItem] = []
    for k in range(MAX_CHUNKS):
        rows, n_rows = _build(user, name, q.offset(k * CHUNK).limit(CHUNK))
        found.extend(rows)
        if n_rows < CHUNK or len(found) > CAP:
            break
    return found[: CAP + 1], min(len(found), CAP + 1)


def _build(user: User, name: str, q: Select) -> tuple[list[WorkItem], int]:
    """The work items of one chunk of queue ``name`` (query ``q``) and how many rows it read.
    Due dates and locks come from the status module for all rows at once, related rows are
    loaded eagerly, and "since" is one query."""
    n_rows = 0
    rows: list[WorkItem] = []
    if name == "report":
        triples: list[tuple[ReportingPeriod, Assignment, Report | None]] = [
            (row[0], row[1], row[2])
            for row in db.session.execute(
                q.options(selectinload(ReportingPeriod.plan).defer(Plan.definition))
            ).all()
        ]
        n_rows = len(triples)
        st = status.for_periods(
            list({p.id: p for p, _a, _r in triples}.values()), agency_id=user.agency_id
        )
        since_r = _since("report", [r.id for _p, _a, r in triples if r is not None])
        for period, a, r in triples:
            s_ = st.get((period.id, a.agency_id))
            due = s_.due if s_ is not None else period.due_on
            if s_ is not None and s_.locked:
                continue  # locked for the agency: nothing to start or edit until reopened
            if r is not None and not reports.can_edit(user, r, s_):
                continue
            if r is None:
                rows.append(
                    WorkItem(
                        name,
                        report_name(period),
                        plan_name(period.plan),
                        period.starts_on,
                        due,
                        "reports.start",
                        {"period_id": period.id},
                        N_("Lập báo cáo"),
                        post=True,
                    )
                )
            else:
                returned = r.status == ReportStatus.RETURNED
                rows.append(
                    WorkItem(
                        name,
                        report_name(period),
                        plan_name(period.plan)
                        + (f" — bị trả lại: {r.return_reason}" if returned else ""),
                        since_r.get(r.id, r.updated_at),
                        due,
                        "reports.edit",
                        {"report_id": r.id},
                        N_("Sửa và gửi lại") if returned else N_("Tiếp tục soạn"),
                    )
                )
    elif name in ("approve", "review"):
        trigger = "approve" if name == "approve" else "accept"
        waiting = list(
            db.session.scalars(
                q.options(
                    selectinload(Report.agency),
                    selectinload(Report.plan),
                    selectinload(Report.period),
                )
            )
        )
        n_rows = len(waiting)
        st = status.for_periods(
            list({r.period_id: r.period for r in waiting}.values()),
            agency_ids={r.agency_id for r in waiting},
        )
        since_w = _since("report", [r.id for r in waiting])
        for r in waiting:
            s_ = st.get((r.period_id, r.agency_id))
            if name == "review" and not policy.can(user, "report.review", r):
                continue
            flow = ReportFlow(
                r,
                user,
                standing_agency_id=r.plan.standing_agency_id,
                period_open=r.period.status == PeriodStatus.OPEN,
                locked=bool(s_ and s_.locked),
            )
            if not flow.can(trigger):
                continue
            rows.append(
                WorkItem(
                    name,
                    f"{report_name(r)} — {r.agency.display_name}",
                    plan_name(r.plan),
                    since_w.get(r.id, r.submitted_at or r.updated_at),
                    s_.due if s_ is not None else r.period.due_on,
                    "reports.show",
                    {"report_id": r.id},
                    N_("Duyệt và gửi") if name == "approve" else N_("Xem xét"),
                )
            )
    elif name == "extension":
        exts = list(
            db.session.scalars(
                q.options(
                    selectinload(Extension.agency),
                    selectinload(Extension.period).selectinload(ReportingPeriod.plan),
                )
            )
        )
        n_rows = len(exts)
        for e in exts:
            if not policy.can(user, "extension.decide", e.period):
                continue
            rows.append(
                WorkItem(
                    name,
                    f"{e.agency.display_name}: {report_name(e.period)}",
                    plan_name(e.period.plan),
                    e.created_at,
                    e.requested_due,
                    "dashboard.extensions",
                    {},
                    N_("Quyết định"),
                )
            )
    else:
        trigger, action_name, label, permission = {
            "sign": ("sign", "request_signature", N_("Xem và ký"), "document.sign"),
            "number": ("release", "sign", N_("Vào số, phát hành"), "document.release"),
            "redraft": (
                "request_signature",
                "decline",
                N_("Sửa dự thảo"),
                "document.request_signature",
            ),
        }[name]
        docs = list(db.session.scalars(q.options(selectinload(Document.agency))))
        n_rows = len(docs)
        since = _since("document", [d.id for d in docs], action_name)
        for d in docs:
            if not policy.can(user, permission, d):
                continue
            flow_d: DocumentFlow = documents.document_flow(d, user)
            if name != "redraft" and not flow_d.can(trigger):
                continue
            rows.append(
                WorkItem(
                    name,
                    d.title,
                    d.agency.display_name,
                    since.get(d.id, d.created_at),
                    None,
                    "documents.show",
                    {"doc_id": d.id},
                    label,
                )
            )
    return rows, n_rows
