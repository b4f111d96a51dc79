"""Documents (văn bản), the outgoing register (sổ văn bản đi) and its counters."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TypedDict

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.agency import Agency
from app.models.base import JSONType, UTCDateTime, utcnow


class DocumentKind(StrEnum):
    PLAN = "plan"
    REPORT = "report"
    CONSOLIDATED = "consolidated"
    REMINDER = "reminder"


KIND_TYPE_ABBR = {
    DocumentKind.PLAN: "KH",
    DocumentKind.REPORT: "BC",
    DocumentKind.CONSOLIDATED: "BC",
    DocumentKind.REMINDER: "",  # công văn: AGENCY-UNIT
}


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_SIGNATURE = "awaiting_signature"
    SIGNED = "signed"
    RELEASED = "released"


class SignerEntry(TypedDict, total=False):
    """A signer as the documents print it (``AgencySigner.as_dict``, ``signers.check``)."""

    authority: str  # "" | "TM." | "KT." | "TL." | "TUQ." | "Q."
    authority_of: str
    title: str
    position_note: str
    name: str


class ReturnedNote(TypedDict):
    """Why a draft is back with its drafter ("Trả lại dự thảo", or the data changed)."""

    reason: str
    why: str  # declined | content_changed | withdrawn
    by: str
    at: str  # ISO time
    version: int


class OverdueNote(TypedDict):
    """An agency a reminder names, as the status module said on the day it was drafted."""

    agency: str
    name: str
    due: str  # ISO date
    days: int
    text: str


class ReminderNote(TypedDict):
    """What a công văn đôn đốc was drafted for (app.services.reminders.draft_dispatch)."""

    overdue: list[OverdueNote]
    new_due: str  # ISO date: the deadline the reminder gives
    as_of: str
    plan_ref: str


class DocumentSnapshot(TypedDict, total=False):
    """``Document.snapshot`` (JSON): the issuing agency as it was when the document was made,
    and the facts of its life the rendering reads (issue 11 point 7: typed, checked by mypy).
    Every key is optional: documents made by older versions lack the newer ones."""

    code: str
    name: str
    abbreviation: str
    place: str
    header_parent: str
    header_name: str
    addressees: list[str]  # "Kính gửi:" of a report
    signer: SignerEntry  # recorded at signing
    signer_name: str
    signed_version: int  # the frozen version the signer was shown and signed
    signed_at: str  # ISO time the signature claims (an uploaded signed copy)
    returned: ReturnedNote
    reminder: ReminderNote
    new_due: str  # older reminders kept the new deadline here
    signed_by_id: int  # who clicked "Ký": whose key signs the released PDF (signing_keys)
    recorded: bool  # a plan recorded as issued on paper: a copy of the original, never signed


class Document(Model):
    """A generated document and its signing life. ``snapshot`` keeps the issuing agency's name,
    abbreviation and place as they were when the document was made, so later renames and
    mergers do not rewrite history. Files are kept by app.services.storage (PostgreSQL or a
    shared folder) under their keys (``*_path``, relative paths)."""

    __tablename__ = "document"
    # one plan document per plan: two racing "draft the plan document" clicks make one
    __table_args__ = (
        Index(
            "uq_document_one_per_plan",
            "plan_id",
            unique=True,
            postgresql_where=text("kind = 'plan'"),
            sqlite_where=text("kind = 'plan'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32), default=DocumentStatus.DRAFT, index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan.id", ondelete="CASCADE"), index=True
    )
    period_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    title: Mapped[str] = mapped_column(Text)
    type_abbr: Mapped[str] = mapped_column(String(16), default="")
    unit_abbr: Mapped[str | None] = mapped_column(String(32))  # drafting unit, for công văn
    number: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    symbol: Mapped[str | None] = mapped_column(String(64))
    issued_on: Mapped[date | None] = mapped_column(Date)
    snapshot: Mapped[DocumentSnapshot] = mapped_column(JSONType, default=dict)
    docx_path: Mapped[str | None] = mapped_column(String(512))
    pdf_path: Mapped[str | None] = mapped_column(String(512))
    signed_path: Mapped[str | None] = mapped_column(String(512))
    # none | queued | running | done | failed
    render_state: Mapped[str] = mapped_column(String(16), default="none")
    render_progress: Mapped[int] = mapped_column(Integer, default=0)
    render_error: Mapped[str | None] = mapped_column(Text)
    render_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The number of the newest DocumentVersion (0: none yet). While the document awaits
    # signature this is the frozen version the signer is shown and signs.
    content_version: Mapped[int] = mapped_column(Integer, default=0)
    # The draft's version as people count it ("DỰ THẢO (lần 2)"): 1, then +1 for each edited
    # copy uploaded before signing (app.services.drafts).
    draft_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Whom the draft is made for (chosen when drafted, changeable, audited: app.services.signers)
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("agency_signer.id"))
    # A draft edited in Word and uploaded (app.services.drafts): rendered from this .docx, not
    # from the template; the number and date are filled in on release.
    source_path: Mapped[str | None] = mapped_column(String(512))

    __mapper_args__ = {"version_id_col": version}

    agency: Mapped[Agency] = relationship()


class VersionStage(StrEnum):
    DRAFT = "draft"  # rendered from the data (creation, "Soạn lại", back to draft after an edit)
    SIGNED = "signed"  # the frozen content with only the signer block filled in
    RELEASED = "released"  # the frozen content with only number, date and stamp filled in
    # rendered from the data of a plan recorded as issued on paper: the recorded number and
    # date, marked as recorded from the issued original (never signed or numbered here)
    RECORDED = "recorded"


class DocumentVersion(Model):
    """One rendered content of a document. A draft version is rendered from the data; a signed
    or released version is the content of ``base`` (its stored context and template) with only
    the keys in ``fill`` replaced, never re-rendered from changed data. ``sha256`` is the
    .docx's, shown on the document page so the signer knows which file is signed."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(16), default=VersionStage.DRAFT)
    render_key: Mapped[str] = mapped_column(String(128), unique=True)
    base_id: Mapped[int | None] = mapped_column(ForeignKey("document_version.id"))
    fill: Mapped[list] = mapped_column(JSONType, default=list)
    docx_path: Mapped[str | None] = mapped_column(String(512))
    pdf_path: Mapped[str | None] = mapped_column(String(512))
    context_path: Mapped[str | None] = mapped_column(String(512))
    template_path: Mapped[str | None] = mapped_column(String(512))
    sha256: Mapped[str | None] = mapped_column(String(64))
    signer: Mapped[dict | None] = mapped_column(JSONType)  # the signer the content shows
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def short_hash(self) -> str:
        return (self.sha256 or "")[:12]


class RegisterCounter(Model):
    """The last number given per issuing agency per calendar year. Incremented with an atomic
    ``UPDATE … RETURNING`` inside the issuing transaction, so numbers are unique and gap-free."""

    __tablename__ = "register_counter"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class RegisterEntry(Model):
    """A line of the sổ đăng ký văn bản đi."""

    __tablename__ = "register_entry"
    __table_args__ = (UniqueConstraint("agency_id", "year", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    signer_name: Mapped[str | None] = mapped_column(String(255))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
