"""The job behind the editor's "Xem trước văn bản" (:mod:`app.services.previews`).

``render_preview(token)`` renders the definition kept in ``previews/<token>/request.json`` with
the same context builder and template as the plan's document (``worker.contexts.plan_context``,
the issuer's own template if it has one), converts it to PDF and each page to a PNG. Nothing is
written to the database: a preview is never a document version and cannot be signed. Every page
carries the preview mark where a draft carries "DỰ THẢO".
"""

from __future__ import annotations

import json
import logging
import subprocess
import tempfile
from pathlib import Path
from typing import Any, cast

from worker.jobs import error_message, get_app

log = logging.getLogger(__name__)

MARK = "BẢN XEM TRƯỚC – KHÔNG DÙNG ĐỂ KÝ"  # app.services.previews.MARK (app never imports worker)
RESOLUTION = 96  # dpi of the page images: an A4 page is 794 × 1123 px, as a screen shows 100 %
MAX_PAGES = 60


def pdf_pages_png(pdf: bytes, resolution: int = RESOLUTION) -> list[bytes]:
    """Each page of ``pdf`` as PNG bytes (pdftoppm)."""
    with tempfile.TemporaryDirectory(prefix="kehoach-preview-") as tmp:
        src = Path(tmp) / "plan.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(resolution), "-l", str(MAX_PAGES), str(src), f"{tmp}/p"],
            capture_output=True,
            check=True,
            timeout=120,
        )
        files = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        return [f.read_bytes() for f in files]


def preview_context(definition: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
    """The plan document's context for an unsaved ``definition`` and the issuer's id (for its
    own template): as ``worker.context.plan_input`` prepares a plan, unnumbered, dated this
    month, with the preview mark."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Agency
    from app.services import clock
    from worker import contexts
    from worker.context import agency_dict, group_names
    from worker.inputs import PLAN_KEYS, PlanInput

    agencies = {a.code: agency_dict(a) for a in db.session.scalars(select(Agency))}
    # what the plan's document prints of the definition, as worker.context.plan_input keeps it
    d = cast(PlanInput, {k: v for k, v in definition.items() if k in PLAN_KEYS})
    d["group_names"] = group_names(definition)
    d.setdefault("type", "KH")
    today = clock.today()
    d.setdefault("draft_month", today.month)
    d.setdefault("draft_year", today.year)
    ctx = contexts.plan_context(d, agencies, None, None)
    ctx["draft_mark"] = MARK
    issuer = db.session.scalar(select(Agency.id).where(Agency.code == d.get("issuer")))
    return ctx, issuer


def render_preview(token: str) -> str:
    """Render preview ``token``; returns ``done``, ``failed`` or ``missing``."""
    app = get_app()
    with app.app_context():
        from app.extensions import db
        from app.services import storage

        def put(name: str, data: bytes) -> None:
            storage.write(f"previews/{token}/{name}", data)
            db.session.commit()

        def state(**values: Any) -> None:
            put("state.json", json.dumps(values, ensure_ascii=False).encode())

        try:
            try:
                asked = json.loads(storage.read(f"previews/{token}/request.json"))
            except FileNotFoundError:
                return "missing"  # replaced by a newer preview of the same user
            state(state="running")
            from worker.context import template_for
            from worker.convert import docx_to_pdf
            from worker.render import render_docx

            ctx, issuer_id = preview_context(asked["definition"])
            source = template_for(issuer_id, "plan")
            template = source if isinstance(source, bytes) else source.read_bytes()
            db.session.rollback()  # no transaction held during the slow part
            docx = render_docx(template, ctx)
            pages = pdf_pages_png(docx_to_pdf(docx))
            for i, png in enumerate(pages, 1):
                put(f"page-{i}.png", png)
            state(state="done", pages=len(pages))
            return "done"
        except Exception as exc:  # the user sees why, in Vietnamese; the log has the trace
            db.session.rollback()
            log.exception("render_preview %s failed", token)
            message = error_message(exc).replace(" Hệ thống sẽ tự thử lại.", "")
            state(state="failed", error=message)
            return "failed"
        finally:
            db.session.remove()
