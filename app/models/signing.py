"""Digital signing material (issue 15): PKCS#12 keys kept encrypted at rest, the signer's
signature image and the agency's seal image, the admin's trust roots, and what the last check
of a document's signed PDF found. See docs/signing.md and app/services/signing_keys.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import JSONType, UTCDateTime, utcnow


class SigningIdentity(Model):
    """The signing material of one agency (``agency_id``: its key and seal image) or one
    signer (``user_id``: their key and signature image). ``key_encrypted`` is the PKCS#12
    re-serialized without a passphrase and encrypted with the server's key-encryption key
    (Fernet; ``KEHOACH_KEY_ENCRYPTION_KEY``, else derived from the secret key): the passphrase
    the admin typed is used once, in memory, and never stored. ``image_path`` is a key of
    app.services.storage (a PNG)."""

    __tablename__ = "signing_identity"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), unique=True)
    key_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    cert_subject: Mapped[str | None] = mapped_column(String(512))
    cert_issuer: Mapped[str | None] = mapped_column(String(512))
    cert_serial: Mapped[str | None] = mapped_column(String(64))
    cert_not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cert_not_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cert_sha256: Mapped[str | None] = mapped_column(String(64))
    image_path: Mapped[str | None] = mapped_column(String(512))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class TrustRoot(Model):
    """A root (or intermediate) CA certificate the admin trusts: signatures and uploaded keys
    must chain to one of these. Data, not code: the national root CA is uploaded, never
    fetched."""

    __tablename__ = "trust_root"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    not_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class SignatureCheck(Model):
    """The digital signatures of a document's signed file, as last signed or checked by the
    worker. ``state``: queued | running | done | failed; ``origin``: produced (signed here on
    release) | uploaded (the clerk's file); ``results``: one dict per signature (field, signer,
    signed_at ISO 8601 +07:00, intact, trusted, valid, message)."""

    __tablename__ = "signature_check"
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(16), default="queued")
    origin: Mapped[str] = mapped_column(String(16), default="uploaded")
    file_path: Mapped[str | None] = mapped_column(String(512))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    results: Mapped[list] = mapped_column(JSONType, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RevocationData(Model):
    """A CRL or an OCSP response the admin uploaded (DER kept, SHA-256 unique): validation
    checks the certificates' revocation against these (and against what a PDF carries in its
    DSS), without network unless the admin allows fetching (``REVOCATION_FETCH``)."""

    __tablename__ = "revocation_data"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # crl | ocsp
    issuer: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    this_update: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_update: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
