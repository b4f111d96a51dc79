"""What waits for a user: one work queue per hand-over, for every role.

Each queue is one SQL query (scoped like the pages, by role and agency) that selects exactly the
items this user can act on now: the states the item's trigger fires from, the workflow's guards
and the permission policy, written in SQL next to them (``flows.report_where``,
``flows.document_where``, ``policy.where``; the lock from ``status.locked``). The navigation's
counts are one statement for all queues (``counts``, each up to ``CAP + 1``), and the home page
shows the first items of each (``items``) with since when it waits, its due date and the one
button that moves it on: the count and the list are the same query, so they cannot disagree,
and no flow or status is computed for a row that is not shown.
tests/dashboard/test_queue_sql.py proves the SQL equal to the policy and the flows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import (
    AsBoolean,
    BinaryExpression,
    BooleanClauseList,
    False_,
    Grouping,
)
from sqlalchemy.sql.selectable import ScalarSelect

from app import observability
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
from app.services import clock, flows, policy, status
from app.services.wording import plan_name, report_name
from app.ui import N_

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


# -- the queries (each a SELECT of exactly the items the user can act on; counts use the same) --


def _report_q(user: User) -> Select:
    """Open rounds of plans assigning the user's agency, whose report is not yet submitted (no
    report, draft or returned) and that the user may start or edit now (``reports.can_edit``:
    the policy's ``report.edit``, an open round, not locked for the agency): as (period,
    assignment, report or None)."""
    lk = status.locked(ReportingPeriod.status == PeriodStatus.OPEN, user.agency_id)
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
                Report.id.is_(None),
                and_(
                    Report.status.in_([ReportStatus.DRAFT, ReportStatus.RETURNED]),
                    policy.where(user, "report.edit"),
                ),
            ),
            ~exists().where(
                lk.c.period_id == ReportingPeriod.id, lk.c.agency_id == Assignment.agency_id
            ),
        )
        .order_by(ReportingPeriod.due_on, ReportingPeriod.id)
    )


def _approve_q(user: User) -> Select:
    """Reports the agency leader may "approve" now (ReportFlow: awaiting approval, their
    agency's, the round open and not locked)."""
    return select(Report).where(flows.report_where(user, "approve")).order_by(Report.updated_at)


def _review_q(user: User) -> Select:
    """Reports the specialist may "accept" (or return) now: submitted, of a plan whose standing
    agency is theirs (policy ``report.review``, ReportFlow's guard)."""
    return (
        select(Report)
        .where(flows.report_where(user, "accept"))
        .order_by(Report.submitted_at, Report.id)
    )


def _extension_q(user: User) -> Select:
    """Pending extension requests the user may decide (policy ``extension.decide``)."""
    return (
        select(Extension)
        .where(
            Extension.status == ExtensionStatus.PENDING,
            policy.where(user, "extension.decide@extension"),
        )
        .order_by(Extension.id)
    )


def _doc_q(user: User, trigger: str) -> Select:
    """Documents on which the user may fire ``trigger`` now (DocumentFlow and the policy)."""
    return select(Document).where(flows.document_where(user, trigger)).order_by(Document.id)


def _last_action():  # noqa: ANN202
    """Per document, the id of its latest audit event."""
    return (
        select(AuditEvent.object_id, func.max(AuditEvent.id).label("last_id"))
        .where(AuditEvent.object_type == "document")
        .group_by(AuditEvent.object_id)
        .subquery()
    )


def _redraft_q(user: User) -> Select:
    """Drafts this user made that the signer sent back (their latest event is a decline) and
    that the user may send for signature again (policy ``document.request_signature``)."""
    last = _last_action()
    return (
        select(Document)
        .join(last, last.c.object_id == Document.id)
        .join(AuditEvent, AuditEvent.id == last.c.last_id)
        .where(
            Document.created_by_id == user.id,
            Document.status == DocumentStatus.DRAFT,
            AuditEvent.action == "decline",
            policy.where(user, "document.request_signature"),
        )
        .order_by(Document.id)
    )


QUERIES = {
    "report": _report_q,
    "approve": _approve_q,
    "review": _review_q,
    "extension": _extension_q,
    "sign": lambda u: _doc_q(u, "sign"),
    "number": lambda u: _doc_q(u, "release"),
    "redraft": _redraft_q,
}


def queues(user: User) -> list[str]:
    """The queues ``user``'s roles give them, in the home page's order."""
    roles = {
        "report": ("reporter",),
        "approve": ("agency_leader",),
        "review": ("specialist",),  # report.review: the standing agency's specialists only
        "extension": ("specialist", "admin"),
        "sign": ("signer", "agency_leader"),
        "number": ("clerk",),
        "redraft": ("specialist", "clerk", "signer", "admin"),
    }
    return [name for name, r in roles.items() if user.has_role(*r)]


def _queries(user: User) -> dict[str, Select]:
    """The queries of ``user``'s queues that can hold an item, built once per request (a lock's
    query reads the calendar offsets) and, where building one reads nothing but the user, once
    per user and day (:func:`_built`). A queue whose query the policy makes empty whatever the
    data (:func:`never`: an admin who is not a specialist decides no extension) is left out:
    it counts 0 without a statement."""
    cache = _request_cache(user)
    if "queries" not in cache:
        cache["queries"] = {
            name: q for name, q in _built(user).items() if q is not None and not never(q)
        }
    result: dict[str, Select] = cache["queries"]
    return result


# Queries built from the user alone (their id, agency, roles, active flag) and the day: kept per
# process, as a compiled template is, so that the navigation of every page does not build the
# same SQL expressions again (~3 ms of a page's CPU). A query whose building sent SQL (a lock's
# due-date offsets, read from the data) is never kept: it is built again on every request.
_BUILT: dict[tuple, dict[str, Select | None]] = {}
_BUILT_MAX = 2048


def _user_key(user: User) -> tuple:
    return (user.id, user.agency_id, user.roles_text, bool(user.active), clock.today())


def _built(user: User) -> dict[str, Select | None]:
    key = _user_key(user)
    kept = _BUILT.get(key)
    if kept is not None:
        fresh = {name: QUERIES[name](user) for name, q in kept.items() if q is None}
        return {name: fresh.get(name, q) for name, q in kept.items()}
    out: dict[str, Select | None] = {}
    keep: dict[str, Select | None] = {}
    for name in queues(user):
        before = observability.queries()
        q = QUERIES[name](user)
        out[name] = q
        keep[name] = q if observability.queries() == before else None
    if len(_BUILT) >= _BUILT_MAX:
        _BUILT.clear()
    _BUILT[key] = keep
    return out


def never(q: Select) -> bool:
    """True when ``q`` selects nothing whatever the data: its WHERE holds a constant false
    (``policy.where`` for a user the rule refuses whatever the object) as a conjunct, or as the
    condition of a subquery a conjunct requires membership of (``x IN (SELECT … WHERE
    false)``). False when in doubt."""
    return _never_clause(q.whereclause)


def _never_clause(clause: Any) -> bool:
    if clause is None:
        return False
    if isinstance(clause, False_):
        return True
    if isinstance(clause, AsBoolean):
        return isinstance(clause.element, False_) and clause.operator is operators.is_true
    if isinstance(clause, Grouping):
        return _never_clause(clause.element)
    if isinstance(clause, BooleanClauseList):
        return clause.operator is operators.and_ and any(_never_clause(c) for c in clause.clauses)
    if isinstance(clause, BinaryExpression) and clause.operator is operators.in_op:
        right: Any = clause.right
        while isinstance(right, Grouping | ScalarSelect):
            right = right.element
        return isinstance(right, Select) and _never_clause(right.whereclause)
    return False


CAP = 100  # a queue counts up to this and one more: 101 is shown "100+" (:func:`badge`)


def counts(user: User) -> dict[str, int]:
    """Queue → how many items wait (up to ``CAP + 1``): the number of items :func:`items`
    lists (the same query, so the badge never counts what the queue hides: a locked round, a
    report this user may not edit, a document whose action the policy refuses). One statement
    for all queues, once per request."""
    cache = _request_cache(user)
    if "counts" not in cache:
        qs = _queries(user)
        if not qs:
            cache["counts"] = {name: 0 for name in queues(user)}
        else:
            capped = [
                select(func.count())
                .select_from(q.order_by(None).limit(CAP + 1).subquery())
                .scalar_subquery()
                .label(name)
                for name, q in qs.items()
            ]
            row: Sequence[Any] = db.session.execute(select(*capped)).one()
            got = {name: int(n or 0) for name, n in zip(qs, row, strict=True)}
            cache["counts"] = {name: got.get(name, 0) for name in queues(user)}
    result: dict[str, int] = cache["counts"]
    return result


def _request_cache(user: User) -> dict[str, Any]:
    """What this request already asked about ``user`` (the navigation and the home page read
    the same). On the request, not on ``g``: an application context may outlive a request."""
    if not has_request_context():
        return {}
    per_user = request.__dict__.setdefault("_workqueue", {})
    cache: dict[str, Any] = per_user.setdefault(user.id, {})
    return cache


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
    """Queue → its first ``limit`` items, oldest first: the rows of the queue's query (those
    this user can act on now, as :func:`counts` counts them). A bounded number of queries; due
    dates are decided for the shown rows only."""
    qs = _queries(user)
    return {
        name: _build(user, name, qs[name].limit(limit)) if name in qs else []
        for name in queues(user)
    }


def _build(user: User, name: str, q: Select) -> list[WorkItem]:
    """The work items of the rows of queue ``name`` (query ``q``, already limited). Due dates
    come from the status module for all rows at once, related rows are loaded eagerly, and
    "since" is one query."""
    rows: list[WorkItem] = []
    if name == "report":
        triples: list[tuple[ReportingPeriod, Assignment, Report | None]] = [
            (row[0], row[1], row[2])
            for row in db.session.execute(
                q.options(selectinload(ReportingPeriod.plan).defer(Plan.definition))
            ).all()
        ]
        st = status.for_periods(
            list({p.id: p for p, _a, _r in triples}.values()), agency_id=user.agency_id
        )
        since_r = _since("report", [r.id for _p, _a, r in triples if r is not None])
        for period, a, r in triples:
            s_ = st.get((period.id, a.agency_id))
            due = s_.due if s_ is not None else period.due_on
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
        waiting = list(
            db.session.scalars(
                q.options(
                    selectinload(Report.agency),
                    selectinload(Report.plan).defer(Plan.definition),
                    selectinload(Report.period),
                )
            )
        )
        st = status.for_periods(
            list({r.period_id: r.period for r in waiting}.values()),
            agency_ids={r.agency_id for r in waiting},
        )
        since_w = _since("report", [r.id for r in waiting])
        for r in waiting:
            s_ = st.get((r.period_id, r.agency_id))
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
        exts = db.session.scalars(
            q.options(
                selectinload(Extension.agency),
                selectinload(Extension.period)
                .selectinload(ReportingPeriod.plan)
                .defer(Plan.definition),
            )
        )
        for e in exts:
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
                    extra={"extension_id": e.id},
                )
            )
    else:
        action_name, label = {
            "sign": ("request_signature", N_("Xem và ký")),
            "number": ("sign", N_("Vào số, phát hành")),
            "redraft": ("decline", N_("Sửa dự thảo")),
        }[name]
        docs = list(db.session.scalars(q.options(selectinload(Document.agency))))
        since = _since("document", [d.id for d in docs], action_name)
        for d in docs:
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
    return rows
