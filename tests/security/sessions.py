"""Several signed-in test clients in one test.

The ``app`` fixture keeps one application context open for the whole test, and Flask-Login caches
the current user in ``g`` of that context: without :func:`separate_users`, every client would
act as whoever made the first request.
"""

from __future__ import annotations

from flask import Flask, g


def _forget_cached_user() -> None:
    g.pop("_login_user", None)


def separate_users(app: Flask) -> None:
    """Forget the cached user before each request, so each client is the user of its cookie."""
    funcs = app.before_request_funcs.setdefault(None, [])
    if _forget_cached_user not in funcs:
        funcs.insert(0, _forget_cached_user)


def sign_in(client, user) -> None:  # noqa: ANN001
    """Put ``user`` in the client's session, as a successful login would."""
    with client.session_transaction() as s:
        s["_user_id"] = user.get_id()
        s["_fresh"] = True
