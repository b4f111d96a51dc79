"""Documents: creating them, their signing workflow, the register number, the signed copy."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app import signals
from app.extensions import db
from app.models import (
    KIND_TYPE_ABBR,
    Agency,
    Document,
    DocumentKind,
    DocumentSnapshot,
    DocumentStatus,
    DocumentVersion,
    Plan,
    RegisterEntry,
    Report,
    ReportingPeriod,
    User,
    VersionStage,
)
from app.services import (
    audit,
    clock,
    flows,
    notifications,
    policy,
    register,
    signers,
    signing_keys,
    storage,
)
from app.services.exceptions import InvalidInput
from app.services.jobs import enqueue_after_commit
from workflows import DocumentFlow

SIGNED_EXTENSIONS = {
    "pdf": b"%PDF-",
    "docx": b"PK\x03\x04",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
    "png": b"\x89PNG\r\n\x1a\n",
}


def agency_snapshot(agency: Agency) -> DocumentSnapshot:
    """What a document keeps of its agency as it was on the day it was made."""
    return {
        "code": agency.code,
        "name": agency.name,
        "abbreviation": agency.abbreviation,
        "place": agency.place,
        "header_parent": agency.header_parent
        or (agency.parent.name.upper() if agency.parent else ""),
        "header_name": agency.header_name or "",
    }


def create_document(
    kind: DocumentKind | str,
    agency: Agency,
    title: str,
    actor: User | None,
    *,
    plan: Plan | None = None,
    period: ReportingPeriod | None = None,
    report: Report | None = None,
    unit_abbr: str | None = None,
    render: bool = True,
) -> Document:
    """A new draft document; its .docx is rendered by the worker after the commit."""
    kind = DocumentKind(kind)
    type_abbr = plan.type_abbr if (kind == DocumentKind.PLAN and plan) else KIND_TYPE_ABBR[kind]
    doc = Document(
        kind=kind,
        status=DocumentStatus.DRAFT,
        agency_id=agency.id,
        title=title,
        type_abbr=type_abbr,
        unit_abbr=unit_abbr,
        plan_id=plan.id if plan else None,
        period_id=period.id if period else None,
        report_id=report.id if report else None,
        snapshot=agency_snapshot(agency),
        created_by_id=actor.id if actor else None,
    )
    doc.unit_abbr = clean_unit(unit_abbr)
    doc.symbol = register.format_symbol(None, type_abbr, agency.abbreviation, doc.unit_abbr)
    chosen = signers.default_for(agency.id, kind)  # the draft shows whom it is made for
    doc.signer_id = chosen.id if chosen else None
    db.session.add(doc)
    db.session.flush()
    audit.record(actor, doc, "create", to_state=doc.status, plan_id=doc.plan_id, comment=title)
    if render:
        request_render(doc)
    return doc


UNIT_RE = re.compile(r"^[0-9A-Za-zÀ-ỹĐđ.&]{1,16}$")


def clean_unit(unit: str | None) -> str | None:
    """The drafting unit's code of a công văn ("VP", "PV01"), as set by the clerk or drafter;
    ``None`` when not given. Refused when it would break the symbol (spaces, "/", "-")."""
    unit = (unit or "").strip()
    if not unit:
        return None
    if not UNIT_RE.match(unit):
        raise InvalidInput(
            "Ký hiệu đơn vị soạn thảo chỉ gồm chữ, số, dấu chấm (tối đa 16 ký tự).",
            {"unit_abbr": "Ký hiệu đơn vị soạn thảo không hợp lệ."},
        )
    return unit


def draft_report_document(report: Report, actor: User) -> Document:
    """Draft the agency's Báo cáo (kind "report") on ``report`` for its leader to sign: issued by
    the report's agency, "Kính gửi:" whom the plan's schedule names (``report_to``, else the
    standing agency). Only the agency's reporter or leader may draft it."""
    policy.require(actor, "report.draft_document", report)
    plan = report.plan
    if plan.symbol:
        title = f"Báo cáo kết quả thực hiện Kế hoạch số {plan.symbol}"
    else:
        title = f"Báo cáo kết quả thực hiện Kế hoạch {plan.title}"
    if report.period is not None and report.period.kind != "once":
        title += f" ({report.period.label.lower()})"
    report_to = ((plan.definition or {}).get("schedule") or {}).get("report_to")
    agency = db.session.get(Agency, report.agency_id)
    assert agency is not None
    doc = create_document(
        DocumentKind.REPORT,
        agency,
        title,
        actor,
        plan=plan,
        period=report.period,
        report=report,
        render=False,
    )
    doc.snapshot = {**(doc.snapshot or {}), "addressees": [report_to or plan.standing_agency.name]}
    request_render(doc)
    return doc


#: How the body's sentence naming the spreadsheet annex and its SHA-256 begins
#: (``worker.contexts.annex_sentence``): a draft edited in Word must keep it, and the worker
#: writes the digest of the annex made with each version into it (``worker.edited``).
ANNEX_SENTENCE_START = "Phụ lục là tệp bảng tính (.xlsx) gửi kèm"


def annex_path(docx_path: str) -> str:
    """Where a version's spreadsheet annex (Phụ lục .xlsx of a consolidated report of many
    agencies, ``worker.annex``) is kept: next to its .docx, ``….xlsx``."""
    return docx_path.removesuffix(".docx") + ".xlsx"


def current_version(doc: Document) -> DocumentVersion | None:
    """The newest rendered content of ``doc``: while it awaits signature, the frozen version the
    signer is shown and signs."""
    if not doc.content_version:
        return None
    return db.session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == doc.id,
            DocumentVersion.number == doc.content_version,
        )
    )


def versions(doc: Document) -> list[DocumentVersion]:
    return list(
        db.session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == doc.id)
            .order_by(DocumentVersion.number)
        )
    )


def new_version(
    doc: Document,
    stage: VersionStage | str,
    actor: User | None,
    *,
    base: DocumentVersion | None = None,
    fill: tuple[str, ...] = (),
    note: str | None = None,
    new_draft: bool = False,
) -> DocumentVersion:
    """Make the next version of ``doc`` and ask the worker to render it. A draft version is
    rendered from the data; a version with ``base`` is ``base``'s stored content with only the
    ``fill`` keys replaced (the signer block, or the number, date and stamp)."""
    if not doc.id:  # a document made in this transaction: give it its id
        db.session.flush()
    number = (doc.content_version or 0) + 1
    stage = VersionStage(stage)
    if new_draft and doc.content_version:  # another draft people will see: "DỰ THẢO (lần N)"
        doc.draft_version = (doc.draft_version or 1) + 1
    version = DocumentVersion(
        document_id=doc.id,
        number=number,
        stage=stage,
        render_key=f"doc-{doc.id}-r{number}-{stage.value}",
        base_id=base.id if base is not None else None,
        fill=list(fill),
        note=note,
        created_by_id=actor.id if actor else None,
        created_at=clock.now(),
    )
    db.session.add(version)
    doc.content_version = number
    db.session.flush()
    _enqueue(doc, version.render_key)
    return version


def request_render(doc: Document) -> None:
    """Ask the worker to render the document's current version (a first draft version when it
    has none). The key names one content: a repeated request is one job and one file."""
    version = current_version(doc)
    if version is None:
        new_version(doc, VersionStage.DRAFT, None)
        return
    _enqueue(doc, version.render_key)


def _enqueue(doc: Document, key: str) -> None:
    doc.render_state = "queued"
    doc.render_progress = 0
    doc.render_error = None
    doc.render_key = key
    # a consolidated report of thousands of agencies renders and converts for many minutes
    # (worker.convert.LARGE_TIMEOUT); the others are done in seconds
    timeout = 4000 if doc.kind == DocumentKind.CONSOLIDATED else 300
    enqueue_after_commit(
        "worker.jobs.render_document", doc.id, key, job_id=key, retry_max=3, job_timeout=timeout
    )


def regenerate(doc: Document, actor: User, note: str | None = None) -> DocumentVersion:
    """ "Soạn lại": render a draft again from the data as it is now (after the plan, the reports
    or the consolidation changed). Only a draft, only by who may draft it."""
    policy.require(actor, "document.request_signature", doc)  # its drafters, before the state
    if doc.status != DocumentStatus.DRAFT:
        raise InvalidInput(
            "Chỉ soạn lại được văn bản đang ở trạng thái dự thảo; văn bản chờ ký cần được "
            "rút lại hoặc trả lại trước."
        )
    version = new_version(doc, VersionStage.DRAFT, actor, note=note or "Soạn lại", new_draft=True)
    audit.record(
        actor,
        doc,
        "regenerate",
        from_state=doc.status,
        to_state=doc.status,
        plan_id=doc.plan_id,
        comment=f"Phiên bản {version.number}",
    )
    return version


def content_changed(doc: Document, actor: User | None, reason: str) -> DocumentVersion | None:
    """The data ``doc`` is made from changed. A draft is rendered again; a document awaiting
    signature goes back to draft (the leader must not sign what is no longer true), is
    rendered again and its signers and drafter are told why. Signed and released documents
    are never touched (the edit is refused before it gets here)."""
    if doc.status == DocumentStatus.AWAITING_SIGNATURE:
        flow = DocumentFlow(doc, actor, comment=reason, content_changed=True)
        flows.fire(flow, "content_changed", actor, comment=reason, plan_id=doc.plan_id)
        _mark_returned(doc, actor, reason, "content_changed")
        version = new_version(doc, VersionStage.DRAFT, actor, note=reason, new_draft=True)
        users = notifications.users_of(doc.agency_id, "signer", "agency_leader")
        users += [u for u in _drafters(doc) if u not in users]
        notifications.notify(
            users,
            "document_back_to_draft",
            f"Văn bản “{doc.title}” trở về dự thảo (phiên bản {version.number}): {reason}",
            link=f"/documents/{doc.id}",
        )
        return version
    if doc.status == DocumentStatus.DRAFT:
        return new_version(doc, VersionStage.DRAFT, actor, note=reason, new_draft=True)
    return None


def signer_changed(doc: Document, actor: User) -> DocumentVersion:
    """Another signer was chosen for the draft (``signers.choose``). Awaiting signature, the new
    version is the frozen content with only the signer block replaced (the leader is shown its
    hash); a draft is rendered again."""
    if doc.status == DocumentStatus.AWAITING_SIGNATURE:
        return new_version(
            doc,
            VersionStage.DRAFT,
            actor,
            base=current_version(doc),
            fill=SIGNER_KEYS,
            note="Đổi người ký",
        )
    return new_version(doc, VersionStage.DRAFT, actor, note="Đổi người ký")


def _drafters(doc: Document) -> list[User]:
    out: list[User] = []
    if doc.created_by_id:
        creator = db.session.get(User, doc.created_by_id)
        if creator is not None and creator.active:
            out.append(creator)
    return out


def _mark_returned(doc: Document, actor: User | None, reason: str, why: str) -> None:
    doc.snapshot = {
        **(doc.snapshot or {}),
        "returned": {
            "reason": reason,
            "why": why,
            "by": (actor.full_name or actor.username) if actor else "Hệ thống",
            "at": clock.now().isoformat(),
            "version": doc.content_version,
        },
    }


def same_signer(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    """Whether two signer dicts print the same signer block."""

    def norm(s: Mapping[str, Any] | None) -> tuple[str, ...]:
        s = s or {}
        authority = str(s.get("authority") or "").strip()
        return (
            authority,
            str(s.get("authority_of") or "").strip().upper() if authority else "",
            str(s.get("title") or "").strip().upper(),
            str(s.get("position_note") or "").strip().upper(),
            str(s.get("name") or "").strip(),
        )

    return a is not None and b is not None and norm(a) == norm(b)


def document_flow(doc: Document, actor: User | None, comment: str | None = None) -> DocumentFlow:
    agencies, roles = policy.drafters(doc)
    return DocumentFlow(
        doc, actor, comment=comment, drafting_agency_ids=sorted(agencies), drafter_roles=roles
    )


def draft_plan_document(plan: Plan, actor: User) -> Document:
    """Draft the plan's own document (Kế hoạch), issued by the plan's issuer: once, while the
    plan is a draft (an issued plan keeps the document it was issued with)."""
    policy.require(actor, "plan.draft_document", plan)
    if plan.status != "draft":
        raise InvalidInput(
            "Kế hoạch đã ban hành: văn bản kế hoạch là văn bản đã phát hành, không soạn lại."
        )
    existing = db.session.scalar(
        select(Document.id).where(Document.plan_id == plan.id, Document.kind == DocumentKind.PLAN)
    )
    if existing is not None:
        raise InvalidInput("Kế hoạch đã có văn bản dự thảo.")
    issuer = db.session.get(Agency, plan.issuer_id)
    assert issuer is not None
    return create_document(DocumentKind.PLAN, issuer, plan.title, actor, plan=plan)


def record_issued_plan_document(plan: Plan, entry: RegisterEntry, actor: User | None) -> Document:
    """The document of a plan recorded as already issued on paper (``loader.record_issued``):
    the official format with the recorded number and date, marked on every page as recorded from
    the issued original, so it can be read and downloaded. It takes no register number (the
    recorded line ``entry`` is the document's) and is never signed: the plan's draft document,
    if any, becomes it; otherwise a new one. Its one version (``VersionStage.RECORDED``) is
    rendered from the plan's data by the worker, with the signer the plan names."""
    doc = db.session.scalar(
        select(Document).where(Document.plan_id == plan.id, Document.kind == DocumentKind.PLAN)
    )
    issuer = db.session.get(Agency, plan.issuer_id)
    assert issuer is not None
    if doc is None:
        doc = create_document(DocumentKind.PLAN, issuer, plan.title, actor, plan=plan, render=False)
    before = doc.status
    doc.status = DocumentStatus.RELEASED
    doc.number, doc.year = entry.number, entry.year
    doc.symbol, doc.issued_on = entry.symbol, entry.issued_on
    doc.signer_id = None  # the signer is the one the plan names, as printed on the original
    snap: DocumentSnapshot = {**(doc.snapshot or {}), **agency_snapshot(issuer)}
    for key in ("signer", "signer_name", "signed_version", "signed_by_id", "returned"):
        snap.pop(key, None)  # type: ignore[misc]
    snap["recorded"] = True
    doc.snapshot = snap
    entry.document_id = doc.id
    new_version(
        doc, VersionStage.RECORDED, actor, note=f"Ghi lại văn bản đã ban hành số {doc.symbol}"
    )
    audit.record(
        actor,
        doc,
        "record_issued",
        from_state=before,
        to_state=doc.status,
        plan_id=plan.id,
        comment=f"Số {doc.symbol} ngày {entry.issued_on:%d/%m/%Y}: ghi lại từ bản gốc đã ban hành",
    )
    return doc


def default_signer(doc: Document, actor: User) -> dict:
    """Who signs ``doc`` when the signing leader does not say (one click): see
    :func:`app.services.signers.proposed`."""
    return signers.proposed(doc, actor)


def transition(
    doc: Document,
    trigger: str,
    actor: User,
    comment: str | None = None,
    issued_on: date | None = None,
    signer: dict | None = None,
    *,
    expected_sha256: str | None = None,
    unit_abbr: str | None = None,
) -> Document:
    """request_signature, withdraw, decline, sign or release.

    Signed = reviewed: requesting signature freezes the current version (its .docx, SHA-256 and
    the context it was rendered from); signing and release never render from the data again.
    Signing records the signer (``{authority, authority_of, title, name}``, default
    :func:`default_signer`): when it is the one the frozen file shows, the signed file IS the
    frozen file; otherwise a new version is the frozen content with only the signer block
    replaced. ``expected_sha256`` (the hash the signer was shown) must be the frozen file's.
    Releasing takes the next register number of the issuing agency for the year and makes the
    released version: the signed content with only number, date and stamp filled in. A
    công văn's drafting-unit code (``unit_abbr``) may be set by the clerk at release; the printed
    number is the register's symbol, everywhere. Declining keeps the reason on the document and
    notifies the drafter."""
    flow = document_flow(doc, actor, comment)
    if trigger == "sign" and flow.can("sign"):  # refuse a placeholder before anything changes
        signers.check(signer or default_signer(doc, actor))
    if trigger == "sign" and expected_sha256 is not None and flow.can("sign"):
        frozen = current_version(doc)
        if frozen is None or frozen.sha256 != expected_sha256:
            raise InvalidInput(
                "Văn bản đã có phiên bản khác với bản bạn đã xem; vui lòng tải lại trang và "
                "xem lại trước khi ký.",
                {"content_sha256": "Bản trình ký đã thay đổi."},
            )
    if trigger == "release" and flow.can("release"):
        if unit_abbr is not None and not doc.type_abbr:
            doc.unit_abbr = clean_unit(unit_abbr)
        _number(doc, issued_on or clock.today())
    flows.fire(
        flow,
        trigger,
        actor,
        comment=comment,
        plan_id=doc.plan_id,
        data={"symbol": doc.symbol} if trigger == "release" else None,
    )
    if trigger == "sign":
        chosen = signers.check(signer or default_signer(doc, actor))
        doc.snapshot = {
            **(doc.snapshot or {}),
            "signer": chosen,
            "signer_name": chosen.get("name", ""),
            "signed_version": doc.content_version,
            "signed_by_id": actor.id,  # whose key signs the released PDF (signing_keys)
        }
        frozen = current_version(doc)
        if frozen is None or not same_signer(frozen.signer, chosen):
            new_version(
                doc,
                VersionStage.SIGNED,
                actor,
                base=frozen,
                fill=SIGNER_KEYS,
                note="Người ký điền khối chữ ký",
            )
    if trigger == "request_signature":
        if current_version(doc) is None:
            new_version(doc, VersionStage.DRAFT, actor)
        snap: DocumentSnapshot = {**(doc.snapshot or {})}
        snap.pop("returned", None)
        doc.snapshot = snap
        notifications.notify(
            notifications.users_of(doc.agency_id, "signer"),
            "document_to_sign",
            f"Văn bản chờ ký: {doc.title} (phiên bản {doc.content_version})",
            link=f"/documents/{doc.id}",
        )
    if trigger == "decline":
        _mark_returned(doc, actor, comment or "", "declined")
        notifications.notify(
            _drafters(doc),
            "document_returned",
            f"Văn bản “{doc.title}” bị trả lại: {comment}",
            link=f"/documents/{doc.id}",
        )
    _notify(doc, trigger, actor, comment)
    if trigger == "release":
        # the plan (issued) or the round (consolidated) follows: app.services.plans listens
        signals.document_released.send(doc, actor=actor)
        new_version(
            doc,
            VersionStage.RELEASED,
            actor,
            base=current_version(doc),
            fill=RELEASE_KEYS,
            note=f"Cấp số {doc.symbol}",
        )
    return doc


# What signing and release may change in the frozen content: nothing else.
SIGNER_KEYS = ("signer_lines", "signer_note", "signer_name")
RELEASE_KEYS = ("number_line", "date_line", "e_stamp", "draft_mark", "appendix_ref")


def _notify(doc: Document, trigger: str, actor: User, comment: str | None) -> None:
    """The hand-over the transition above does not announce: signed, awaiting a number and
    release (the clerks of the issuing agency). Awaiting signature and returned are notified
    in ``transition``."""
    if trigger == "sign":
        notifications.notify(
            notifications.users_of(doc.agency_id, "clerk"),
            "document_to_number",
            f"Văn bản đã ký, chờ vào số và phát hành: {doc.title}",
            link=f"/documents/{doc.id}",
        )


def _number(doc: Document, issued_on: date) -> None:
    agency = db.session.get(Agency, doc.agency_id)
    assert agency is not None
    signer = (doc.snapshot or {}).get("signer_name")
    entry = register.register(
        agency,
        doc.type_abbr,
        doc.title,
        issued_on,
        unit=doc.unit_abbr,
        signer_name=signer,
        document_id=doc.id,
    )
    doc.number, doc.year = entry.number, entry.year
    doc.symbol, doc.issued_on = entry.symbol, issued_on
    snap: DocumentSnapshot = {**(doc.snapshot or {})}
    snap.update(agency_snapshot(agency))  # the agency as it is on the day of issue
    doc.snapshot = snap


def attach_signed_copy(doc: Document, filename: str, content: bytes, actor: User) -> Document:
    """Keep the signed PDF or scan next to the generated files. Allowed once signed and until
    released; a released document is immutable."""
    policy.require(actor, "document.upload_signed", doc)
    if doc.status != DocumentStatus.SIGNED:
        raise InvalidInput(
            _("Chỉ tải bản đã ký khi văn bản đã ký và chưa phát hành."),
            {"file": _("Văn bản chưa ký hoặc đã phát hành.")},
        )
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    magic = SIGNED_EXTENSIONS.get(ext)
    if magic is None:
        raise InvalidInput(
            _("Tệp phải là PDF, DOCX, JPG hoặc PNG."),
            {"file": _("Tệp phải là PDF, DOCX, JPG hoặc PNG.")},
        )
    if not content.startswith(magic):
        raise InvalidInput(
            _("Nội dung tệp không đúng định dạng của phần mở rộng."),
            {"file": _("Nội dung tệp không đúng định dạng.")},
        )
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if len(content) > limit:
        raise InvalidInput(
            _("Tệp quá lớn."), {"file": _("Tệp vượt quá %(n)s MB.", n=limit // (1024 * 1024))}
        )
    digest = hashlib.sha256(content).hexdigest()[:16]
    rel = f"documents/{doc.id}/signed-{digest}.{ext}"
    storage.write(rel, content)
    doc.signed_path = rel
    signing_keys.request_verification(doc, rel)  # a PDF's digital signatures, in the worker
    audit.record(
        actor,
        doc,
        "upload_signed",
        from_state=doc.status,
        to_state=doc.status,
        plan_id=doc.plan_id,
        comment=filename,
    )
    return doc


def documents_awaiting(user: User) -> list[Document]:
    """What waits on this user: signatures for signers, release for clerks."""
    states = []
    if user.has_role("signer", "agency_leader"):
        states.append(DocumentStatus.AWAITING_SIGNATURE)
    if user.has_role("clerk"):
        states.append(DocumentStatus.SIGNED)
    if not states:
        return []
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.agency_id == user.agency_id, Document.status.in_(states))
            .order_by(Document.created_at)
        )
    )
