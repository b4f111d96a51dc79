"""Firing a workflow trigger on a row: the machine decides, this writes the audit event; and the
flows' questions in SQL for the work queues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, exists, false, select

from app.models import Document, PeriodStatus, Report, ReportingPeriod, User
from app.services import audit, policy, status
from workflows import DocumentFlow, ReportFlow
from workflows.base import Flow


def fire(
    flow: Flow,
    trigger: str,
    actor: User | None,
    *,
    comment: str | None = None,
    plan_id: int | None = None,
    data: dict | None = None,
) -> tuple[str, str]:
    """Fire ``trigger`` (raises ``TransitionRefused`` with the reason) and audit it."""
    before, after = flow.fire(trigger)
    audit.record(
        actor,
        flow.subject,
        trigger,
        from_state=before,
        to_state=after,
        comment=comment,
        plan_id=plan_id,
        data=data,
    )
    return before, after


def actions(flow: Flow) -> list[dict[str, Any]]:
    """The triggers the actor may fire now, with labels, for the UI."""
    return [{"trigger": t, "label": flow.TRIGGER_LABELS.get(t, t)} for t in flow.allowed_triggers()]


# -- the flows' questions in SQL ---------------------------------------------------------------
#
# A work queue lists the rows on which a trigger may fire for the user (the report waiting for
# "accept", the document waiting for "sign"). It asks the database, not one flow per row: the
# states the trigger fires from (``Flow.sources``) and each of its guards (``Flow.guards``)
# written as a clause on the row's table, with the facts the application gives the flow (the
# standing agency, whether the round is open, the agency's lock). A guard with no SQL here is a
# KeyError: a new question in a table cannot be forgotten by the queues.
# tests/dashboard/test_queue_sql.py proves the SQL equal to ``Flow.can`` on random worlds.


def _report_locked(user: User | None) -> Any:
    """Reports whose period is locked for their agency (``Status.locked``). Only the user's
    agency's are looked at when they have one: every trigger guarded by the lock is also
    guarded by "the actor is of the report's agency", so no other agency's lock can matter."""
    agency_id = user.agency_id if user is not None else None
    periods = ReportingPeriod.id.in_(
        select(Report.period_id).where(Report.agency_id == agency_id)
        if agency_id is not None
        else select(Report.period_id)
    )
    lk = status.locked(periods, agency_id)
    return exists().where(lk.c.period_id == Report.period_id, lk.c.agency_id == Report.agency_id)


def _actor(user: User | None, action: str) -> Any:
    """An actor guard: the policy's rule for the action (a flow's actor guards never let the
    system, no actor, act)."""
    return policy.where(user, action) if user is not None else false()


REPORT_GUARDS: dict[str, Callable[[User | None], Any]] = {
    # the facts ``reports`` gives ReportFlow: standing_agency_id = the plan's, period_open, locked
    "is_actor_agency_reporter": lambda u: _actor(u, "report.submit"),
    "is_actor_agency_leader": lambda u: _actor(u, "report.approve"),
    "is_actor_standing_specialist": lambda u: _actor(u, "report.review"),
    "is_round_open": lambda u: Report.period_id.in_(
        select(ReportingPeriod.id).where(ReportingPeriod.status == PeriodStatus.OPEN)
    ),
    "is_not_locked": lambda u: ~_report_locked(u),
}
DOCUMENT_GUARDS: dict[str, Callable[[User | None], Any]] = {
    # DocumentFlow's drafter facts come from policy.drafters: the same rule
    "is_actor_drafter": lambda u: _actor(u, "document.request_signature"),
    "is_actor_signer": lambda u: _actor(u, "document.sign"),
    "is_actor_clerk": lambda u: _actor(u, "document.release"),
}


def report_where(user: User | None, trigger: str) -> Any:
    """The reports on which ``ReportFlow(report, user, …).can(trigger)`` holds and the policy
    allows the action behind it (``policy.TRANSITIONS``: the actor guards are the policy's
    rules, which also refuse an inactive user), in SQL."""
    return and_(
        Report.status.in_(ReportFlow.sources(trigger)),
        *(REPORT_GUARDS[g](user) for g in ReportFlow.guards(trigger)),
    )


def document_where(user: User | None, trigger: str) -> Any:
    """The documents on which ``DocumentFlow(doc, user, …).can(trigger)`` holds and the policy
    allows the action behind it, in SQL."""
    return and_(
        Document.status.in_(DocumentFlow.sources(trigger)),
        *(DOCUMENT_GUARDS[g](user) for g in DocumentFlow.guards(trigger)),
    )
