"""A plan, its assignments, reporting periods and form versions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.agency import Agency, AgencyGroup
from app.models.base import JSONType, UTCDateTime, utcnow


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    IN_PROGRESS = "in_progress"
    REPORTED = "reported"
    CONSOLIDATED = "consolidated"


class PeriodStatus(StrEnum):
    PENDING = "pending"
    OPEN = "open"
    REPORTED = "reported"
    CONSOLIDATED = "consolidated"


class Plan(Model):
    """A Kế hoạch. ``definition`` keeps the whole plan definition (docs/plan-format.md) as loaded
    or edited; the columns hold what is queried and what the workflow changes."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(Text)
    type_abbr: Mapped[str] = mapped_column(String(16), default="KH")
    status: Mapped[str] = mapped_column(String(32), default=PlanStatus.DRAFT, index=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    standing_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    number: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    symbol: Mapped[str | None] = mapped_column(String(64))
    issued_on: Mapped[date | None] = mapped_column(Date)
    schedule_kind: Mapped[str] = mapped_column(String(16), default="once")
    definition: Mapped[dict] = mapped_column(JSONType, default=dict)
    # title, code and symbol folded for search (no marks, lower case), kept by app.lists
    folded: Mapped[str | None] = mapped_column(Text)
    parent_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    issuer: Mapped[Agency] = relationship(foreign_keys=[issuer_id])
    standing_agency: Mapped[Agency] = relationship(foreign_keys=[standing_agency_id])
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="plan", order_by="Assignment.position", cascade="all, delete-orphan"
    )
    periods: Mapped[list[ReportingPeriod]] = relationship(
        back_populates="plan",
        order_by="[ReportingPeriod.starts_on, ReportingPeriod.id]",  # a stable order on ties
        cascade="all, delete-orphan",
    )
    form_versions: Mapped[list[FormVersion]] = relationship(
        back_populates="plan", order_by="FormVersion.version", cascade="all, delete-orphan"
    )

    @property
    def current_form(self) -> FormVersion | None:
        return self.form_versions[-1] if self.form_versions else None

    def requires_report(
        self, assignment: Assignment, period: ReportingPeriod | None = None
    ) -> bool:
        """Whether an assignment owes a report each period (in ``period`` when given): marked
        ``reports`` and not the standing agency's own (it writes the consolidated report
        instead; docs/status.md). An agency assigned only as a member of a group ("UBND các
        huyện, …") owes one only in the periods it is valid at: in existence on the period's
        data cut-off (no district level after 30/6/2025)."""
        owes = bool(assignment.reports) and assignment.agency_id != self.standing_agency_id
        if owes and period is not None and assignment.group_id is not None:
            return assignment.agency.is_active(period.ends_on)
        return owes

    @property
    def reporting_assignments(self) -> list[Assignment]:
        """The assignments that owe a report in some period (``requires_report``)."""
        return [a for a in self.assignments if self.requires_report(a)]

    def __repr__(self) -> str:
        return f"<Plan {self.code} {self.status}>"


class Assignment(Model):
    """One agency's part of a plan (phân công nhiệm vụ)."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("plan_id", "agency_id"),
        # the few assignments due N working days after the period (status.tally)
        Index(
            "ix_assignment_working_days",
            "plan_id",
            postgresql_where=text("due_working_days > 0"),
            sqlite_where=text("due_working_days > 0"),
        ),
        # the few assignments with a worded deadline, "trước ngày 25/12" (status.tally)
        Index(
            "ix_assignment_due_text",
            "plan_id",
            postgresql_where=text("due_text IS NOT NULL"),
            sqlite_where=text("due_text IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="cooperate")  # lead | cooperate
    label: Mapped[str | None] = mapped_column(Text)
    tasks: Mapped[list] = mapped_column(JSONType, default=list)
    inline: Mapped[bool] = mapped_column(Boolean, default=False)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    reports: Mapped[bool] = mapped_column(Boolean, default=True)
    due: Mapped[date | None] = mapped_column(Date)
    # or "N working days after the period's cut-off" (periodic plans)
    due_working_days: Mapped[int | None] = mapped_column(Integer)
    # or as the plan words it, "trước ngày 25/12" (app.services.deadline_text gives each
    # period's date)
    due_text: Mapped[str | None] = mapped_column(String(255))
    # assigned only as a member of this group ("UBND các huyện, …"): owes a report only in
    # the periods it is valid at (status.required); None when the plan names the agency itself
    group_id: Mapped[int | None] = mapped_column(ForeignKey("agency_group.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="assignments")
    agency: Mapped[Agency] = relationship()
    group: Mapped[AgencyGroup | None] = relationship()
    blocks: Mapped[list[AssignmentTask]] = relationship(
        back_populates="assignment",
        order_by="AssignmentTask.position",
        cascade="all, delete-orphan",
    )


class AssignmentTask(Model):
    """One block of an agency's tasks as the plan writes it: in one section (``section``, the
    0-based index in the definition's sections; None: every section that lists assignments),
    as lead or cooperating, named directly or through a group line. An agency with tasks in two
    sections has two blocks and still one ``Assignment`` (one report per period)."""

    __tablename__ = "assignment_task"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    section: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16), default="cooperate")  # lead | cooperate
    group_id: Mapped[int | None] = mapped_column(ForeignKey("agency_group.id"))
    tasks: Mapped[list] = mapped_column(JSONType, default=list)
    # the activity window as worded ("từ ngày 01/12 đến ngày 31/12"), and its dates for the
    # plan's first period (app.services.deadline_text)
    window_text: Mapped[str | None] = mapped_column(String(255))
    window_from: Mapped[date | None] = mapped_column(Date)
    window_to: Mapped[date | None] = mapped_column(Date)
    due_text: Mapped[str | None] = mapped_column(String(255))

    assignment: Mapped[Assignment] = relationship(back_populates="blocks")


class ReportingPeriod(Model):
    """A kỳ báo cáo: one round of reports. One-off plans have one; periodic plans one per
    period, each running its own round (open → reported → consolidated)."""

    __tablename__ = "reporting_period"
    __table_args__ = (
        UniqueConstraint("plan_id", "key"),
        Index("ix_reporting_period_status", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))  # "2023", "2024-H1", "2024-Q3", "2024-05", "once"
    label: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)  # data cut-off window start
    ends_on: Mapped[date] = mapped_column(Date)  # data cut-off (chốt số liệu)
    due_on: Mapped[date] = mapped_column(Date)  # deadline (hạn gửi báo cáo)
    status: Mapped[str] = mapped_column(String(16), default=PeriodStatus.PENDING)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    missing_agencies: Mapped[list] = mapped_column(JSONType, default=list)
    # reports are refused this many days after an agency's deadline, unless reopened (None: never)
    lock_after_days: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # the version of the period's facts (its statuses and consolidated figures): raised in the
    # transaction of every write that can change them (app.services.facts); the kept
    # ``PeriodFacts`` row is current only while it carries the same number. Never read through
    # the ORM (a loaded value may be stale): app.services.facts selects it.
    facts_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship(back_populates="periods")


class PeriodFacts(Model):
    """What a reporting period's pages show, kept (DHIS2 keeps a completeness registration the
    same way): the period's ``status.Counts`` as ``status.tally`` counted them, valid for the
    period's ``facts_version`` and the Vietnam day they were counted on (overdue depends on
    the day), and its consolidated figures as ``forms.consolidate`` added them up, valid for
    ``facts_version`` alone. Written by readers (app.services.facts), never by hand: a stale
    or missing row is recomputed, so a row can be deleted at any time."""

    __tablename__ = "period_facts"
    period_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_period.id", ondelete="CASCADE"), primary_key=True
    )
    counts_version: Mapped[int | None] = mapped_column(Integer)
    counts_day: Mapped[date | None] = mapped_column(Date)
    counts: Mapped[dict | None] = mapped_column(JSONType)
    totals_version: Mapped[int | None] = mapped_column(Integer)
    totals: Mapped[dict | None] = mapped_column(JSONType)


class FormVersion(Model):
    """A numbered version of a plan's reporting form schema (docs/form-schema.md)."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    schema: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="form_versions")
