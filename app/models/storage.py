"""Stored files: generated documents and uploads kept in the database, so every web and worker
host reaches them (``KEHOACH_STORAGE=database``; see :mod:`app.services.storage`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow


class StoredFile(Model):
    """One file under its key (``documents/7/doc-7-v0-draft.pdf``): the same relative path the
    folder backend uses, so the rows that name files (documents, templates, attachments) do not
    depend on where the bytes are."""

    __tablename__ = "stored_file"
    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
