"""Firing a workflow trigger on a row: the machine decides, this writes the audit event."""

from __future__ import annotations

from typing import Any

from app.models import User
from app.services import audit
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
