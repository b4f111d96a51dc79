"""Deadlines of reports: the effective due date (extension, assignment, period), extensions and
their decisions, period locks and reopenings, and completeness/timeliness figures.

Effective due date of an agency in a period, first that applies:
1. the ``granted_due`` of its latest granted extension;
2. its assignment's own date (``Assignment.due``) or "N working days after the cut-off"
   (``Assignment.due_working_days``);
3. the period's deadline (``ReportingPeriod.due_on``).

Lock: with ``lock_after_days`` set on the period (``schedule.lock_after_days`` of the plan), an
agency's report can no longer be submitted once more than that many calendar days have passed
after its effective due date, unless the standing agency reopened the period for that agency.
"""

from __future__ import annotations

from datetime import date, timedelta

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
    ReportStatus,
    User,
)
from app.services import audit, calendar, clock
from app.services.exceptions import InvalidInput, NotAllowed
from app.services.wording import report_name

SUBMITTED = {ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.ACCEPTED}


# -- due dates -------------------------------------------------------------------------------


def _assignment(period: ReportingPeriod, agency_id: int) -> Assignment | None:
    return next((a for a in period.plan.assignments if a.agency_id == agency_id), None)


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
    """The deadline before any extension: the assignment's date or offset, else the period's."""
    a = _assignment(period, agency_id)
    if a is not None and a.due is not None:
        return a.due
    if a is not None and a.due_working_days:
        return calendar.add_working_days(period.ends_on, a.due_working_days)
    return period.due_on


def effective_due(period: ReportingPeriod, agency_id: int) -> date:
    ext = granted_extension(period, agency_id)
    if ext is not None and ext.granted_due is not None:
        return ext.granted_due
    return assignment_due(period, agency_id)


def due_date(report: Report) -> date:
    """The agency's deadline for this report."""
    return effective_due(report.period, report.agency_id)


# -- locks -----------------------------------------------------------------------------------


def lock_date(period: ReportingPeriod, agency_id: int) -> date | None:
    """The first day the period is locked for the agency (None: never locked)."""
    if period.lock_after_days is None:
        return None
    return effective_due(period, agency_id) + timedelta(days=period.lock_after_days + 1)


def active_reopen(period: ReportingPeriod, agency_id: int, today: date) -> Reopen | None:
    rows = db.session.scalars(
        select(Reopen).where(Reopen.period_id == period.id, Reopen.agency_id == agency_id)
    ).all()
    return next((r for r in rows if r.until is None or today <= r.until), None)


def is_locked_for(report: Report, today: date) -> bool:
    """Whether the period is locked for this report's agency on ``today``."""
    return is_period_locked(report.period, report.agency_id, today)


def is_period_locked(period: ReportingPeriod, agency_id: int, today: date) -> bool:
    first = lock_date(period, agency_id)
    if first is None or today < first:
        return False
    return active_reopen(period, agency_id, today) is None


def _require_standing_specialist(period: ReportingPeriod, actor: User) -> None:
    if not (actor.agency_id == period.plan.standing_agency_id and actor.has_role("specialist")):
        raise NotAllowed("Chỉ chuyên viên của cơ quan thường trực được quyết định việc này.")


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
        raise InvalidInput("Cơ quan này không được giao báo cáo trong kế hoạch.")
    if until is not None and until < clock.today():
        raise InvalidInput("Ngày mở lại đến phải từ hôm nay trở đi.", {"until": "Ngày đã qua."})
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
    assigned = _assignment(period, actor.agency_id) is not None
    if not actor.has_role("reporter", "agency_leader") or not assigned:
        raise NotAllowed("Chỉ cơ quan được giao báo cáo mới được đề nghị gia hạn.")
    if not (reason or "").strip():
        raise InvalidInput("Vui lòng nêu lý do đề nghị gia hạn.", {"reason": "Vui lòng nêu lý do."})
    current = effective_due(period, actor.agency_id)
    if requested_due <= current:
        raise InvalidInput(
            f"Hạn đề nghị phải sau hạn hiện tại ({current:%d/%m/%Y}).",
            {"requested_due": "Hạn đề nghị phải sau hạn hiện tại."},
        )
    pending = db.session.scalar(
        select(Extension.id).where(
            Extension.period_id == period.id,
            Extension.agency_id == actor.agency_id,
            Extension.status == ExtensionStatus.PENDING,
        )
    )
    if pending:
        raise InvalidInput("Cơ quan đã có một đề nghị gia hạn đang chờ quyết định.")
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
    from app.services import notifications

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
        raise InvalidInput("Đề nghị gia hạn này đã được quyết định.")
    if not grant and not (comment or "").strip():
        raise InvalidInput("Vui lòng nêu lý do không gia hạn.", {"comment": "Vui lòng nêu lý do."})
    before = ext.status
    ext.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    ext.granted_due = (granted_due or ext.requested_due) if grant else None
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
    from app.services import notifications, reminders

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
    if grant:
        reminders.schedule_for(period, ext.granted_due)
    return ext


# -- completeness and timeliness -------------------------------------------------------------


def _submitted_day(report: Report) -> date | None:
    at = report.first_submitted_at
    return at.astimezone(clock.VN).date() if at is not None else None


def period_timeliness(period: ReportingPeriod, today: date | None = None) -> dict:
    """Per agency and in total for one period: expected, submitted, on time, late (with working
    days late), missing (deadline passed, nothing submitted), pending (not yet due), and
    returned-and-resubmitted. Plain dicts."""
    today = today or clock.today()
    reports = {
        r.agency_id: r
        for r in db.session.scalars(select(Report).where(Report.period_id == period.id))
    }
    rows = []
    for a in period.plan.reporting_assignments:
        r = reports.get(a.agency_id)
        due = effective_due(period, a.agency_id)
        sub = _submitted_day(r) if r is not None else None
        if sub is not None:
            state = "on_time" if sub <= due else "late"
        else:
            state = "missing" if today > due else "pending"
        rows.append(
            {
                "agency_code": a.agency.code,
                "agency_name": a.agency.name,
                "due": due,
                "status": r.status if r is not None else None,
                "submitted_on": sub,
                "timeliness": state,
                "working_days_late": calendar.working_days_late(due, sub)
                if state == "late"
                else (calendar.working_days_late(due, today) if state == "missing" else 0),
                "times_returned": r.times_returned if r is not None else 0,
                "returned_and_resubmitted": bool(
                    r is not None
                    and r.times_returned
                    and r.status in SUBMITTED
                    and r.status != ReportStatus.RETURNED
                ),
                "locked": is_period_locked(period, a.agency_id, today),
            }
        )
    summary = {
        "expected": len(rows),
        "submitted": sum(1 for x in rows if x["submitted_on"] is not None),
        "on_time": sum(1 for x in rows if x["timeliness"] == "on_time"),
        "late": sum(1 for x in rows if x["timeliness"] == "late"),
        "missing": sum(1 for x in rows if x["timeliness"] == "missing"),
        "pending": sum(1 for x in rows if x["timeliness"] == "pending"),
        "returned_and_resubmitted": sum(1 for x in rows if x["returned_and_resubmitted"]),
    }
    return {
        "period": period.key,
        "label": period.label,
        "due": period.due_on,
        "summary": summary,
        "agencies": rows,
    }


def plan_timeliness(plan, today: date | None = None) -> dict:  # noqa: ANN001
    """``period_timeliness`` for every started period of ``plan``, with totals."""
    periods = [period_timeliness(p, today) for p in plan.periods if p.status != "pending"]
    keys = (
        "expected",
        "submitted",
        "on_time",
        "late",
        "missing",
        "pending",
        "returned_and_resubmitted",
    )
    return {
        "plan": plan.code,
        "periods": periods,
        "totals": {k: sum(p["summary"][k] for p in periods) for k in keys},
    }


def annotate_timeliness(period, results: dict) -> None:  # noqa: ANN001
    """Count lateness in working days (weekends and public holidays skipped)."""
    for row in results.get("agencies", []):
        if row.get("timeliness") != "late" or not row.get("submitted_at") or not row.get("due"):
            continue
        sub, due = row["submitted_at"], row["due"]
        sub_d = date.fromisoformat(str(sub)[:10]) if not isinstance(sub, date) else sub
        due_d = date.fromisoformat(str(due)[:10]) if not isinstance(due, date) else due
        row["working_days_late"] = calendar.working_days_late(due_d, sub_d)
