"""Reading what the app stored, whichever storage backend the test app uses."""

from __future__ import annotations

import io

from flask import has_app_context

from app.services import storage


def stored(app, key: str) -> bytes:  # noqa: ANN001
    if has_app_context():
        return storage.read(key)
    with app.app_context():
        return storage.read(key)


def stored_io(app, key: str) -> io.BytesIO:  # noqa: ANN001
    return io.BytesIO(stored(app, key))


def stored_names(app, prefix: str) -> list[str]:  # noqa: ANN001
    """The file names under ``prefix`` (``documents/7``)."""
    if has_app_context():
        return sorted(k.rsplit("/", 1)[-1] for k in storage.keys(prefix))
    with app.app_context():
        return sorted(k.rsplit("/", 1)[-1] for k in storage.keys(prefix))
