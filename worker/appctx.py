"""The Flask app a job runs in: the current one (``kehoach worker``) or one built from the
environment (DATABASE_URL, REDIS_URL) for a plain ``rq worker``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

_app = None


@contextmanager
def app_context() -> Iterator[None]:
    from flask import has_app_context

    if has_app_context():
        yield
        return
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    with _app.app_context():
        from app.extensions import db

        try:
            yield
        finally:
            db.session.remove()
