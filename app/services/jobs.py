"""Enqueueing RQ jobs after the request's transaction commits. The app never imports ``worker``:
jobs are named by dotted path and carry ids, not objects."""

from __future__ import annotations

import re
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


def rq_job_id(queue_name: str, job_id: str) -> str:
    """The RQ id of our ``job_id`` on ``queue_name``. RQ ids are global to a Redis while our
    keys (``doc-7-v0-draft``) are per database, so two deployments — or two test databases —
    sharing a Redis would see each other's jobs; the queue name keeps them apart."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", queue_name) + "--" + job_id


def rq_options(options: dict[str, Any]) -> dict[str, Any]:
    """Our enqueue options as RQ's: ``retry_max=N`` (and ``retry_interval``) become
    ``retry=rq.Retry(max=N, interval=...)``; everything else is passed as is. RQ would otherwise
    hand unknown keywords to the job function itself."""
    from rq import Retry

    options = dict(options)
    retry_max = options.pop("retry_max", None)
    interval = options.pop("retry_interval", 0)
    if retry_max:
        options["retry"] = Retry(max=int(retry_max), interval=interval)
    return options


def enqueue_after_commit(func: str, *args: Any, job_id: str | None = None, **options: Any) -> None:
    """Enqueue ``func`` (dotted name) with ``args`` once the current transaction commits; nothing
    is enqueued if it rolls back. ``job_id`` makes a repeated request the same job."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    session = db.session()

    @event.listens_for(session, "after_commit", once=True)
    def _enqueue(_session) -> None:  # noqa: ANN001
        with app.app_context():
            queue = get_queue()
            if queue is None:
                return
            rq_id = rq_job_id(queue.name, job_id) if job_id else None
            if rq_id:
                existing = queue.fetch_job(rq_id)
                if existing is not None and existing.get_status(refresh=True) in (
                    "queued", "started", "deferred", "scheduled"
                ):
                    return
            queue.enqueue(func, *args, job_id=rq_id, **rq_options(options))

    @event.listens_for(session, "after_rollback", once=True)
    def _forget(_session) -> None:  # noqa: ANN001
        if event.contains(session, "after_commit", _enqueue):
            event.remove(session, "after_commit", _enqueue)
