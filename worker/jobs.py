"""RQ jobs. Thin: the app is made once per worker process (``set_app`` at worker start, or lazily
on the first job), contexts come from :mod:`worker.context`, rendering from :mod:`worker.render`,
the PDF from :mod:`worker.convert`.

``render_document(doc_id, key)`` is idempotent: a key names one content (``doc-<id>-v<number>-
<status>``) and its files ``documents/<id>/<key>.docx|.pdf``; a second run of the same key, or a
run whose key was superseded by a newer request, does nothing. Files are written to a temporary
name and renamed, so a worker killed mid-job leaves no half file under the final name and the
retried job produces the document exactly once. Progress and state are written with plain
``UPDATE``s guarded by the key (no ORM version bump, so a user editing the document meanwhile
does not get a conflict, and a stale job cannot overwrite a newer request's state).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, cast

from flask import Flask

log = logging.getLogger(__name__)

_app: Flask | None = None
_pid: int | None = None  # the process whose database connections the engine holds

# Test hook only: sleep this many seconds between the .docx and the PDF (so a test can kill the
# worker mid-job). Unset in production.
SLOW_ENV = "KEHOACH_TEST_SLOW_RENDER"


def set_app(app: Flask) -> None:
    """Use ``app`` for the jobs of this process (called by ``kehoach worker`` before forking)."""
    global _app, _pid
    _app, _pid = app, os.getpid()


def get_app() -> Flask:
    global _app, _pid
    if _app is None:
        from app import create_app

        _app, _pid = create_app(), os.getpid()
    if _pid != os.getpid():
        # A forked work-horse must not use the parent's pooled connections.
        from app.extensions import db

        with _app.app_context():
            db.engine.dispose(close=False)
        _pid = os.getpid()
    return _app


def _set(doc_id: int, key: str, **values: Any) -> bool:
    """Update the render columns if the document still wants ``key``; commit. True if it did."""
    from sqlalchemy import CursorResult, update

    from app.extensions import db
    from app.models import Document

    result: CursorResult[Any] = cast(
        CursorResult[Any],
        db.session.execute(
            update(Document)
            .where(Document.id == doc_id, Document.render_key == key)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )  # an UPDATE gives a cursor result (Session.execute is typed as the generic Result)
    db.session.commit()
    return bool(result.rowcount)


def error_message(exc: BaseException) -> str:
    """The Vietnamese message stored on the document for the user."""
    from worker.contexts import ContextError
    from worker.convert import ConversionError

    if isinstance(exc, ContextError | ConversionError):
        detail = str(exc)
    else:
        detail = f"lỗi hệ thống ({type(exc).__name__}: {exc})"
    return f"Không tạo được văn bản: {detail}. Hệ thống sẽ tự thử lại."


def render_document(doc_id: int, key: str) -> str:
    """Render document ``doc_id`` for request ``key``: .docx and PDF under FILES_DIR. Returns
    what happened: ``done``, ``exists``, ``superseded``, ``immutable`` or ``missing``."""
    app = get_app()
    with app.app_context():
        from app.extensions import db

        try:
            return _render(doc_id, key)
        finally:
            db.session.remove()


def relative_paths(doc_id: int, key: str) -> tuple[str, str]:
    base = f"documents/{doc_id}/{key}"
    return f"{base}.docx", f"{base}.pdf"


def _render(doc_id: int, key: str) -> str:
    from app.extensions import db
    from app.models import Document, DocumentStatus
    from app.services import storage
    from worker import context
    from worker.convert import docx_to_pdf
    from worker.render import render_docx

    doc = db.session.get(Document, doc_id)
    if doc is None:
        return "missing"
    if doc.render_key != key:
        return "superseded"
    rel_docx, rel_pdf = relative_paths(doc_id, key)
    if (
        doc.status == DocumentStatus.RELEASED
        and doc.number is not None
        and doc.docx_path
        and doc.docx_path != rel_docx
        and f"-v{doc.number}-" in doc.docx_path
        and storage.exists(doc.docx_path)
    ):
        # A released document rendered with its number is what was sent out: never again.
        _set(doc_id, key, render_state="done", render_progress=100, render_error=None)
        return "immutable"
    if storage.exists(rel_docx) and storage.exists(rel_pdf):
        _set(
            doc_id,
            key,
            docx_path=rel_docx,
            pdf_path=rel_pdf,
            render_state="done",
            render_progress=100,
            render_error=None,
        )
        return "exists"

    _set(doc_id, key, render_state="running", render_progress=10, render_error=None)
    try:
        doc = db.session.get(Document, doc_id)
        assert doc is not None
        if not storage.exists(rel_docx):
            data = render_docx(context.template_for(doc.agency_id, doc.kind), context.build(doc))
            db.session.rollback()  # end the read transaction before the slow part
            storage.write(rel_docx, data)  # atomic: a whole file or none
            db.session.commit()
        else:  # a killed earlier run got this far: the same content, keep it
            data = storage.read(rel_docx)
            db.session.rollback()
        _set(doc_id, key, render_progress=60)
        if slow := os.environ.get(SLOW_ENV):
            time.sleep(float(slow))
        storage.write(rel_pdf, docx_to_pdf(data))
        db.session.commit()
        if not _set(
            doc_id,
            key,
            docx_path=rel_docx,
            pdf_path=rel_pdf,
            render_state="done",
            render_progress=100,
            render_error=None,
        ):
            return "superseded"
        return "done"
    except Exception as exc:
        db.session.rollback()
        log.exception("render_document %s %s failed", doc_id, key)
        _set(doc_id, key, render_state="failed", render_error=error_message(exc))
        raise
