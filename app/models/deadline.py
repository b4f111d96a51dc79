"""Deadlines: extensions (gia hạn), reopenings of a locked period (mở lại), sent reminders
(nhắc hạn, đôn đốc) and in-app notifications (thông báo)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.agency import Agency, User
from app.models.base import UTCDateTime, utcnow
from app.models.plan import ReportingPeriod


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class Extension(Model):
    """An agency's request for a later deadline in one period, and the standing agency's
    decision."""

    __tablename__ = "extension"
    # at most one pending request per (period, agency), even when two are sent at once
    __table_args__ = (
        Index("ix_extension_period_agency", "period_id", "agency_id"),
        Index(
            "uq_extension_one_pending",
            "period_id",
            "agency_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ExtensionStatus.PENDING)
    granted_due: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # grant and refuse racing on one request: exactly one UPDATE matches this version
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    period: Mapped[ReportingPeriod] = relationship()
    agency: Mapped[Agency] = relationship()


class Reopen(Model):
    """The standing agency lets one agency report in a locked period (until a date, or open)."""

    __tablename__ = "reopen"
    __table_args__ = (Index("ix_reopen_period_agency", "period_id", "agency_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    until: Mapped[date | None] = mapped_column(Date)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reminder(Model):
    """A reminder sent to one agency for one period and deadline. The unique key makes sending
    idempotent: a job that runs twice, or again after a worker restart, finds the row and sends
    nothing. A granted extension gives a new deadline, hence its own before/overdue reminders."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("period_id", "agency_id", "kind", "due"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    kind: Mapped[str] = mapped_column(String(16))  # before | overdue
    due: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()


class Notification(Model):
    """Something a user should see: an assignment received, a report returned or accepted, a
    document to sign, a deadline near, a report overdue."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


__all__ = ["Extension", "ExtensionStatus", "Notification", "Reminder", "Reopen"]
