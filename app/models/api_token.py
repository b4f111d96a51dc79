"""Tokens of the JSON API (``/api/v1``): one per connected system of an agency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.agency import Agency, User
from app.models.base import UTCDateTime, utcnow


class ApiToken(Model):
    """A bearer token of an agency's system (its e-office, a reporting system). Only the
    SHA-256 of the token is kept; the token itself is shown once, when an administrator creates
    it. The token acts as its own user (``user``, of the token's agency, with the roles the
    administrator chose and no password that can log in), so the API is held to exactly the
    policy of the UI, and the audit trail names the system."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
