"""RQ job: the emails of notifications."""

from __future__ import annotations

from worker.appctx import app_context


def send_emails(ids: list[int]) -> int:
    from app.services import notifications

    with app_context():
        return notifications.send_pending_emails(ids)


def send_digest(user_id: int) -> int:
    from app.services import notifications

    with app_context():
        return notifications.send_digest(user_id)
