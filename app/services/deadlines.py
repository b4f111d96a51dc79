"""Deadlines of reports: the effective due date and period locks.
(Extensions and locks are completed in the deadlines work; this is the part reports need.)"""

from __future__ import annotations

from datetime import date

from app.models import Report


def due_date(report: Report) -> date:
    """The agency's deadline: its assignment's own date, else the period's."""
    return report.assignment.due or report.period.due_on


def is_locked_for(report: Report, today: date) -> bool:
    """Whether the period is locked for this report's agency (no locks configured yet)."""
    return False


def annotate_timeliness(period, results: dict) -> None:  # noqa: ANN001
    """Count lateness in working days (weekends and public holidays skipped)."""
    from datetime import date as _date

    from app.services import calendar

    for row in results.get("agencies", []):
        if row.get("timeliness") != "late" or not row.get("submitted_at") or not row.get("due"):
            continue
        sub, due = row["submitted_at"], row["due"]
        sub_d = _date.fromisoformat(str(sub)[:10]) if not isinstance(sub, _date) else sub
        due_d = _date.fromisoformat(str(due)[:10]) if not isinstance(due, _date) else due
        row["working_days_late"] = calendar.working_days_late(due_d, sub_d)
