"""Structured logs: one JSON line per request and per job, with the number of SQL queries.

Request line (logger ``kehoach.request``)::

    {"event": "request", "method": "GET", "route": "/plans/<int:plan_id>", "path": "/plans/3",
     "status": 200, "duration_ms": 12.4, "queries": 6, "user": "chuyenvien.ca", "remote": "…"}

Job line (logger ``kehoach.job``, written by the worker)::

    {"event": "job", "job": "worker.jobs.render_document", "id": "…", "status": "finished",
     "duration_ms": 830.2, "queries": 14}

Queries are counted per thread by an engine event, so gunicorn's threads and RQ's work-horses
each count their own. ``REQUEST_LOG`` (``KEHOACH_REQUEST_LOG``) turns the request lines off; it
is off under tests unless a test turns it on.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db

_local = threading.local()
_hooked: set[int] = set()
_configured: list[bool] = []

request_log = logging.getLogger("kehoach.request")
job_log = logging.getLogger("kehoach.job")


class JSONFormatter(logging.Formatter):
    """A record as one JSON object: its ``fields`` (``extra={"fields": {...}}``) or message."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if fields:
            out.update(fields)
        else:
            out["message"] = record.getMessage()
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for the ``kehoach`` loggers (once per process)."""
    root = logging.getLogger("kehoach")
    if _configured:
        return
    _configured.append(True)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    handler._kehoach = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    root.propagate = False


def queries() -> int:
    """SQL statements executed by this thread since :func:`reset_queries`."""
    return getattr(_local, "queries", 0)


def reset_queries() -> None:
    _local.queries = 0


def _count(*_a: Any, **_k: Any) -> None:
    _local.queries = getattr(_local, "queries", 0) + 1


def count_queries(engine: Engine) -> None:
    if id(engine) not in _hooked:
        event.listen(engine, "before_cursor_execute", _count)
        _hooked.add(id(engine))


def _enabled(app: Flask) -> bool:
    enabled = app.config.get("REQUEST_LOG")
    return (not app.testing) if enabled is None else bool(enabled)


def init_app(app: Flask) -> None:
    with app.app_context():
        count_queries(db.engine)
    if _enabled(app):
        configure_logging(app.config.get("LOG_LEVEL") or "INFO")

    @app.before_request
    def _start() -> None:
        if _enabled(app):
            configure_logging(app.config.get("LOG_LEVEL") or "INFO")
            g._kehoach_t0 = time.perf_counter()
            reset_queries()

    @app.after_request
    def _log(resp):  # noqa: ANN001, ANN202
        t0 = getattr(g, "_kehoach_t0", None)
        if t0 is None:
            return resp
        from flask_login import current_user

        user = None
        try:
            if current_user and current_user.is_authenticated:
                user = current_user.username
        except Exception:  # noqa: BLE001 - logging never breaks a response
            user = None
        if user is None and getattr(g, "api_token", None) is not None:
            user = f"token:{g.api_token.id}"
        request_log.info(
            "request",
            extra={
                "fields": {
                    "event": "request",
                    "method": request.method,
                    "route": request.url_rule.rule if request.url_rule else None,
                    "path": request.path,
                    "status": resp.status_code,
                    "duration_ms": round((time.perf_counter() - t0) * 1000, 1),
                    "queries": queries(),
                    "user": user,
                    "remote": request.remote_addr,
                }
            },
        )
        return resp


def log_job(name: str, job_id: str, status: str, started: float, n_queries: int) -> None:
    job_log.info(
        "job",
        extra={
            "fields": {
                "event": "job",
                "job": name,
                "id": job_id,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "queries": n_queries,
            }
        },
    )
