"""Enqueueing RQ jobs after the request's transaction commits. The app never imports ``worker``:
jobs are named by dotted path and carry ids, not objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import event

from app.extensions import db


def get_queue():  # noqa: ANN201
    """The RQ queue, or None when no Redis is configured."""
    from redis import Redis
    from rq import Queue

    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    ext = current_app.extensions.setdefault("kehoach_redis", {})
    if url not in ext:
        ext[url] = Redis.from_url(url)
    return Queue(current_app.config["RQ_QUEUE"], connection=ext[url])


def enqueue_after_commit(func: str, *args: Any, job_id: str | None = None,
                         at: datetime | None = None, **options: Any) -> None:
    """Enqueue ``func`` (dotted name) with ``args`` once the current transaction commits; nothing
    is enqueued if it rolls back. ``job_id`` makes a repeated request the same job. With ``at``
    the job is handed to RQ's scheduler (``enqueue_at``; a worker started with_scheduler runs it
    then, or at once if ``at`` has passed)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    session = db.session()

    @event.listens_for(session, "after_commit", once=True)
    def _enqueue(_session) -> None:  # noqa: ANN001
        with app.app_context():
            queue = get_queue()
            if queue is None:
                return
            if job_id:
                existing = queue.fetch_job(job_id)
                if existing is not None and existing.get_status(refresh=True) in (
                    "queued", "started", "deferred", "scheduled"
                ):
                    return
            if at is not None:
                queue.enqueue_at(at, func, *args, job_id=job_id, **options)
            else:
                queue.enqueue(func, *args, job_id=job_id, **options)

    @event.listens_for(session, "after_rollback", once=True)
    def _forget(_session) -> None:  # noqa: ANN001
        if event.contains(session, "after_commit", _enqueue):
            event.remove(session, "after_commit", _enqueue)
