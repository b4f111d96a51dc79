"""RQ jobs. Thin: the app is made once per worker process (``set_app`` at worker start, or lazily
on the first job), contexts come from :mod:`worker.context`, rendering from :mod:`worker.render`,
the PDF from :mod:`worker.convert`.

``render_document(doc_id, key)`` is idempotent: a key names one version of the document
(``doc-<id>-r<n>-<stage>``, a ``DocumentVersion``) and its files ``documents/<id>/<key>.docx|
.pdf|.json``; a version once made is never made again, and a key of no version does nothing.
A signed or released version is its base's stored context and template with only the signer
block, or the number, date, stamp and draft mark, replaced (signed = reviewed); a draft edited
in Word is that file with the same fill-ins (``worker.edited``). Files are written whole or not
at all (``storage.write``), so a worker killed mid-job leaves no half file and the retried job
produces the document exactly once. Progress and state are written with plain
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
    """Render document ``doc_id`` for request ``key``: .docx and PDF into the storage. Returns
    what happened: ``done``, ``exists``, ``superseded``, ``immutable`` or ``missing``."""
    app = get_app()
    with app.app_context():
        from app.extensions import db

        try:
            return _render(doc_id, key)
        finally:
            db.session.remove()


def consolidate_document(doc_id: int, actor_id: int | None) -> str:
    """A consolidated report drafted from the page (``app.services.consolidation.
    draft_consolidated_report``, ``in_worker``): add up the period's reports and store the
    consolidation (audited as ``actor_id``, whom the request checked), then ask for the draft's
    render (the next job). Its progress is the document's render state. Idempotent: a retry
    consolidates again (the same figures, the round being closed) and asks for the render only
    if nobody has yet."""
    app = get_app()
    with app.app_context():
        from sqlalchemy import update

        from app.extensions import db
        from app.models import Document, ReportingPeriod, User
        from app.services import consolidation, documents

        def state(**values: Any) -> None:
            db.session.execute(
                update(Document)
                .where(Document.id == doc_id, Document.render_key.is_(None))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()

        try:
            doc = db.session.get(Document, doc_id)
            if doc is None:
                return "missing"
            period = db.session.get(ReportingPeriod, doc.period_id) if doc.period_id else None
            if period is None:
                return "missing"
            state(render_state="running", render_progress=5, render_error=None)
            actor = db.session.get(User, actor_id) if actor_id is not None else None
            consolidation.record(period, actor)
            doc = db.session.get(Document, doc_id)
            assert doc is not None
            if doc.render_key is None:  # not rendered yet (no signature asked meanwhile)
                documents.request_render(doc)
            db.session.commit()
            return "done"
        except Exception as exc:
            db.session.rollback()
            log.exception("consolidate_document %s failed", doc_id)
            state(render_state="failed", render_error=error_message(exc))
            raise
        finally:
            db.session.remove()


def relative_paths(doc_id: int, key: str) -> tuple[str, str]:
    base = f"documents/{doc_id}/{key}"
    return f"{base}.docx", f"{base}.pdf"


def _rendered(version: Any) -> bool:
    from app.services import storage

    return bool(
        version.sha256
        and version.context_path
        and version.template_path
        and storage.exists(version.docx_path)
        and storage.exists(version.pdf_path)
    )


def _render(doc_id: int, key: str) -> str:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Document, DocumentVersion

    doc = db.session.get(Document, doc_id)
    if doc is None:
        return "missing"
    version = db.session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == doc_id, DocumentVersion.render_key == key
        )
    )
    if version is None:  # a key of no version (an old request): nothing to make
        return "superseded"
    if _rendered(version):
        if _set(
            doc_id,
            key,
            docx_path=version.docx_path,
            pdf_path=version.pdf_path,
            render_state="done",
            render_progress=100,
            render_error=None,
        ):
            return "exists"
        return "superseded"
    if doc.render_key != key:  # a newer version was asked for: it makes what it needs
        return "superseded"
    _set(doc_id, key, render_state="running", render_progress=10, render_error=None)
    try:
        _produce(version.id, key)
        if not _set(
            doc_id,
            key,
            docx_path=version.docx_path,
            pdf_path=version.pdf_path,
            render_state="done",
            render_progress=100,
            render_error=None,
        ):
            return "superseded"
        try:
            _after_render(doc_id, version.id)
        except Exception:  # the files are made; signing is asked again from the page
            db.session.rollback()
            log.exception("asking for the digital signing of %s %s failed", doc_id, key)
        return "done"
    except Exception as exc:
        db.session.rollback()
        log.exception("render_document %s %s failed", doc_id, key)
        _set(doc_id, key, render_state="failed", render_error=error_message(exc))
        raise


def _after_render(doc_id: int, version_id: int) -> None:
    """A released version is made: have it signed digitally when the keys are configured
    (``worker.sign.sign_document``; app.services.signing_keys decides)."""
    from app.extensions import db
    from app.models import Document, DocumentVersion, VersionStage
    from app.services import signing_keys

    version = db.session.get(DocumentVersion, version_id)
    doc = db.session.get(Document, doc_id)
    if version is None or doc is None or version.stage != VersionStage.RELEASED:
        return
    signing_keys.request_signing(doc, version.render_key)
    db.session.commit()


def _produce(version_id: int, progress_key: str) -> None:
    """Write the files of a version: .docx, PDF, the context it was rendered from (JSON) and
    the template it used (kept by content hash), then its SHA-256. A version with a base is
    the base's stored content with only its ``fill`` keys replaced; when the base was never
    made (nobody saw it), the nearest made ancestor with every fill key on the way, or, with
    none, the data."""
    import hashlib
    import json

    from sqlalchemy import update

    from app.extensions import db
    from app.models import Document, DocumentVersion
    from app.services import documents, storage
    from worker import context
    from worker.convert import docx_to_pdf
    from worker.render import render_docx

    version = db.session.get(DocumentVersion, version_id)
    assert version is not None
    doc = db.session.get(Document, version.document_id)
    assert doc is not None
    rel_docx, rel_pdf = relative_paths(doc.id, version.render_key)
    rel_ctx = f"documents/{doc.id}/{version.render_key}.json"
    fill = list(version.fill or [])
    base = db.session.get(DocumentVersion, version.base_id) if version.base_id else None
    while base is not None and not _rendered(base):
        fill += [k for k in base.fill or [] if k not in fill]
        base = db.session.get(DocumentVersion, base.base_id) if base.base_id else None
    if base is not None and base.context_path and base.template_path:
        ctx = json.loads(storage.read(base.context_path).decode("utf-8"))
        if not ctx.get("appendix_ref"):  # no appendix: nothing to number there
            fill = [k for k in fill if k != "appendix_ref"]
        ctx.update(context.fill_values(doc, fill))
        template = storage.read(base.template_path)
        signer = context.signer_of(doc) if set(fill) & set(context.SIGNER_KEYS) else base.signer
    else:
        ctx = dict(context.build(doc))
        source = context.template_for(doc.agency_id, doc.kind)
        template = source if isinstance(source, bytes) else source.read_bytes()
        signer = context.signer_of(doc)
    template_rel = f"documents/templates/{hashlib.sha256(template).hexdigest()}.docx"
    annex_data = None
    if ctx.get("annex"):  # a consolidated report of many agencies: its spreadsheet annex,
        # from the same context; the body prints its digest (signing binds the annex)
        from worker.annex import render_xlsx
        from worker.contexts import set_annex_digest

        annex_data = render_xlsx(ctx)
        set_annex_digest(ctx, hashlib.sha256(annex_data).hexdigest())
    context_text = json.dumps(ctx, ensure_ascii=False, sort_keys=True, indent=1)
    if doc.source_path:  # a draft edited in Word: that file, only the fill-ins replaced
        from worker import edited

        data = edited.apply(storage.read(doc.source_path), ctx)
    else:
        data = render_docx(template, ctx)
    db.session.rollback()  # end the read transaction before the slow part
    if not storage.exists(template_rel):
        storage.write(template_rel, template)
    storage.write(rel_ctx, context_text.encode("utf-8"))
    if annex_data is not None:
        storage.write(documents.annex_path(rel_docx), annex_data)
    storage.write(rel_docx, data)  # atomic: a whole file or none
    db.session.commit()
    _set(doc.id, progress_key, render_progress=60)
    if slow := os.environ.get(SLOW_ENV):
        time.sleep(float(slow))
    storage.write(rel_pdf, docx_to_pdf(data))
    db.session.execute(
        update(DocumentVersion)
        .where(DocumentVersion.id == version_id)
        .values(
            docx_path=rel_docx,
            pdf_path=rel_pdf,
            context_path=rel_ctx,
            template_path=template_rel,
            sha256=hashlib.sha256(data).hexdigest(),
            signer=signer,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
