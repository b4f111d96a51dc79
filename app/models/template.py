"""An agency's own .docx template for one kind of document, checked by a job before use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.agency import Agency
from app.models.base import JSONType, UTCDateTime, utcnow

TEMPLATE_STATUS_LABELS = {
    "pending": "Đang kiểm tra",
    "accepted": "Đã chấp nhận",
    "refused": "Bị từ chối",
}


class AgencyTemplate(Model):
    """An uploaded template. ``status`` is pending until the check job accepts it (every variable
    it reads is supplied) or refuses it (``problems``: Vietnamese sentences naming what is
    wrong). ``path`` is its key in app.services.storage."""

    __tablename__ = "agency_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    problems: Mapped[list] = mapped_column(JSONType, default=list)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()

    @property
    def status_label(self) -> str:
        return TEMPLATE_STATUS_LABELS.get(self.status, self.status)
