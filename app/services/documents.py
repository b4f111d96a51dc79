"""Documents: creating them, their signing workflow, the register number, the signed copy."""

from __future__ import annotations

import hashlib
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import (
    KIND_TYPE_ABBR,
    Agency,
    Document,
    DocumentKind,
    DocumentStatus,
    Plan,
    Report,
    ReportingPeriod,
    User,
)
from app.services import clock, flows, policy, register, signers, storage
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


def agency_snapshot(agency: Agency) -> dict:
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
    doc.symbol = register.format_symbol(None, type_abbr, agency.abbreviation, unit_abbr)
    chosen = signers.default_for(agency.id, kind)  # the draft shows whom it is made for
    doc.signer_id = chosen.id if chosen else None
    db.session.add(doc)
    db.session.flush()
    from app.services import audit

    audit.record(actor, doc, "create", to_state=doc.status, plan_id=doc.plan_id, comment=title)
    if render:
        request_render(doc)
    return doc


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


def request_render(doc: Document) -> None:
    """Ask the worker to (re)render the document. The key makes a repeated request for the same
    content one job and one file."""
    # the draft's version and its chosen signer are part of what is printed
    printed = f"d{doc.draft_version or 1}s{doc.signer_id or 0}"
    key = f"doc-{doc.id}-v{doc.number or 0}-{printed}-{doc.status}"
    doc.render_state = "queued"
    doc.render_progress = 0
    doc.render_error = None
    doc.render_key = key
    enqueue_after_commit(
        "worker.jobs.render_document", doc.id, key, job_id=key, retry_max=3, job_timeout=300
    )


def document_flow(doc: Document, actor: User | None, comment: str | None = None) -> DocumentFlow:
    agencies, roles = policy.drafters(doc)
    return DocumentFlow(
        doc, actor, comment=comment, drafting_agency_ids=sorted(agencies), drafter_roles=roles
    )


def draft_plan_document(plan: Plan, actor: User) -> Document:
    """Draft the plan's own document (Kế hoạch), issued by the plan's issuer."""
    policy.require(actor, "plan.draft_document", plan)
    issuer = db.session.get(Agency, plan.issuer_id)
    assert issuer is not None
    return create_document(DocumentKind.PLAN, issuer, plan.title, actor, plan=plan)


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
) -> Document:
    """request_signature, decline, sign or release. Releasing takes the next register number of
    the issuing agency for the year, stamps the date, and tells the plan or round. Signing
    records the signer (``{authority, authority_of, title, name}``, default
    :func:`default_signer`) in the snapshot and re-renders, so the signed copy shows the name."""
    flow = document_flow(doc, actor, comment)
    if trigger == "sign" and flow.can("sign"):  # refuse a placeholder before anything changes
        signers.check(signer or default_signer(doc, actor))
    if trigger == "release" and flow.can("release"):
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
        }
        request_render(doc)
    _notify(doc, trigger, actor, comment)
    if trigger == "release":
        from app.services import plans

        if doc.kind == DocumentKind.PLAN and doc.plan_id:
            plan = db.session.get(Plan, doc.plan_id)
            assert plan is not None
            plans.on_plan_document_released(plan, doc, actor)
        elif doc.kind == DocumentKind.CONSOLIDATED and doc.period_id:
            period = db.session.get(ReportingPeriod, doc.period_id)
            assert period is not None
            plans.on_consolidation_released(period, actor)
        request_render(doc)
    return doc


def _notify(doc: Document, trigger: str, actor: User, comment: str | None) -> None:
    """One notification per hand-over: to sign (signers), signed and awaiting a number (clerks),
    declined back to its drafter."""
    from app.services import notifications

    link = f"/documents/{doc.id}"
    if trigger == "request_signature":
        notifications.notify(
            notifications.users_of(doc.agency_id, "signer"),
            "document_to_sign",
            f"Văn bản chờ ký: {doc.title}",
            link=link,
        )
    elif trigger == "sign":
        notifications.notify(
            notifications.users_of(doc.agency_id, "clerk"),
            "document_to_number",
            f"Văn bản đã ký, chờ vào số và phát hành: {doc.title}",
            link=link,
        )
    elif trigger == "decline" and doc.created_by_id:
        drafter = db.session.get(User, doc.created_by_id)
        if drafter is not None and drafter.active:
            reason = f" Lý do: {comment}" if comment else ""
            notifications.notify(
                [drafter],
                "document_declined",
                f"Dự thảo bị trả lại, chưa ký: {doc.title}.{reason}",
                link=link,
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
    doc.snapshot = {
        **agency_snapshot(agency),
        **{k: v for k, v in (doc.snapshot or {}).items() if k not in agency_snapshot(agency)},
    }


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
    from app.services import audit

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
