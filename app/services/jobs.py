"""Enqueueing RQ jobs after the request's transaction commits. The app never imports ``worker``:
jobs are named by dotted path and carry ids, not objects."""

from __future__ import annotations

import re
from collections.abc import Callable
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


def rq_job_id(queue_name: str, job_id: str) -> str:
    """The RQ id of our ``job_id`` on ``queue_name``. RQ ids are global to a Redis while our
    keys (``doc-7-v0-draft``) are per database, so two deployments — or two test databases —
    sharing a Redis would see each other's jobs; the queue name keeps them apart."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", queue_name) + "--" + job_id


def rq_options(options: dict[str, Any]) -> dict[str, Any]:
    """Our enqueue options as RQ's: ``retry_max=N`` (and ``retry_interval``) become
    ``retry=rq.Retry(max=N, interval=...)``; everything else is passed as is. RQ would otherwise
    hand unknown keywords to the job function itself. A callback named by dotted path
    (``on_failure="worker.templates.check_failed"``) becomes an ``rq.Callback``."""
    from rq import Callback, Retry

    options = dict(options)
    for hook in ("on_failure", "on_success", "on_stopped"):
        if isinstance(options.get(hook), str):
            options[hook] = Callback(options[hook])
    retry_max = options.pop("retry_max", None)
    interval = options.pop("retry_interval", 0)
    if retry_max:
        options["retry"] = Retry(max=int(retry_max), interval=interval)
    return options


def after_commit(fn: Callable[[], None]) -> None:
    """Run ``fn`` (in an app context) once the current transaction really commits; forget it if
    the transaction rolls back. A SAVEPOINT released inside the transaction (``begin_nested``)
    also fires SQLAlchemy's ``after_commit``: those are skipped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    session = db.session()
    pending = session.info.setdefault("kehoach_after_commit", [])
    if not session.info.get("kehoach_after_commit_hooked"):
        session.info["kehoach_after_commit_hooked"] = True

        @event.listens_for(session, "after_commit")
        def _done(sess) -> None:  # noqa: ANN001
            if sess.in_nested_transaction():
                return
            todo = list(sess.info["kehoach_after_commit"])
            sess.info["kehoach_after_commit"].clear()
            for a, f in todo:
                with a.app_context():
                    f()

        @event.listens_for(session, "after_rollback")
        def _forget(sess) -> None:  # noqa: ANN001
            if not sess.in_nested_transaction():
                sess.info["kehoach_after_commit"].clear()

    pending.append((app, fn))


def enqueue_after_commit(
    func: str, *args: Any, job_id: str | None = None, at: datetime | None = None, **options: Any
) -> None:
    """Enqueue ``func`` (dotted name) with ``args`` once the current transaction commits; nothing
    is enqueued if it rolls back. ``job_id`` makes a repeated request the same job. With ``at``
    the job is handed to RQ's scheduler (``enqueue_at``; a worker started with_scheduler runs it
    then, or at once if ``at`` has passed)."""

    def _enqueue() -> None:
        queue = get_queue()
        if queue is None:
            return
        rq_id = rq_job_id(queue.name, job_id) if job_id else None
        if rq_id:
            existing = queue.fetch_job(rq_id)
            if existing is not None and existing.get_status(refresh=True) in (
                "queued",
                "started",
                "deferred",
                "scheduled",
            ):
                return
        if at is not None:
            queue.enqueue_at(at, func, *args, job_id=rq_id, **rq_options(options))
        else:
            queue.enqueue(func, *args, job_id=rq_id, **rq_options(options))

    after_commit(_enqueue)
