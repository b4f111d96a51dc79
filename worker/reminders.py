"""RQ jobs of deadlines: thin, ids in. Scheduled by ``app.services.reminders`` by dotted name."""

from __future__ import annotations

from datetime import date

from worker.appctx import app_context


def send_reminders(period_id: int, as_of: str) -> int:
    """Send the reminders due on ``as_of`` for the period (idempotent)."""
    from app.services import reminders

    with app_context():
        return reminders.run(period_id, date.fromisoformat(as_of))
