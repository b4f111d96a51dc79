"""Rendering a document's current version in the test's process (the real job, the real
LibreOffice), for page tests that run without a queue: the signer is offered "Ký" only once
the frozen file exists."""

from __future__ import annotations

import re

from app.extensions import db
from app.models import Document


def render_now(doc_id: int) -> None:
    from flask import current_app

    from worker import jobs

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    db.session.commit()
    key = db.session.get(Document, doc_id).render_key
    db.session.commit()
    previous = jobs._app
    jobs.set_app(app)
    try:
        jobs.render_document(doc_id, key)
    finally:
        jobs._app = previous
    db.session.expire_all()


def sign_form_data(page: str) -> dict[str, str]:
    """The "Ký" form of a document page: the hash of the file the page shows."""
    data = {"trigger": "sign"}
    m = re.search(r'name="content_sha256" value="([0-9a-f]*)"', page)
    assert m, "the page offers no signing of a frozen file"
    data["content_sha256"] = m.group(1)
    return data
