"""The periodic reading of the exchange folder (edXML packets an exchange adapter writes to
``EDXML_INBOX``): run by RQ's scheduler every ``EDXML_POLL_SECONDS``, each run scheduling the
next (app.services.exchange.schedule_inbox), as ``kehoach edxml import-folder`` does by hand."""

from __future__ import annotations

import logging

from worker.appctx import app_context

log = logging.getLogger("kehoach.edxml")


def poll_inbox() -> str:
    """Read the exchange folder once; returns a one-line summary (Vietnamese)."""
    from flask import current_app

    from app.services import exchange

    with app_context():
        folder = current_app.config.get("EDXML_INBOX")
        if not folder:
            return "Chưa cấu hình thư mục trao đổi (KEHOACH_EDXML_INBOX)."
        try:
            result = exchange.import_folder(folder)
        finally:
            exchange.schedule_inbox()
        for name, reason in result.refused:
            log.warning("edXML: từ chối %s: %s", name, reason)
        return (
            f"Đã nhận {len(result.imported)} gói, {len(result.repeated)} gói đã có, "
            f"từ chối {len(result.refused)} gói."
        )
