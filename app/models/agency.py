"""Agencies and the people who work in them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow


class Role(StrEnum):
    SPECIALIST = "specialist"  # chuyên viên
    CLERK = "clerk"  # văn thư
    SIGNER = "signer"  # lãnh đạo ký
    REPORTER = "reporter"  # cán bộ đầu mối của cơ quan được giao
    AGENCY_LEADER = "agency_leader"  # lãnh đạo cơ quan được giao
    ADMIN = "admin"


ROLE_LABELS = {
    Role.SPECIALIST: "Chuyên viên",
    Role.CLERK: "Văn thư",
    Role.SIGNER: "Lãnh đạo ký",
    Role.REPORTER: "Cán bộ đầu mối báo cáo",
    Role.AGENCY_LEADER: "Lãnh đạo cơ quan",
    Role.ADMIN: "Quản trị",
}


class Agency(Model):
    """A cơ quan, đơn vị. Merged or renamed agencies are retired (``valid_to``) with a successor;
    documents keep the name they were issued with (see ``Document.snapshot``)."""

    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # Mã định danh for document exchange (edXML From/To, app.services.exchange): dotted code
    # such as 000.00.00.H57; set by the admin, unique; empty: the agency cannot be sent to.
    organ_id: Mapped[str | None] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str | None] = mapped_column(String(255))
    abbreviation: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16), default="province")
    place: Mapped[str] = mapped_column(String(128))
    header_parent: Mapped[str | None] = mapped_column(String(255))
    # The name as printed in the document header, its lines separated by "\n" (set by the
    # admin); empty: the default of app.services.header_names (breaks between word groups).
    header_name: Mapped[str | None] = mapped_column(String(255))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    # name, short name and place folded for search (no marks, lower case), kept by app.lists
    folded: Mapped[str | None] = mapped_column(Text)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    successor: Mapped[Agency | None] = relationship(remote_side=[id], foreign_keys=[successor_id])

    def is_active(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


agency_group_member = Table(
    "agency_group_member",
    Model.metadata,
    Column("group_id", ForeignKey("agency_group.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
)


class AgencyGroup(Model):
    """A group of agencies a plan assigns as one line ("UBND các huyện, thị xã, thành phố"),
    managed by the administrator: its ``name`` is printed once in the plan; for reporting it
    expands to its members (``app.services.groups``), each with its own report and status.
    Members are listed (``members``), or given by a rule: every agency of ``member_level``
    (under ``member_parent`` when set), or both. Only members valid at a period count in it."""

    __tablename__ = "agency_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    member_level: Mapped[str | None] = mapped_column(String(16))
    member_parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))

    member_parent: Mapped[Agency | None] = relationship(foreign_keys=[member_parent_id])
    members: Mapped[list[Agency]] = relationship(
        secondary=agency_group_member, order_by="Agency.name"
    )

    def __repr__(self) -> str:
        return f"<AgencyGroup {self.code}>"


class AgencySigner(Model):
    """A person who signs the agency's documents (Decree 30/2020, Article 13), managed by the
    admin: the name, the title and the authority prefix (TM./KT./TL./TUQ./Q.) with whom it
    is for, for the document kinds listed (``kinds``: space-separated, empty = every kind).
    The first active signer (``position``) for a kind is the one a new draft is made for."""

    __tablename__ = "agency_signer"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255))
    authority: Mapped[str] = mapped_column(String(8), default="")
    authority_of: Mapped[str] = mapped_column(String(255), default="")
    position_note: Mapped[str] = mapped_column(String(255), default="")
    kinds: Mapped[str] = mapped_column(String(128), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    agency: Mapped[Agency] = relationship()

    def for_kind(self, kind: str) -> bool:
        return not self.kinds.split() or kind in self.kinds.split()

    def as_dict(self) -> dict[str, str]:
        """The signer as the documents print it (worker.contexts ``signer``)."""
        return {
            "authority": self.authority or "",
            "authority_of": self.authority_of or "",
            "title": self.title,
            "position_note": self.position_note or "",
            "name": self.name,
        }

    @property
    def label(self) -> str:
        prefix = f"{self.authority} {self.authority_of} – ".upper() if self.authority else ""
        return f"{self.name} ({prefix}{self.title.upper()})"


class User(UserMixin, Model):
    """A person. Belongs to one agency; roles are a space-separated set of ``Role`` values."""

    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    roles_text: Mapped[str] = mapped_column("roles", String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # every session and remember-me cookie carries this number (``get_id``); raising it on logout
    # or a password change/reset signs the user out everywhere
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    agency: Mapped[Agency] = relationship()

    @property
    def roles(self) -> set[str]:
        return set(self.roles_text.split())

    @roles.setter
    def roles(self, value) -> None:  # noqa: ANN001
        self.roles_text = " ".join(sorted({str(Role(v)) for v in value}))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & {str(r) for r in roles})

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session and the remember-me cookie hold: ``"<id>:<session version>"``."""
        return f"{self.id}:{self.session_version or 1}"

    def revoke_sessions(self) -> None:
        """Sign the user out of every browser (the next request of each finds a stale id)."""
        self.session_version = (self.session_version or 1) + 1

    @property
    def is_active(self) -> bool:
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username}>"
