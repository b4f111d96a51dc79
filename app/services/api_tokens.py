"""API tokens: created and revoked by an administrator, checked on every API request.

A token is ``khk_`` + 43 URL-safe random characters (256 bits). Only its SHA-256 is stored (a
fast hash is right for a random secret of that size: nothing to brute-force), looked up by that
hash. Each token acts as its own user of the agency, with the roles chosen at creation, so the
API answers to the same policy as the UI and the audit trail names the system."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Agency, ApiToken, Role, User
from app.services import audit, clock, policy
from app.services.exceptions import InvalidInput

PREFIX = "khk_"
# What a connected system may do: read and submit its agency's reports (reporter), approve them
# (agency leader), act for a standing agency (specialist), or post edXML packets as an exchange
# adapter (clerk). Never admin or signer.
#: The roles a token may act with; the clerk's for an exchange adapter posting edXML packets
#: (``POST /api/v1/edxml``: status packets of the agency's documents, documents addressed to it):
#: a token with only the clerk's role reads nothing through the API (``api.read``).
ALLOWED_ROLES = (Role.REPORTER, Role.AGENCY_LEADER, Role.SPECIALIST, Role.CLERK)
_TOKEN = re.compile(r"^khk_[A-Za-z0-9_-]{43}$")


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create(agency: Agency, name: str, roles: list[str], actor: User | None) -> tuple[ApiToken, str]:
    """A new token for ``agency``; returns it and the raw token (shown once, never stored).
    ``actor`` is the administrator, or None for the server's operator (``kehoach api-token``)."""
    policy.require(actor, "api_token.manage")
    name = " ".join((name or "").split())[:128]
    if not name:
        raise InvalidInput("Vui lòng nhập “Tên hệ thống”.", {"name": "Vui lòng nhập tên."})
    chosen = sorted({str(Role(r)) for r in roles if r in {str(x) for x in ALLOWED_ROLES}})
    if not chosen:
        raise InvalidInput(
            "Vui lòng chọn ít nhất một “Quyền” của mã truy cập.",
            {"roles": "Chọn ít nhất một quyền."},
        )
    raw = PREFIX + secrets.token_urlsafe(32)
    n = (db.session.scalar(select(func.count(ApiToken.id))) or 0) + 1
    user = User(
        username=f"api.{agency.code.lower()}.{n}.{secrets.token_hex(2)}"[:64],
        full_name=f"Hệ thống kết nối: {name}"[:255],
        agency_id=agency.id,
    )
    user.roles = chosen
    user.set_password(secrets.token_urlsafe(48))  # nobody knows it: no login to the UI
    db.session.add(user)
    db.session.flush()
    token = ApiToken(
        agency_id=agency.id,
        user_id=user.id,
        name=name,
        token_hash=digest(raw),
        prefix=raw[:12],
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        actor, token, "create", comment=name, data={"roles": chosen, "agency": agency.code}
    )
    return token, raw


def revoke(token: ApiToken, actor: User) -> None:
    policy.require(actor, "api_token.manage")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.user.active = False
        audit.record(actor, token, "revoke", comment=token.name)


def authenticate(raw: str | None) -> ApiToken | None:
    """The live token for ``raw``, or None (unknown, malformed, revoked, user inactive)."""
    if not raw or not _TOKEN.match(raw):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(raw)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now  # at most one write per token every five minutes
    return token
