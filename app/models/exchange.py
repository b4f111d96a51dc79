"""edXML document exchange: to whom a released document was sent and what each recipient
answered (status packets), see app/services/exchange.py and docs/edxml.md."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow


class ExchangeRecipient(Model):
    """One recipient of a document's edXML packet (one ``To``), made when the packet is
    exported. ``packet_id`` is the packet's DocumentId, which status packets answer to."""

    __tablename__ = "exchange_recipient"
    __table_args__ = (UniqueConstraint("document_id", "organ_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    organ_id: Mapped[str] = mapped_column(String(16))
    organ_name: Mapped[str] = mapped_column(String(255))
    packet_id: Mapped[str] = mapped_column(String(200), index=True)
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    statuses: Mapped[list[ExchangeStatus]] = relationship(
        back_populates="recipient",
        order_by="(ExchangeStatus.at, ExchangeStatus.id)",
        cascade="all, delete-orphan",
    )


class ExchangeStatus(Model):
    """A status packet a recipient sent about the document (StatusCode 01 … 16), at the time
    the packet says (``at``); ``received_at`` is when kehoach read it. The same packet read
    twice is kept once."""

    __tablename__ = "exchange_status"
    __table_args__ = (UniqueConstraint("recipient_id", "code", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_recipient.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(2))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="upload")  # upload | folder
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recipient: Mapped[ExchangeRecipient] = relationship(back_populates="statuses")


class ExchangeIncoming(Model):
    """A document packet another agency sent (received on the endpoint, from the exchange
    folder or its periodic job): kept as received (``file_path``, a key of
    app.services.storage) until a clerk or specialist adds it as the legal basis (căn cứ) of a
    draft plan. The same packet received twice is kept once (``sha256``)."""

    __tablename__ = "exchange_incoming"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    packet_id: Mapped[str] = mapped_column(String(200), index=True)
    organ_id: Mapped[str] = mapped_column(String(16))
    organ_name: Mapped[str] = mapped_column(String(255))
    code: Mapped[str] = mapped_column(String(80))
    type_name: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(Text)
    promulgation_date: Mapped[date | None] = mapped_column(Date)
    file_path: Mapped[str] = mapped_column(String(512))
    source: Mapped[str] = mapped_column(String(16), default="api")  # api | folder
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"))
