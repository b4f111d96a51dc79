"""Document exchange over the national axis (edXML, QCVN 102:2016/BTTTT): a released document
as an edXML packet addressed to its recipients, the status packets they answer with, and an
incoming plan packet of a parent agency as the legal basis (căn cứ) of a draft plan.

The packet format itself is :mod:`app.services.edxml` (bytes in, bytes out). This module maps
kehoach's data onto it; every reading we had to choose is here, once, and listed in
docs/edxml.md:

- ``organ_id`` of an agency (mã định danh): ``edxml.ORGAN_ID_RE`` (the XSD's ``OrganIdType``).
- DocumentId: :func:`packet_id` — "<organ id>,<yyyy/MM/dd>,<number/symbol>".
- DocumentType: :data:`TYPE_ADMINISTRATIVE` and :data:`TYPE_DETAILS` (Decree 30, Art. 7).
- Code: :func:`code_parts` — CodeNumber the register number, CodeNotation the rest of the
  symbol ("KH-UBND").
- SignerInfo: :func:`signer_info`; DueDate: :func:`due_date`; ToPlaces: :func:`to_places`;
  ResponseFor: :func:`response_for`.
- Recipients (``To``): :func:`addressees`.
- The PDF sent: :func:`pdf_to_send`.
- StatusCode → the page's columns: :data:`STAGES`.
- The legal-basis sentence of an incoming packet: :func:`basis_line`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Agency,
    Assignment,
    Document,
    DocumentKind,
    DocumentStatus,
    ExchangeIncoming,
    ExchangeRecipient,
    ExchangeStatus,
    Plan,
    PlanStatus,
    User,
    VersionStage,
)
from app.services import audit, clock, documents, edxml, plans, policy, storage
from app.services.exceptions import InvalidInput
from app.services.jobs import get_queue, rq_job_id
from forms.formatting import format_date_text

ORGAN_ID_RE = edxml.ORGAN_ID_RE
#: A status packet is a few kilobytes; anything bigger is refused before it is parsed.
MAX_STATUS_BYTES = 1024 * 1024
#: A document packet (PDF and .docx, base64) is refused above the upload limit of the app.
MAX_BASIS_BYTES = 20 * 1024 * 1024
#: Packet files an exchange adapter drops into the folder.
FOLDER_SUFFIXES = (".xml", ".edxml")

#: DocumentType/Type: kehoach issues administrative documents (văn bản hành chính) only.
TYPE_ADMINISTRATIVE = 1
#: DocumentType/TypeDetail and TypeName: the position of the type in Decree 30/2020, Art. 7
#: (1 Nghị quyết … 29 Thư công), keyed by the symbol's type abbreviation ("" = công văn).
TYPE_DETAILS: dict[str, tuple[int, str]] = {
    "NQ": (1, "Nghị quyết"),
    "QĐ": (2, "Quyết định"),
    "CT": (3, "Chỉ thị"),
    "QC": (4, "Quy chế"),
    "QYĐ": (5, "Quy định"),
    "TC": (6, "Thông cáo"),
    "TB": (7, "Thông báo"),
    "HD": (8, "Hướng dẫn"),
    "CTR": (9, "Chương trình"),
    "KH": (10, "Kế hoạch"),
    "PA": (11, "Phương án"),
    "ĐA": (12, "Đề án"),
    "DA": (13, "Dự án"),
    "BC": (14, "Báo cáo"),
    "BB": (15, "Biên bản"),
    "TTR": (16, "Tờ trình"),
    "HĐ": (17, "Hợp đồng"),
    "": (18, "Công văn"),
    "CĐ": (19, "Công điện"),
}

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Stage:
    key: str
    label: Any  # lazy string
    codes: frozenset[str]


#: The columns the document page shows per recipient, and the StatusCodes that fill each
#: (the time shown is the newest packet of those codes). 13/15/16 (recall) show only as the
#: current state.
STAGES = (
    Stage("arrived", _l("Đã đến"), frozenset({"01", "04"})),
    Stage("accepted", _l("Đã tiếp nhận"), frozenset({"03"})),
    Stage("refused", _l("Từ chối"), frozenset({"02"})),
    Stage("processing", _l("Đang xử lý"), frozenset({"05"})),
    Stage("done", _l("Đã hoàn thành"), frozenset({"06"})),
)


def _refuse(message: str, field_name: str = "packet") -> InvalidInput:
    return InvalidInput(message, {field_name: message})


# ----------------------------------------------------------------------------- organ ids


def clean_organ_id(value: str | None) -> str | None:
    """The admin's input as stored: upper case, no spaces; ``None`` when empty. Refused
    (naming the field) when it is not a dotted code like 000.00.00.H57."""
    text = (value or "").strip().upper()
    if not text:
        return None
    if not ORGAN_ID_RE.match(text):
        raise _refuse(
            gettext(
                "“Mã định danh” phải gồm 4 nhóm chữ số hoặc chữ in hoa, ngăn bởi dấu chấm "
                "(ví dụ 000.00.00.H57)."
            ),
            "organ_id",
        )
    return text


def organ_of(agency: Agency) -> edxml.Organ:
    if not agency.organ_id:
        raise _refuse(
            gettext(
                "Cơ quan “%(name)s” chưa có mã định danh; quản trị viên cần nhập mã định danh "
                "trước khi gửi văn bản qua trục liên thông.",
                name=agency.name,
            )
        )
    return edxml.Organ(
        organ_id=agency.organ_id,
        name=agency.name[:200],
        in_charge=(agency.parent.name[:200] if agency.parent else ""),
    )


# ----------------------------------------------------------------------------- header fields


def packet_id(doc: Document) -> str:
    """The packet's DocumentId: the issuing agency's code, the date and the number/symbol
    (unique per agency and register; the same document gives the same id every time)."""
    organ = (doc.agency.organ_id or "") if doc.agency else ""
    issued = doc.issued_on.strftime(edxml.DATE_FORMAT) if doc.issued_on else ""
    return f"{organ},{issued},{doc.symbol or ''}"


def code_parts(doc: Document) -> tuple[str, str]:
    """(CodeNumber, CodeNotation) as printed: "05" and "KH-UBND" for 05/KH-UBND (the
    register's symbol, leading zero and all)."""
    number, _, notation = (doc.symbol or "").partition("/")
    return number, notation


def document_type(doc: Document) -> tuple[int, int, str]:
    """(Type, TypeDetail, TypeName)."""
    abbr = (doc.type_abbr or "").upper()
    detail, name = TYPE_DETAILS.get(abbr, TYPE_DETAILS["KH" if doc.kind == "plan" else ""])
    return TYPE_ADMINISTRATIVE, detail, name


def signer_info(doc: Document) -> tuple[str, str, str]:
    """(Competence, Position, FullName) as the document prints them: "TM. ỦY BAN NHÂN DÂN",
    "CHỦ TỊCH", the name."""
    signer = (doc.snapshot or {}).get("signer") or {}
    authority = str(signer.get("authority") or "").strip()
    competence = f"{authority} {str(signer.get('authority_of') or '').strip()}".strip()
    return competence, str(signer.get("title") or "").strip(), str(signer.get("name") or "")


def due_date(doc: Document) -> date | None:
    """DueDate: for a plan, its first reporting deadline; a reminder, the new deadline it
    sets; other documents none."""
    if doc.kind == DocumentKind.PLAN and doc.plan_id:
        plan = db.session.get(Plan, doc.plan_id)
        dues = [p.due_on for p in plan.periods] if plan else []
        return min(dues) if dues else None
    if doc.kind == DocumentKind.REMINDER:
        snap = doc.snapshot or {}
        note = snap.get("reminder")
        chosen = (note.get("new_due") if note else None) or snap.get("new_due")
        try:
            return date.fromisoformat(str(chosen)[:10]) if chosen else None
        except ValueError:
            return None
    return None


def response_for(doc: Document) -> tuple[edxml.Reference, ...]:
    """ResponseFor: a report, a consolidated report or a reminder answers its plan's released
    document (when that was issued by an agency with a code); other documents answer none."""
    if doc.kind == DocumentKind.PLAN or not doc.plan_id:
        return ()
    plan_doc = db.session.scalar(
        select(Document).where(
            Document.plan_id == doc.plan_id,
            Document.kind == DocumentKind.PLAN,
            Document.status == DocumentStatus.RELEASED,
        )
    )
    if plan_doc is None or not plan_doc.agency.organ_id or plan_doc.issued_on is None:
        return ()
    return (
        edxml.Reference(
            organ_id=plan_doc.agency.organ_id,
            code=plan_doc.symbol or "",
            promulgation_date=plan_doc.issued_on,
            document_id=packet_id(plan_doc),
        ),
    )


def _clean_line(line: str) -> str:
    return line.strip().lstrip("-").strip().rstrip(";.,").strip()


def to_places(context: dict) -> list[str]:
    """ToPlaces: whom the released document names — the "Kính gửi" addressees, then the
    "Nơi nhận" lines — as printed, without "- ", ";" and without the "Lưu: …" line (kept by
    the issuer) or "Như trên" (the addressees are already listed)."""
    out: list[str] = []
    first = context.get("addressee_first")
    for line in ([first] if first else []) + list(context.get("addressee_rest") or []):
        out.append(_clean_line(str(line)))
    for line in context.get("recipients") or []:
        text = _clean_line(str(line))
        if text and not text.lower().startswith("lưu") and text.lower() != "như trên":
            out.append(text)
    seen: set[str] = set()
    return [p for p in out if p and not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def released_version(doc: Document) -> Any:
    """The released version with its files made, or a Vietnamese refusal."""
    if doc.status != DocumentStatus.RELEASED:
        raise _refuse(gettext("Chỉ gửi được văn bản đã phát hành."))
    version = documents.current_version(doc)
    if version is not None and version.stage == VersionStage.RECORDED:
        raise _refuse(
            gettext(
                "Văn bản này được ghi lại từ bản gốc đã ban hành trên giấy, không phải bản ký "
                "số của hệ thống: hãy gửi bản gốc theo đường văn thư."
            )
        )
    if (
        version is None
        or version.stage != VersionStage.RELEASED
        or not version.docx_path
        or not version.pdf_path
        or not storage.exists(version.docx_path)
        or not storage.exists(version.pdf_path)
    ):
        raise _refuse(gettext("Tệp văn bản phát hành đang được tạo; vui lòng gửi lại sau ít phút."))
    return version


def pdf_to_send(doc: Document, version: Any) -> str:
    """The PDF attached: the signed PDF when there is one (a signed copy or the digitally
    signed file), else the released PDF."""
    if (
        doc.signed_path
        and doc.signed_path.lower().endswith(".pdf")
        and storage.exists(doc.signed_path)
    ):
        return doc.signed_path
    return str(version.pdf_path)


def _page_count(pdf: bytes) -> int | None:
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        count = PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"]
        return int(count)
    except Exception:  # noqa: BLE001 — an unreadable PDF just has no PageAmount
        return None


# ----------------------------------------------------------------------------- recipients


@dataclass
class Addressees:
    """Whom a packet goes to: ``agencies`` with a code (the ``To``), ``missing`` the agencies
    it names without one, ``other`` the places that are no agency of the system."""

    agencies: list[Agency] = field(default_factory=list)
    missing: list[Agency] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def addressees(doc: Document, places: list[str]) -> Addressees:
    """The agencies a document goes to: for a plan, its standing agency and every assigned
    agency; a report, the plan's standing agency; a consolidated report, the plan's issuer;
    plus every agency whose name or short name a place line (``places``) contains. Never the
    issuing agency itself; retired agencies are left out. Three queries, whatever the size."""
    plan = db.session.get(Plan, doc.plan_id) if doc.plan_id else None
    wanted: list[int] = []
    if plan is not None and doc.kind == DocumentKind.PLAN:
        wanted = [plan.standing_agency_id]
        wanted += db.session.scalars(
            select(Assignment.agency_id)
            .where(Assignment.plan_id == plan.id)
            .order_by(Assignment.position)
        ).all()
    elif plan is not None and doc.kind == DocumentKind.REPORT:
        wanted = [plan.standing_agency_id]
    elif plan is not None and doc.kind == DocumentKind.CONSOLIDATED:
        wanted = [plan.issuer_id]
    active = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.valid_to.is_(None)))}
    chosen: dict[int, Agency] = {}

    def add(agency_id: int) -> None:
        if agency_id != doc.agency_id and agency_id in active:
            chosen.setdefault(agency_id, active[agency_id])

    for agency_id in wanted:
        add(agency_id)
    other = []
    names = [(a.id, [_norm(n) for n in (a.name, a.short_name) if n]) for a in active.values()]
    for place in places:
        line = _norm(place)
        hits = [agency_id for agency_id, ns in names if any(n and n in line for n in ns)]
        for agency_id in hits:
            add(agency_id)
        if not hits:
            other.append(place)
    out = Addressees(other=other)
    for agency in sorted(chosen.values(), key=lambda a: a.name):
        (out.agencies if agency.organ_id else out.missing).append(agency)
    return out


def _context(version: Any) -> dict:
    if not version.context_path or not storage.exists(version.context_path):
        return {}
    try:
        data = json.loads(storage.read(version.context_path).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class ExportPlan:
    """What "Gửi qua trục (edXML)" would send, for the page."""

    ready: bool
    reason: str
    addressees: Addressees


def export_preview(doc: Document) -> ExportPlan:
    try:
        version = released_version(doc)
    except InvalidInput as exc:
        return ExportPlan(False, str(exc), Addressees())
    found = addressees(doc, to_places(_context(version)))
    if not doc.agency.organ_id:
        try:
            organ_of(doc.agency)
        except InvalidInput as exc:
            return ExportPlan(False, str(exc), found)
    if not found.agencies:
        return ExportPlan(
            False, gettext("Không có nơi nhận nào có mã định danh để gửi qua trục."), found
        )
    return ExportPlan(True, "", found)


def build_packet(doc: Document, sent_at: datetime | None = None) -> tuple[edxml.Packet, Addressees]:
    """The edXML packet of released ``doc`` (every header field from the document)."""
    version = released_version(doc)
    context = _context(version)
    places = to_places(context)
    found = addressees(doc, places)
    if not found.agencies:
        raise _refuse(gettext("Không có nơi nhận nào có mã định danh để gửi qua trục."))
    sender = organ_of(doc.agency)
    number, notation = code_parts(doc)
    type_code, type_detail, type_name = document_type(doc)
    competence, position, full_name = signer_info(doc)
    pdf_rel = pdf_to_send(doc, version)
    pdf = storage.read(pdf_rel)
    docx = storage.read(str(version.docx_path))
    base = (doc.symbol or f"van-ban-{doc.id}").replace("/", "-")
    snap = doc.snapshot or {}
    assert doc.issued_on is not None  # released
    packet = edxml.Packet(
        document_id=packet_id(doc),
        sender=sender,
        recipients=tuple(organ_of(a) for a in found.agencies),
        code_number=number,
        code_notation=notation,
        place=str(snap.get("place") or doc.agency.place)[:200],
        promulgation_date=doc.issued_on,
        type_code=type_code,
        type_detail=type_detail,
        type_name=type_name,
        subject=doc.title[:500],
        signer_competence=competence[:200],
        signer_position=position[:200],
        signer_full_name=full_name[:200],
        sent_at=(sent_at or clock.now()).astimezone(clock.VN),
        due_date=due_date(doc),
        to_places=tuple(p[:200] for p in places),
        priority=edxml.PRIORITY_NORMAL,
        steering_type=edxml.STEERING_ORDINARY,
        page_amount=_page_count(pdf),
        response_for=response_for(doc),
        attachments=(
            edxml.Attachment(name=f"{base}.pdf", content_type=PDF_TYPE, data=pdf),
            edxml.Attachment(name=f"{base}.docx", content_type=DOCX_TYPE, data=docx),
            *annex_attachments(version, base),
        ),
    )
    return packet, found


def annex_attachments(version: Any, base: str) -> tuple[edxml.Attachment, ...]:
    """The released version's spreadsheet annex (Phụ lục .xlsx of a consolidated report of many
    agencies, kept next to its .docx), whose SHA-256 the signed body prints: sent with the
    document, the same bytes (none when the version has no annex)."""
    rel = documents.annex_path(str(version.docx_path))
    if not storage.exists(rel):
        return ()
    return (
        edxml.Attachment(
            name=f"{base} - Phụ lục.xlsx", content_type=XLSX_TYPE, data=storage.read(rel)
        ),
    )


def export_packet(doc: Document, actor: User | None) -> bytes:
    """The packet as bytes; records each recipient (status packets answer to them)."""
    policy.require(actor, "document.export_edxml", doc)
    now = clock.now()
    packet, found = build_packet(doc, now)
    data = edxml.build_packet(packet)
    known = {
        r.organ_id: r
        for r in db.session.scalars(
            select(ExchangeRecipient).where(ExchangeRecipient.document_id == doc.id)
        )
    }
    for agency in found.agencies:
        assert agency.organ_id
        row = known.get(agency.organ_id)
        if row is None:
            db.session.add(
                ExchangeRecipient(
                    document_id=doc.id,
                    agency_id=agency.id,
                    organ_id=agency.organ_id,
                    organ_name=agency.name,
                    packet_id=packet.document_id,
                    exported_at=now,
                )
            )
        else:
            row.packet_id = packet.document_id
    db.session.flush()
    audit.record(
        actor,
        doc,
        "export_edxml",
        from_state=doc.status,
        to_state=doc.status,
        plan_id=doc.plan_id,
        comment=", ".join(a.organ_id or "" for a in found.agencies),
        data={"document_id": packet.document_id, "sha256": hashlib.sha256(data).hexdigest()},
    )
    return data


def packet_filename(doc: Document) -> str:
    return f"{(doc.symbol or f'van-ban-{doc.id}').replace('/', '-')}.edxml"


# ----------------------------------------------------------------------------- status packets


def _recipients_for(status: edxml.StatusPacket) -> list[ExchangeRecipient]:
    rows = list(
        db.session.scalars(
            select(ExchangeRecipient).where(ExchangeRecipient.packet_id == status.document_id)
        )
    )
    if rows:
        return rows
    # another system may answer with its own DocumentId: the issuer's code, number and date
    doc = db.session.scalar(
        select(Document)
        .join(Agency, Agency.id == Document.agency_id)
        .where(
            Agency.organ_id == status.response_organ_id,
            Document.symbol == status.response_code,
            Document.issued_on == status.response_date,
        )
    )
    if doc is None:
        return []
    return list(
        db.session.scalars(select(ExchangeRecipient).where(ExchangeRecipient.document_id == doc.id))
    )


def read_bounded(stream: Any, limit: int) -> bytes:
    """At most ``limit`` bytes of an upload; more is refused before anything is parsed."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _refuse(
            gettext("Gói edXML không hợp lệ: tệp quá lớn (tối đa %(n)s KB).", n=limit // 1024),
            "file",
        )
    return bytes(data)


def import_status(
    data: bytes, actor: User | None, *, document: Document | None = None, source: str = "upload"
) -> tuple[ExchangeStatus, bool]:
    """Record a status packet. Returns (the status, whether it is new: the same packet read
    twice is kept once). Refused, with nothing changed: malformed or hostile XML, a status
    for a document kehoach did not send, from an organisation it was not sent to, or (upload
    on a document page) for another document."""
    if document is not None:  # the page's document: who may, before reading anything
        policy.require(actor, "document.import_status", document)
    if len(data) > MAX_STATUS_BYTES:
        raise _refuse(gettext("Gói edXML không hợp lệ: tệp quá lớn."))
    return record_status(edxml.parse_status(data), actor, document=document, source=source)


def record_status(
    status: edxml.StatusPacket,
    actor: User | None,
    *,
    document: Document | None = None,
    source: str = "upload",
) -> tuple[ExchangeStatus, bool]:
    """A parsed status packet recorded (see :func:`import_status`)."""
    rows = _recipients_for(status)
    if not rows:
        raise _refuse(
            gettext(
                "Gói trạng thái không khớp văn bản nào đã gửi qua trục (văn bản %(code)s, "
                "mã %(id)s).",
                code=status.response_code[:64],
                id=status.document_id[:80],
            )
        )
    doc = db.session.get(Document, rows[0].document_id)
    assert doc is not None
    if document is not None and doc.id != document.id:
        raise _refuse(
            gettext(
                "Gói trạng thái này là của văn bản khác (%(symbol)s), không phải văn bản đang mở.",
                symbol=doc.symbol or "",
            )
        )
    policy.require(actor, "document.import_status", doc)
    recipient = next((r for r in rows if r.organ_id == status.sender.organ_id), None)
    if recipient is None:
        raise _refuse(
            gettext(
                "Đơn vị gửi trạng thái (%(organ)s – %(name)s) không có trong nơi nhận của văn "
                "bản %(symbol)s.",
                organ=status.sender.organ_id,
                name=status.sender.name[:120],
                symbol=doc.symbol or "",
            )
        )
    at = status.timestamp.astimezone(UTC)  # stored in UTC on every backend
    for existing in recipient.statuses:
        if existing.code == status.status_code and existing.at == at:
            return existing, False
    row = ExchangeStatus(
        recipient=recipient,
        code=status.status_code,
        at=at,
        description=status.description or None,
        source=source,
        received_at=clock.now(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        doc,
        "edxml_status",
        from_state=doc.status,
        to_state=doc.status,
        plan_id=doc.plan_id,
        comment=f"{recipient.organ_name}: {edxml.STATUS_LABELS[status.status_code]}",
        data={"organ_id": recipient.organ_id, "code": status.status_code, "source": source},
    )
    return row, True


@dataclass
class RecipientState:
    """One line of the page's table."""

    name: str
    organ_id: str
    exported_at: datetime
    current: str  # label of the newest status, "" when none yet
    current_code: str
    times: dict[str, datetime | None]
    history: list[tuple[datetime, str, str]]  # (time, label, description)


def recipient_states(doc: Document) -> list[RecipientState]:
    """Per recipient: the newest status and the time of each stage (two queries)."""
    rows = db.session.scalars(
        select(ExchangeRecipient)
        .where(ExchangeRecipient.document_id == doc.id)
        .options(selectinload(ExchangeRecipient.statuses))
        .order_by(ExchangeRecipient.organ_name)
    ).all()
    out = []
    for r in rows:
        statuses = sorted(r.statuses, key=lambda s: (s.at, s.id))
        latest = statuses[-1] if statuses else None
        times: dict[str, datetime | None] = {}
        for stage in STAGES:
            hits = [s.at for s in statuses if s.code in stage.codes]
            times[stage.key] = max(hits) if hits else None
        out.append(
            RecipientState(
                name=r.organ_name,
                organ_id=r.organ_id,
                exported_at=r.exported_at,
                current=str(edxml.STATUS_LABELS[latest.code]) if latest else "",
                current_code=latest.code if latest else "",
                times=times,
                history=[
                    (s.at, str(edxml.STATUS_LABELS[s.code]), s.description or "") for s in statuses
                ],
            )
        )
    return out


# ----------------------------------------------------------------------------- incoming


@dataclass(frozen=True)
class Received:
    """What :func:`receive` did with one incoming packet."""

    kind: str  # "status" | "document"
    new: bool  # False: the same packet was already recorded
    id: int  # ExchangeStatus.id or ExchangeIncoming.id
    summary: str  # Vietnamese, for the API's answer and the folder's log


def _addressed(packet: edxml.Packet) -> list[Agency]:
    codes = [r.organ_id for r in packet.recipients]
    return list(
        db.session.scalars(
            select(Agency).where(Agency.organ_id.in_(codes), Agency.valid_to.is_(None))
        )
    )


def receive_document(
    packet: edxml.Packet, data: bytes, actor: User | None, source: str
) -> tuple[ExchangeIncoming, bool]:
    """Keep an incoming document packet (as received) until it is added as a plan's căn cứ.
    Refused, nothing changed: addressed to no agency of kehoach, or (API) to none of the
    token's agency."""
    addressed = _addressed(packet)
    if not addressed:
        raise _refuse(
            gettext(
                "Gói văn bản %(code)s không gửi đến cơ quan nào có trong hệ thống (nơi nhận: "
                "%(to)s).",
                code=f"{packet.code_number}/{packet.code_notation}"[:64],
                to=", ".join(r.organ_id for r in packet.recipients[:5]),
            )
        )
    policy.require(actor, "exchange.receive_document", addressed)
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.scalar(select(ExchangeIncoming).where(ExchangeIncoming.sha256 == digest))
    if existing is not None:
        return existing, False
    rel = f"exchange/incoming/{digest[:24]}.edxml"
    storage.write(rel, data)
    row = ExchangeIncoming(
        sha256=digest,
        packet_id=packet.document_id[:200],
        organ_id=packet.sender.organ_id,
        organ_name=packet.sender.name[:255],
        code=f"{packet.code_number}/{packet.code_notation}"[:80],
        type_name=packet.type_name[:100],
        subject=packet.subject,
        promulgation_date=packet.promulgation_date,
        file_path=rel,
        source=source,
        received_at=clock.now(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        row,
        "edxml_receive",
        comment=f"{row.organ_name}: {row.type_name} {row.code}"[:500],
        data={"document_id": row.packet_id, "source": source},
    )
    return row, True


def receive(data: bytes, actor: User | None, *, source: str) -> Received:
    """An incoming edXML packet from the exchange (the API endpoint, the folder and its
    periodic job): a status packet is recorded against the document it answers
    (:func:`record_status`); a document packet is kept for the căn cứ of a draft plan
    (:func:`receive_document`). Refused in Vietnamese, nothing changed, as each says."""
    if len(data) > MAX_BASIS_BYTES:
        raise _refuse(gettext("Gói edXML không hợp lệ: tệp quá lớn."))
    packet = edxml.parse_incoming(data)
    if isinstance(packet, edxml.StatusPacket):
        if len(data) > MAX_STATUS_BYTES:
            raise _refuse(gettext("Gói edXML không hợp lệ: tệp quá lớn."))
        status, new = record_status(packet, actor, source=source)
        return Received(
            "status",
            new,
            status.id,
            gettext(
                "%(name)s — %(state)s",
                name=status.recipient.organ_name,
                state=edxml.STATUS_LABELS[status.code],
            ),
        )
    incoming, new = receive_document(packet, data, actor, source)
    return Received(
        "document",
        new,
        incoming.id,
        gettext(
            "%(type)s số %(code)s của %(organ)s",
            type=incoming.type_name,
            code=incoming.code,
            organ=incoming.organ_name,
        ),
    )


def incoming_for(plan: Plan) -> list[ExchangeIncoming]:
    """Document packets received and not yet used, for a draft plan's căn cứ section."""
    return list(
        db.session.scalars(
            select(ExchangeIncoming)
            .where(ExchangeIncoming.used_plan_id.is_(None))
            .order_by(ExchangeIncoming.received_at.desc(), ExchangeIncoming.id.desc())
            .limit(50)
        )
    )


def import_incoming(plan: Plan, incoming: ExchangeIncoming, actor: User | None) -> str:
    """A received document packet added as the căn cứ of the draft ``plan``."""
    line = import_basis(plan, storage.read(incoming.file_path), actor)
    incoming.used_plan_id = plan.id
    return line


# ----------------------------------------------------------------------------- the folder


@dataclass
class FolderResult:
    imported: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        target = folder / f"{path.stem}-{stamp}{path.suffix}"
    shutil.move(str(path), str(target))
    return target


def import_folder(path: Path | str) -> FolderResult:
    """Read every packet (status or document, :func:`receive`) an exchange adapter left in
    ``path`` (``*.xml``, ``*.edxml``;
    not subfolders, not links): each recorded in its own transaction and moved to
    ``processed/``; a refused one moved to ``refused/`` with ``<name>.loi.txt`` saying why.
    Run by ``kehoach edxml import-folder PATH`` and by the worker's periodic job
    (``worker.exchange.poll_inbox``, ``EDXML_INBOX``), as the system."""
    root = Path(path)
    if not root.is_dir():
        raise _refuse(gettext("Không tìm thấy thư mục %(path)s.", path=str(root)), "path")
    result = FolderResult()
    for item in sorted(root.iterdir()):
        if item.is_symlink() or not item.is_file():
            continue
        if item.suffix.lower() not in FOLDER_SUFFIXES:
            continue
        try:
            if item.stat().st_size > MAX_BASIS_BYTES:
                raise _refuse(gettext("Gói edXML không hợp lệ: tệp quá lớn."))
            with item.open("rb") as fh:
                data = fh.read(MAX_BASIS_BYTES + 1)
            new = receive(data, None, source="folder").new
            db.session.commit()
        except InvalidInput as exc:
            db.session.rollback()
            moved = _move(item, root / "refused")
            moved.with_name(moved.name + ".loi.txt").write_text(str(exc) + "\n", "utf-8")
            result.refused.append((item.name, str(exc)))
            continue
        _move(item, root / "processed")
        (result.imported if new else result.repeated).append(item.name)
    return result


#: The job that reads the exchange folder (``EDXML_INBOX``) every ``EDXML_POLL_SECONDS``.
INBOX_JOB = "worker.exchange.poll_inbox"


def schedule_inbox(now: datetime | None = None) -> datetime | None:
    """Hand the next reading of the exchange folder to RQ's scheduler (the worker calls this at
    start and after each reading). One job per time slot: several workers asking for the same
    slot make one job. None when no folder or no queue is configured."""
    folder = current_app.config.get("EDXML_INBOX")
    queue = get_queue()
    if not folder or queue is None:
        return None
    interval = max(int(current_app.config.get("EDXML_POLL_SECONDS") or 300), 5)
    moment = (now or datetime.now(UTC)).timestamp()
    slot = int(moment // interval) + 1
    at = datetime.fromtimestamp(slot * interval, UTC)
    job_id = rq_job_id(queue.name, f"edxml-inbox-{slot}")
    existing = queue.fetch_job(job_id)
    if existing is None or existing.get_status(refresh=True) not in (
        "queued",
        "started",
        "deferred",
        "scheduled",
    ):
        queue.enqueue_at(at, INBOX_JOB, job_id=job_id, result_ttl=3600, failure_ttl=86400)
    return at


# ----------------------------------------------------------------------------- legal basis


#: Document types a plan implements ("Thực hiện …"); any other is a legal ground ("Căn cứ …").
IMPLEMENTED_TYPES = ("Kế hoạch", "Chương trình", "Chỉ thị", "Công văn", "Hướng dẫn", "Thông báo")


def basis_line(packet: edxml.Packet) -> str:
    """The căn cứ sentence of an incoming packet, as plans word it: "Thực hiện Kế hoạch số
    125/KH-UBND ngày 01 tháng 12 năm 2026 của Ủy ban nhân dân tỉnh X về …"."""
    verb = "Thực hiện" if packet.type_name in IMPLEMENTED_TYPES else "Căn cứ"
    symbol = f"{packet.code_number}/{packet.code_notation}".strip("/")
    subject = packet.subject.strip()
    about = ""
    if subject:
        about = (
            subject
            if subject.lower().startswith("về ")
            else f"về {subject[0].lower()}{subject[1:]}"
        )
        about = " " + about
    return (
        f"{verb} {packet.type_name} số {symbol} {format_date_text(packet.promulgation_date)} "
        f"của {packet.sender.name}{about}"
    )


def import_basis(plan: Plan, data: bytes, actor: User | None) -> str:
    """Add an incoming edXML packet (a plan of a parent agency) as the last căn cứ of the
    draft ``plan``; its attachments are kept with the plan. Returns the sentence added.
    Refused, nothing changed: not a draft, malformed or hostile XML, a sender kehoach does not
    know, or a căn cứ the plan already has."""
    policy.require(actor, "plan.import_basis", plan)
    if plan.status != PlanStatus.DRAFT:
        raise _refuse(
            gettext("Chỉ thêm căn cứ vào kế hoạch đang dự thảo (kế hoạch này đã ban hành)."),
            "file",
        )
    packet = edxml.parse_packet(data)
    sender = db.session.scalar(select(Agency).where(Agency.organ_id == packet.sender.organ_id))
    if sender is None:
        raise _refuse(
            gettext(
                "Cơ quan gửi (%(organ)s – %(name)s) chưa có trong hệ thống; quản trị viên cần "
                "thêm cơ quan với mã định danh này trước.",
                organ=packet.sender.organ_id,
                name=packet.sender.name[:120],
            ),
            "file",
        )
    line = basis_line(packet)
    definition = dict(plan.definition or {})
    basis = [str(x) for x in definition.get("legal_basis") or []]
    symbol = f"{packet.code_number}/{packet.code_notation}"
    same = re.compile(rf"(?<![0-9A-Za-zÀ-ỹĐđ]){re.escape(symbol)}(?![0-9A-Za-zÀ-ỹĐđ-])")
    if any(same.search(b) for b in basis):
        raise _refuse(
            gettext("Kế hoạch đã có căn cứ văn bản số %(symbol)s.", symbol=symbol), "file"
        )
    if basis and basis[-1].rstrip().endswith(","):
        # the last căn cứ ran on into the preamble ("…, <preamble>"): the new one does now
        basis[-1] = basis[-1].rstrip()[:-1].rstrip() + ";"
        line += ","
    elif not basis and str(definition.get("preamble") or "").startswith(("Căn cứ", "Thực hiện")):
        # the plan's opening is one paragraph that begins with its own căn cứ: the new one comes
        # before it, as the first of the list
        line += ";"
    definition["legal_basis"] = [*basis, line]
    plans.update_plan(plan, definition, actor, plan.version)
    kept = []
    for att in packet.attachments:  # the received files, kept with the plan (audit names them)
        digest = hashlib.sha256(att.data).hexdigest()[:16]
        ext = re.sub(r"[^a-z0-9]", "", att.name.rsplit(".", 1)[-1].lower())[:8] or "bin"
        rel = f"plans/{plan.id}/can-cu/{digest}.{ext}"
        storage.write(rel, att.data)
        kept.append({"name": att.name, "key": rel})
    audit.record(
        actor,
        plan,
        "import_basis_edxml",
        from_state=plan.status,
        to_state=plan.status,
        plan_id=plan.id,
        comment=line[:500],
        data={"document_id": packet.document_id, "organ_id": sender.organ_id, "files": kept},
    )
    return line
