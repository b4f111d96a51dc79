"""Reports, their kept versions, and consolidations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.agency import Agency, User
from app.models.base import JSONType, UTCDateTime, utcnow
from app.models.plan import Assignment, FormVersion, Plan, ReportingPeriod


class ReportStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class Report(Model):
    """One agency's report for one period. ``data`` is the current content; every submitted or
    returned state is kept as a ``ReportVersion``. ``version`` guards concurrent edits."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("period_id", "agency_id"),
        # the review queue: reports waiting, oldest first, a page at a time
        Index("ix_report_status_submitted", "status", "submitted_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id", ondelete="CASCADE"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    status: Mapped[str] = mapped_column(String(32), default=ReportStatus.DRAFT, index=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str | None] = mapped_column(Text)
    times_returned: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    assignment: Mapped[Assignment] = relationship()
    agency: Mapped[Agency] = relationship()
    form_version: Mapped[FormVersion] = relationship()
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.number", cascade="all, delete-orphan"
    )


class ReportVersion(Model):
    """A frozen copy of a report's content at a transition (submitted, returned, accepted…)."""

    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("report_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(JSONType)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()


class Consolidation(Model):
    """The standing agency's consolidated results for one period (tổng hợp)."""

    __tablename__ = "consolidation"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id", ondelete="CASCADE"))
    results: Mapped[dict] = mapped_column(JSONType, default=dict)
    narrative: Mapped[str | None] = mapped_column(Text)
    # The standing agency's own parts of its consolidated report, as it edited them before
    # signing (app/services/report_parts.py): addressees, recipients, assessment, next_steps,
    # proposals. None until edited: the report prints the defaults taken from the plan.
    report_parts: Mapped[dict | None] = mapped_column(JSONType)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
