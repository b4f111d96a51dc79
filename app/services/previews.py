"""Previews of a plan's document while it is being edited ("Xem trước văn bản").

A preview is the plan document as it would be printed, rendered by the worker from the editor's
current (unsaved) definition: .docx → PDF (LibreOffice) → one PNG per page (pdftoppm). It is
**not** a document: no ``Document`` or ``DocumentVersion`` row, no number, nothing that can be
submitted, signed or released (docs/documents.md); every page carries the mark "BẢN XEM TRƯỚC"
where a draft carries "DỰ THẢO". Its files live under ``previews/<token>/`` in the storage:

- ``request.json`` — who asked (user id), when, and the definition to render (written here);
- ``state.json`` — ``{"state": "running"|"done"|"failed", "pages": n, "error": str}`` (worker);
- ``page-<n>.png`` — the pages (worker).

Only the user who asked may see a preview; a user's older previews are removed when they ask
for a new one. Previews, of the document and of a text box (:func:`text_html`), are for those
who may write plans (``plan.write`` in :mod:`app.services.policy`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from app.models import User
from app.services import clock, policy, richtext, storage
from app.services.exceptions import NotAllowed
from app.services.jobs import after_commit, get_queue

PREFIX = "previews"
MARK = "BẢN XEM TRƯỚC – KHÔNG DÙNG ĐỂ KÝ"
JOB = "worker.preview.render_preview"


def _key(token: str, name: str) -> str:
    if not token.isalnum() or len(token) > 64:
        raise NotAllowed(_("Bản xem trước không tồn tại"))
    return f"{PREFIX}/{token}/{name}"


def request(definition: dict[str, Any], user: User) -> str:
    """Keep ``definition`` for rendering and enqueue the job once the caller commits; returns
    the preview's token. Raises ``NotAllowed`` (Vietnamese) when ``user`` may not write plans or
    no worker queue is configured."""
    policy.require(user, "plan.write")
    if get_queue() is None:
        raise NotAllowed(
            _("Chưa tạo được bản xem trước: máy chủ chưa chạy bộ xử lý văn bản (hàng đợi Redis).")
        )
    _forget_older(user)
    token = secrets.token_hex(16)
    body = {"user_id": user.id, "asked_at": clock.now().isoformat(), "definition": definition}
    storage.write(_key(token, "request.json"), json.dumps(body, ensure_ascii=False).encode())
    storage.write(_key(token, "state.json"), json.dumps({"state": "queued"}).encode())

    def _enqueue() -> None:
        queue = get_queue()
        if queue is not None:
            queue.enqueue(JOB, token, job_timeout=300)

    after_commit(_enqueue)
    return token


def _owner(token: str) -> int | None:
    try:
        return json.loads(storage.read(_key(token, "request.json")))["user_id"]
    except (FileNotFoundError, ValueError, KeyError):
        return None


def _forget_older(user: User) -> None:
    """Remove the user's earlier previews (one preview per user is kept)."""
    seen: set[str] = set()
    for key in storage.keys(PREFIX):
        token = key.split("/")[1] if key.count("/") >= 2 else ""
        if not token or token in seen:
            continue
        seen.add(token)
        if _owner(token) == user.id:
            for k in storage.keys(f"{PREFIX}/{token}"):
                storage.delete(k)


def state(token: str, user: User) -> dict[str, Any]:
    """The preview's state for its owner; ``NotAllowed`` for anyone else or an unknown token."""
    if _owner(token) != user.id:
        raise NotAllowed(_("Bản xem trước không tồn tại"))
    try:
        return json.loads(storage.read(_key(token, "state.json")))
    except (FileNotFoundError, ValueError):
        return {"state": "queued"}


def page(token: str, user: User, n: int) -> bytes:
    """The PNG of page ``n`` (from 1) for the preview's owner."""
    done = state(token, user)
    if done.get("state") != "done" or not (1 <= n <= int(done.get("pages") or 0)):
        raise NotAllowed(_("Trang xem trước không tồn tại"))
    return storage.read(_key(token, f"page-{n}.png"))


def text_html(user: User, text: str, assignment: Mapping[str, object] | None = None) -> str:
    """The live "Xem như sẽ in" under an editor's text box: ``text`` as the plan prints it
    (:mod:`app.services.richtext`, the parser the documents use), as HTML. With ``assignment``
    (``inline``, ``due_text``, ``window``), ``text`` is that line's tasks, printed with its
    deadline and activity window in words. Reads and keeps nothing; ``NotAllowed`` unless
    ``user`` may write plans."""
    policy.require(user, "plan.write")
    text = text[: richtext.MAX_CHARS]
    if assignment is not None:
        text = richtext.printed_assignment({**assignment, "tasks": richtext.split_items(text)})
    return richtext.to_html(text)


__all__ = ["MARK", "page", "request", "state", "text_html"]
