"""Reminders before and after a deadline, sent by RQ's own scheduler, and the công văn đôn đốc.

``schedule_for(period, due)`` asks RQ (``enqueue_at``, after the commit) to run
``worker.reminders.send_reminders(period_id, as_of)`` on ``due - remind_days_before`` and on the
day after ``due`` at 08:00 Vietnam time. The job runs ``send_reminders``, which looks at every
agency that has not submitted: a ``before`` reminder when its own deadline is near, an
``overdue`` one when it has passed. The ``Reminder`` row (unique per period, agency, kind) is
written in the same transaction as the notifications, so a job run twice, retried, or run again
after a worker restart never sends twice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Document, DocumentKind, OverdueNote, Reminder, ReportingPeriod, User
from app.services import calendar, clock, documents, notifications, policy, status
from app.services.exceptions import InvalidInput
from app.services.jobs import enqueue_after_commit

DEFAULT_DAYS_BEFORE = 3
SEND_AT = time(8, 0)


def days_before(period: ReportingPeriod) -> int:
    v = (period.plan.definition.get("schedule") or {}).get("remind_days_before")
    return DEFAULT_DAYS_BEFORE if v is None else int(v)


def run_dates(period: ReportingPeriod, due: date) -> list[date]:
    return [due - timedelta(days=days_before(period)), due + timedelta(days=1)]


def schedule_for(period: ReportingPeriod, due: date) -> list[date]:
    """Schedule the reminder runs around ``due`` (after the commit; nothing without a queue)."""
    out = []
    for on in run_dates(period, due):
        at = datetime.combine(on, SEND_AT, tzinfo=clock.VN)
        enqueue_after_commit(
            "worker.reminders.send_reminders",
            period.id,
            on.isoformat(),
            job_id=f"remind-{period.id}-{on.isoformat()}",
            at=at,
        )
        out.append(on)
    return out


def schedule_period(period: ReportingPeriod) -> list[date]:
    """Schedule the runs for the period's deadline and every agency's own deadline."""
    dues = sorted({st.due for st in status.for_period(period)})
    return [d for due in dues for d in schedule_for(period, due)]


def send_reminders(period: ReportingPeriod, as_of: date | None = None) -> list[Reminder]:
    """Send what is due on ``as_of`` (default today) to the agencies that have not submitted.
    Flushed, not committed; each reminder at most once."""
    as_of = as_of or clock.today()
    if period.status != "open":
        return []
    sent = []
    n_before = days_before(period)
    for st in status.for_period(period, as_of):
        if st.received:
            continue
        a, due = st, st.due
        if st.result == status.Result.OVERDUE:
            kind = "overdue"
        elif as_of >= due - timedelta(days=n_before):
            kind = "before"
        else:
            continue
        exists = db.session.scalar(
            select(Reminder.id).where(
                Reminder.period_id == period.id,
                Reminder.agency_id == a.agency_id,
                Reminder.kind == kind,
                Reminder.due == due,
            )
        )
        if exists:
            continue
        try:
            with db.session.begin_nested():
                row = Reminder(
                    period_id=period.id,
                    agency_id=a.agency_id,
                    kind=kind,
                    due=due,
                    sent_at=clock.now(),
                )
                db.session.add(row)
                db.session.flush()
                _notify(period, st, kind)
        except IntegrityError:  # another run sent it meanwhile
            continue
        sent.append(row)
    return sent


def _notify(period: ReportingPeriod, st: status.Status, kind: str) -> None:
    plan = period.plan
    what = f"báo cáo {period.label.lower()} của Kế hoạch {plan.symbol or plan.title}"
    due = st.due
    if kind == "before":
        left = st.days_left
        text = (
            f"Còn {left} ngày đến hạn gửi {what}: hạn chót ngày {due:%d/%m/%Y}."
            if left
            else f"Hôm nay ({due:%d/%m/%Y}) là hạn chót gửi {what}."
        )
        nkind = "deadline_near"
    else:
        text = (
            f"Cơ quan chưa gửi {what}; hạn chót là ngày {due:%d/%m/%Y}: {st.text.lower()}. "
            "Đề nghị gửi ngay."
        )
        nkind = "overdue"
    notifications.notify(
        notifications.users_of(st.agency_id, "reporter", "agency_leader"),
        nkind,
        text,
        link=f"/plans/{plan.id}/periods/{period.id}",
    )


def run(period_id: int, as_of: date) -> int:
    """What the worker job does: send and commit. Returns how many reminders were sent."""
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        return 0
    sent = send_reminders(period, as_of)
    db.session.commit()
    return len(sent)


# -- công văn đôn đốc ------------------------------------------------------------------------


def overdue_agencies(period: ReportingPeriod, as_of: date | None = None) -> list[OverdueNote]:
    """The agencies the công văn đôn đốc names: the status module's overdue ones (a granted
    extension or an own later due date keeps an agency off the list)."""
    return [
        {
            "agency": st.agency_code,
            "name": st.agency_name,
            "due": st.due.isoformat(),
            "days": st.days,
            "text": st.text,
        }
        for st in status.for_period(period, as_of)
        if st.result == status.Result.OVERDUE
    ]


def draft_dispatch(
    period: ReportingPeriod,
    actor: User,
    *,
    unit_abbr: str | None = None,
    new_due: date | None = None,
    as_of: date | None = None,
) -> Document:
    """Draft the Công văn đôn đốc of the standing agency to the overdue agencies; the overdue
    list is kept in the document's snapshot (``snapshot["reminder"]``) for its context."""
    plan = period.plan
    policy.require(actor, "reminder.draft", period)
    as_of = as_of or clock.today()
    overdue = overdue_agencies(period, as_of)
    if not overdue:
        raise InvalidInput(_("Không có cơ quan nào quá hạn báo cáo trong kỳ này."))
    new_due = new_due or calendar.add_working_days(as_of, 5)
    ref = f"Kế hoạch số {plan.symbol}" if plan.symbol else f"Kế hoạch {plan.title}"
    title = f"V/v đôn đốc báo cáo kết quả thực hiện {ref} ({period.label.lower()})"
    doc = documents.create_document(
        DocumentKind.REMINDER,
        plan.standing_agency,
        title,
        actor,
        plan=plan,
        period=period,
        unit_abbr=unit_abbr,
        render=False,
    )
    doc.snapshot = {
        **(doc.snapshot or {}),
        "reminder": {
            "overdue": overdue,
            "new_due": new_due.isoformat(),
            "as_of": as_of.isoformat(),
            "plan_ref": ref,
        },
    }
    db.session.flush()
    documents.request_render(doc)
    return doc


def dispatches(period: ReportingPeriod) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document).where(
                Document.period_id == period.id, Document.kind == DocumentKind.REMINDER
            )
        )
    )
