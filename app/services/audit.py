"""Writing the audit trail."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.models import AuditEvent, User
from app.services import clock


def record(
    actor: User | None,
    obj: Any,
    action: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    plan_id: int | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Add an audit event for ``obj`` (flushed, not committed)."""
    if obj.id is None:
        db.session.flush()
    event = AuditEvent(
        at=clock.now(),  # the services' clock: a demo or a test at a set date stamps that date
        actor_id=actor.id if actor else None,
        actor_name=(f"{actor.full_name} ({actor.agency.display_name})" if actor else "Hệ thống"),
        object_type=type(obj).__tablename__,
        object_id=obj.id,
        plan_id=plan_id
        if plan_id is not None
        else getattr(obj, "plan_id", None)
        or (obj.id if type(obj).__tablename__ == "plan" else None),
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data or {},
    )
    db.session.add(event)
    db.session.flush()
    return event
