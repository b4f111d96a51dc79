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
