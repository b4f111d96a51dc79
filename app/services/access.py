"""Who may see what. Every query the UI makes goes through these scopes."""

from __future__ import annotations

from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, or_, select, true

from app.extensions import db
from app.models import Assignment, Document, Plan, PlanStatus, Report, ReportStatus, User
from app.services.exceptions import NotFound
from app.services.policy import is_admin as is_admin


def standing_plans(user: User) -> ColumnElement[bool]:
    """The plans whose waiting work (reports to review, extension requests) a queue page lists
    for ``user``: every plan for an admin, else those whose standing agency is the user's (what
    each row allows is still the policy's: ``report.review``, ``extension.decide``)."""
    return true() if is_admin(user) else Plan.standing_agency_id == user.agency_id


def plans_query(user: User) -> Select:
    """Plans the user may see: all for an admin; drafts only for the issuing and standing
    agencies; issued plans also for the agencies they assign."""
    q = select(Plan)
    if is_admin(user):
        return q
    assigned = select(Assignment.plan_id).where(Assignment.agency_id == user.agency_id)
    return q.where(
        or_(
            Plan.issuer_id == user.agency_id,
            Plan.standing_agency_id == user.agency_id,
            (Plan.id.in_(assigned)) & (Plan.status != PlanStatus.DRAFT),
        )
    )


def manages_plan(user: User, plan: Plan) -> bool:
    """The issuing or standing agency, or an admin: sees every agency's reports of the plan."""
    return is_admin(user) or user.agency_id in (plan.issuer_id, plan.standing_agency_id)


def reports_query(user: User) -> Select:
    """Reports the user may see: their own agency's, and the submitted reports of plans their
    agency issues or stands for (never another agency's unsubmitted draft)."""
    q = select(Report)
    if is_admin(user):
        return q
    managed = select(Plan.id).where(
        or_(Plan.issuer_id == user.agency_id, Plan.standing_agency_id == user.agency_id)
    )
    return q.where(
        or_(
            Report.agency_id == user.agency_id,
            Report.plan_id.in_(managed) & submitted_clause(),
        )
    )


def submitted_clause():  # noqa: ANN201
    """Reports another agency may see: submitted at least once (an agency's draft, and what waits
    on its own leader, stay with it — the policy's ``report.read``)."""
    return or_(
        Report.first_submitted_at.is_not(None),
        Report.status.not_in([ReportStatus.DRAFT, ReportStatus.AWAITING_APPROVAL]),
    )


def documents_query(user: User) -> Select:
    """Documents the user may see: their agency's own, every document of plans their agency
    issues or stands for (it drafts them), and released plans of plans they are assigned to."""
    q = select(Document)
    if is_admin(user):
        return q
    visible_plans = plans_query(user).with_only_columns(Plan.id)
    managed = select(Plan.id).where(
        or_(Plan.issuer_id == user.agency_id, Plan.standing_agency_id == user.agency_id)
    )
    return q.where(
        or_(
            Document.agency_id == user.agency_id,
            Document.plan_id.in_(managed),  # the standing agency drafts for its committee
            (Document.plan_id.in_(visible_plans))
            & (Document.status == "released")
            & (Document.kind == "plan"),
        )
    )


_Visible = TypeVar("_Visible", Plan, Report, Document)


def get_visible(user: User, query: Select, model: type[_Visible], ident: int) -> _Visible:
    """The object ``ident`` if ``query`` (a scope above) lets the user see it, else NotFound —
    the same answer as for a missing object, so ids of other agencies' data leak nothing."""

    obj = db.session.scalar(query.where(model.id == ident))
    if obj is None:
        raise NotFound(_("Không tìm thấy hoặc bạn không có quyền xem."))
    return obj
