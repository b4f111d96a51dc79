"""Deadline decisions: extensions (request, grant, refuse) and reopenings of a locked period.
The due date, the lock and every timeliness figure are the status module's
(``app/services/status.py``, defined in ``docs/status.md``); the helpers below read it."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Agency,
    Assignment,
    Extension,
    ExtensionStatus,
    Reopen,
    Report,
    ReportingPeriod,
    User,
)
from app.services import audit, clock, notifications, policy, reminders, status
from app.services.exceptions import InvalidInput
from app.services.wording import report_name

# -- due dates and locks: read from the status module ---------------------------------------


def _assignment(period: ReportingPeriod, agency_id: int) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(
            Assignment.plan_id == period.plan_id, Assignment.agency_id == agency_id
        )
    )


def _status(period: ReportingPeriod, agency_id: int, today: date | None = None) -> status.Status:
    st = status.of(period, agency_id, today)
    if st is None:
        raise InvalidInput(_("Cơ quan này không được giao báo cáo trong kế hoạch."))
    return st


def granted_extension(period: ReportingPeriod, agency_id: int) -> Extension | None:
    return db.session.scalar(
        select(Extension)
        .where(
            Extension.period_id == period.id,
            Extension.agency_id == agency_id,
            Extension.status == ExtensionStatus.GRANTED,
        )
        .order_by(Extension.decided_at.desc(), Extension.id.desc())
        .limit(1)
    )


def assignment_due(period: ReportingPeriod, agency_id: int) -> date:
    """The deadline before any extension (``status.Status.assignment_due``)."""
    st = status.of(period, agency_id)
    return st.assignment_due if st is not None else period.due_on


def effective_due(period: ReportingPeriod, agency_id: int) -> date:
    """The agency's deadline (``status.Status.due``)."""
    st = status.of(period, agency_id)
    return st.due if st is not None else period.due_on


def due_date(report: Report) -> date:
    """The agency's deadline for this report."""
    return effective_due(report.period, report.agency_id)


def lock_date(period: ReportingPeriod, agency_id: int) -> date | None:
    """The first day the period is locked for the agency (None: never locked)."""
    st = status.of(period, agency_id)
    return st.lock_on if st is not None else None


def active_reopen(period: ReportingPeriod, agency_id: int, today: date) -> Reopen | None:
    rows = db.session.scalars(
        select(Reopen).where(Reopen.period_id == period.id, Reopen.agency_id == agency_id)
    ).all()
    return next((r for r in rows if r.until is None or today <= r.until), None)


def is_locked_for(report: Report, today: date) -> bool:
    """Whether the period is locked for this report's agency on ``today``."""
    return is_period_locked(report.period, report.agency_id, today)


def is_period_locked(period: ReportingPeriod, agency_id: int, today: date) -> bool:
    st = status.of(period, agency_id, today)
    return bool(st is not None and st.locked)


def _require_standing_specialist(period: ReportingPeriod, actor: User) -> None:
    policy.require(actor, "period.reopen", period)


def reopen_for(
    period: ReportingPeriod,
    agency: Agency,
    actor: User,
    until: date | None = None,
    comment: str | None = None,
) -> Reopen:
    """The standing agency lets ``agency`` submit in a locked period (until ``until``)."""
    _require_standing_specialist(period, actor)
    if _assignment(period, agency.id) is None:
        raise InvalidInput(_("Cơ quan này không được giao báo cáo trong kế hoạch."))
    if until is not None and until < clock.today():
        raise InvalidInput(
            _("Ngày mở lại đến phải từ hôm nay trở đi."), {"until": _("Ngày đã qua.")}
        )
    row = Reopen(
        plan_id=period.plan_id,
        period_id=period.id,
        agency_id=agency.id,
        by_id=actor.id,
        until=until,
        comment=comment,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        row,
        "reopen",
        plan_id=period.plan_id,
        comment=comment,
        data={
            "period": period.key,
            "agency": agency.code,
            "until": until.isoformat() if until else None,
        },
    )
    return row


# -- extensions ------------------------------------------------------------------------------


def request_extension(
    period: ReportingPeriod, actor: User, requested_due: date, reason: str
) -> Extension:
    """An assigned agency asks for a later deadline."""
    policy.require(actor, "extension.request", policy.PeriodAgency(period, actor.agency_id))
    if not (reason or "").strip():
        raise InvalidInput(
            _("Vui lòng nêu lý do đề nghị gia hạn."), {"reason": _("Vui lòng nêu lý do.")}
        )
    current = effective_due(period, actor.agency_id)
    if requested_due <= current:
        raise InvalidInput(
            _("Hạn đề nghị phải sau hạn hiện tại (%(d)s).", d=current.strftime("%d/%m/%Y")),
            {"requested_due": _("Hạn đề nghị phải sau hạn hiện tại.")},
        )
    pending = db.session.scalar(
        select(Extension.id).where(
            Extension.period_id == period.id,
            Extension.agency_id == actor.agency_id,
            Extension.status == ExtensionStatus.PENDING,
        )
    )
    if pending:
        raise InvalidInput(_("Cơ quan đã có một đề nghị gia hạn đang chờ quyết định."))
    ext = Extension(
        plan_id=period.plan_id,
        period_id=period.id,
        agency_id=actor.agency_id,
        requested_by_id=actor.id,
        reason=reason.strip(),
        requested_due=requested_due,
        status=ExtensionStatus.PENDING,
    )
    db.session.add(ext)
    db.session.flush()
    audit.record(
        actor,
        ext,
        "request_extension",
        to_state=ext.status,
        plan_id=period.plan_id,
        comment=ext.reason,
        data={"period": period.key, "requested_due": requested_due.isoformat()},
    )
    notifications.notify(
        notifications.users_of(period.plan.standing_agency_id, "specialist"),
        "extension_requested",
        f"{actor.agency.display_name} đề nghị gia hạn {report_name(period)[:1].lower()}"
        f"{report_name(period)[1:]} đến ngày "
        f"{requested_due:%d/%m/%Y}: {ext.reason}",
        link=f"/plans/{period.plan_id}",
    )
    return ext


def decide_extension(
    ext: Extension,
    actor: User,
    grant: bool,
    comment: str | None = None,
    granted_due: date | None = None,
) -> Extension:
    """A specialist of the standing agency grants (to ``granted_due`` or the requested date) or
    refuses (with a reason) an extension."""
    period = ext.period
    _require_standing_specialist(period, actor)
    if ext.status != ExtensionStatus.PENDING:
        raise InvalidInput(_("Đề nghị gia hạn này đã được quyết định."))
    if not grant and not (comment or "").strip():
        raise InvalidInput(
            _("Vui lòng nêu lý do không gia hạn."), {"comment": _("Vui lòng nêu lý do.")}
        )
    before = ext.status
    ext.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    granted = (granted_due or ext.requested_due) if grant else None
    ext.granted_due = granted
    ext.decided_by_id, ext.decided_at, ext.comment = actor.id, clock.now(), comment
    db.session.flush()
    audit.record(
        actor,
        ext,
        "grant_extension" if grant else "refuse_extension",
        from_state=before,
        to_state=ext.status,
        plan_id=period.plan_id,
        comment=comment,
        data={
            "period": period.key,
            "granted_due": ext.granted_due.isoformat() if ext.granted_due else None,
        },
    )
    what = f"Đề nghị gia hạn {report_name(period)[:1].lower()}{report_name(period)[1:]}"
    text = (
        f"{what} đã được chấp thuận; hạn mới là ngày {ext.granted_due:%d/%m/%Y}."
        if grant
        else f"{what} không được chấp thuận: {comment}"
    )
    asker = db.session.get(User, ext.requested_by_id) if ext.requested_by_id else None
    to = notifications.users_of(ext.agency_id, "reporter")
    if asker is not None and asker.active and asker not in to:
        to.append(asker)
    notifications.notify(
        to,
        "extension_decided",
        text,
        link=f"/plans/{period.plan_id}",
    )
    if granted is not None:
        reminders.schedule_for(period, granted)
    return ext
