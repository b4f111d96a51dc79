"""Agencies change: Vietnam merged ministries (01/3/2025) and provinces (01/7/2025). A retired
agency keeps its history; its open work passes to its successor; issued documents keep the name
they were issued with (``Document.snapshot``)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Assignment, Plan, PlanStatus, User
from app.services import audit
from app.services.exceptions import InvalidInput

OPEN_PLAN_STATES = (PlanStatus.DRAFT, PlanStatus.ISSUED, PlanStatus.IN_PROGRESS)


def retire(
    agency: Agency, on: date, successor: Agency | None, actor: User | None, move_users: bool = True
) -> list[Assignment]:
    """Retire ``agency`` at the end of ``on``; its assignments in plans still running pass to
    ``successor`` (merged into the successor's own assignment when it already has one). Reports
    already sent stay with the old agency. Returns the assignments that moved."""
    if successor is not None and successor.id == agency.id:
        raise InvalidInput(_("Cơ quan kế nhiệm phải khác cơ quan bị giải thể/sáp nhập."))
    agency.valid_to = on
    agency.successor_id = successor.id if successor else None
    moved: list[Assignment] = []
    if successor is not None:
        rows = db.session.scalars(
            select(Assignment)
            .join(Plan)
            .where(Assignment.agency_id == agency.id, Plan.status.in_(OPEN_PLAN_STATES))
        ).all()
        for a in rows:
            own = db.session.scalar(
                select(Assignment).where(
                    Assignment.plan_id == a.plan_id, Assignment.agency_id == successor.id
                )
            )
            if own is not None:
                own.tasks = list(own.tasks) + [t for t in a.tasks if t not in own.tasks]
                own.reports = own.reports or a.reports
                a.reports = False
            else:
                a.agency_id = successor.id
            moved.append(a)
            audit.record(
                actor,
                a,
                "transfer_assignment",
                plan_id=a.plan_id,
                comment=f"{agency.name} → {successor.name}",
                data={"from": agency.code, "to": successor.code},
            )
        if move_users:
            for u in db.session.scalars(select(User).where(User.agency_id == agency.id)):
                u.agency_id = successor.id
    audit.record(
        actor,
        agency,
        "retire",
        comment=f"Hết hiệu lực từ sau ngày {on:%d/%m/%Y}",
        data={"successor": successor.code if successor else None},
    )
    db.session.flush()
    return moved


def active_agencies(on: date) -> list[Agency]:
    """Agencies in existence on ``on``, by name."""
    rows = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    return [a for a in rows if a.is_active(on)]
