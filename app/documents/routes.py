"""Documents: the signer's and clerk's queue, the document page, files, the register."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, pgettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.documents import bp
from app.documents.exchange import exchange_view
from app.documents.forms import (
    ActionForm,
    ChooseSignerForm,
    DraftUploadForm,
    SignedCopyForm,
    SignForm,
    StatusPacketForm,
)
from app.extensions import db
from app.inputs import arg_int
from app.lists import export, list_view, wants_export
from app.models import Document, DocumentKind, RegisterEntry
from app.services import (
    access,
    clock,
    documents,
    drafts,
    filenames,
    flows,
    policy,
    signers,
    signing_keys,
    storage,
)
from app.services.exceptions import InvalidInput, NotAllowed
from app.ui import N_
from forms import bounds
from workflows import DocumentFlow

KIND_LABELS = {
    "plan": "Kế hoạch",
    "report": "Báo cáo",
    "consolidated": "Báo cáo tổng hợp",
    "reminder": "Công văn đôn đốc",
}


def kind_labels() -> dict[str, str]:
    """KIND_LABELS in the request's language (the singular, unlike the "Kế hoạch" menu)."""
    return {
        "plan": pgettext("document kind", "Kế hoạch"),
        "report": pgettext("document kind", "Báo cáo"),
        "consolidated": pgettext("document kind", "Báo cáo tổng hợp"),
        "reminder": pgettext("document kind", "Công văn đôn đốc"),
    }


RENDER_LABELS = {
    "none": N_("Chưa tạo tệp"),
    "queued": N_("Đang chờ tạo tệp"),
    "running": N_("Đang tạo tệp"),
    "done": N_("Đã tạo tệp"),
    "failed": N_("Tạo tệp bị lỗi"),
}


def visible_document(doc_id: int) -> Document:
    return access.get_visible(current_user, access.documents_query(current_user), Document, doc_id)


def document_list_args() -> dict:
    return {
        "stmt": access.documents_query(current_user).options(selectinload(Document.agency)),
        "search": [Document.title, Document.symbol],
        "sorts": {
            "so": [Document.year, Document.number],
            "trich-yeu": Document.title,
            "loai": Document.kind,
            "trang-thai": Document.status,
            "moi": Document.id,
        },
        "default": "moi",
        "default_desc": True,
    }


def register_list_args(year: int) -> dict:
    stmt = select(RegisterEntry).where(RegisterEntry.year == year)
    if not access.is_admin(current_user):
        stmt = stmt.where(RegisterEntry.agency_id == current_user.agency_id)
    return {
        "stmt": stmt,
        "search": [RegisterEntry.symbol, RegisterEntry.summary, RegisterEntry.signer_name],
        "sorts": {
            "so": [RegisterEntry.agency_id, RegisterEntry.number],
            "ngay": [RegisterEntry.issued_on, RegisterEntry.number],
            "trich-yeu": RegisterEntry.summary,
            "nguoi-ky": RegisterEntry.signer_name,
        },
        "default": "so",
    }


def register_year() -> int:
    return arg_int("year", clock.today().year, bounds.YEAR_MIN, bounds.YEAR_MAX, gettext("năm"))


@bp.route("/")
def index():
    if wants_export():
        kinds, states = kind_labels(), DocumentFlow.STATE_LABELS
        return export(
            "Danh sách văn bản",
            document_list_args(),
            [
                ("Số, ký hiệu", lambda d: d.symbol if d.number else ""),
                ("Ngày ban hành", lambda d: d.issued_on),
                ("Trích yếu", lambda d: d.title),
                ("Loại", lambda d: str(kinds.get(d.kind, d.kind))),
                ("Cơ quan", lambda d: d.agency.display_name),
                ("Trạng thái", lambda d: gettext(states.get(d.status, d.status))),
            ],
        )
    waiting = documents.documents_awaiting(current_user)
    view = list_view("documents.index", **document_list_args())
    return render_template(
        "documents/index.html",
        waiting=waiting,
        view=view,
        states=DocumentFlow.STATE_LABELS,
        kinds=kind_labels(),
    )


def _file(doc: Document, which: str) -> str | None:
    if which == "annex":  # a consolidated report's spreadsheet annex, next to its .docx
        return documents.annex_path(doc.docx_path) if doc.docx_path else None
    return {"docx": doc.docx_path, "pdf": doc.pdf_path, "signed": doc.signed_path}.get(which)


def _exists(rel: str | None) -> bool:
    return bool(rel) and storage.exists(rel)


@bp.route("/<int:doc_id>")
def show(
    doc_id: int,
    action_form: ActionForm | None = None,
    upload_form: SignedCopyForm | None = None,
    sign_form: SignForm | None = None,
    draft_form: DraftUploadForm | None = None,
    status_form: StatusPacketForm | None = None,
):
    doc = visible_document(doc_id)
    flow = documents.document_flow(doc, current_user, comment="(lý do nhập trên trang)")
    actions = flows.actions(flow)
    files = {k: _exists(_file(doc, k)) for k in ("docx", "pdf", "signed")}
    files["annex"] = doc.kind == DocumentKind.CONSOLIDATED and _exists(_file(doc, "annex"))
    can_upload = doc.status == "signed" and policy.can(current_user, "document.upload_signed", doc)
    signer_form = _signer_form(doc)
    code = 400 if (action_form or upload_form or sign_form or draft_form or status_form) else 200
    can_edit_draft = doc.status == "draft" and current_user.agency_id == doc.agency_id
    version = documents.current_version(doc)
    # Signed = reviewed: "Ký" only once the frozen file exists, and it carries its hash.
    sign_waits = any(a["trigger"] == "sign" for a in actions) and not (version and version.sha256)
    if sign_waits:
        actions = [a for a in actions if a["trigger"] != "sign"]
    if sign_form is None and any(a["trigger"] == "sign" for a in actions):
        sign_form = SignForm(formdata=None, data=documents.default_signer(doc, current_user))
    can_regenerate = doc.status == "draft" and policy.can(
        current_user, "document.request_signature", doc
    )
    return render_template(
        "documents/show.html",
        doc=doc,
        actions=actions,
        files=files,
        states=DocumentFlow.STATE_LABELS,
        kinds=kind_labels(),
        render_labels=RENDER_LABELS,
        form=action_form or ActionForm(),
        upload_form=upload_form or SignedCopyForm(),
        can_upload=can_upload,
        sign_form=sign_form,
        version=version,
        versions=documents.versions(doc),
        sign_waits=sign_waits,
        can_regenerate=can_regenerate,
        returned=(doc.snapshot or {}).get("returned") if doc.status == "draft" else None,
        signer_form=signer_form,
        intended=signers.intended(doc),
        draft_form=draft_form or DraftUploadForm(),
        can_edit_draft=can_edit_draft,
        signatures=signature_panel(doc),
        ex=exchange_view(doc, status_form),
    ), code


def signature_panel(doc: Document) -> dict | None:
    """What the page says about digital signatures (documents/_signatures.html)."""
    if doc.status not in ("signed", "released"):
        return None
    check = signing_keys.check_of(doc)
    stored = list(check.results or []) if check else []
    judged, names_warning = signing_keys.judge(doc, stored)
    results = [
        {**r, "line": x.line, "role": x.role, "ok": x.ok, "revocation_note": x.revocation_note}
        for r, x in zip(stored, judged, strict=True)
    ]
    ready = signing_keys.readiness(doc)
    never_signed = (
        check is None and ready.ready and doc.render_state == "done" and not doc.signed_path
    )
    return {
        "check": check,
        "results": results,
        "names_warning": names_warning,
        "printed_signer": signing_keys.printed_signer(doc),
        "fetching": signing_keys.fetching_allowed(),
        "readiness": ready,
        "can_verify": bool(doc.signed_path and doc.signed_path.lower().endswith(".pdf"))
        and policy.can(current_user, "document.verify_signatures", doc),
        "can_sign_again": (
            never_signed
            or (check is not None and check.state == "failed" and check.origin == "produced")
        )
        and doc.status == "released"
        and policy.can(current_user, "document.release", doc),
    }


@bp.route("/<int:doc_id>/chu-ky-so/kiem-tra", methods=["POST"])
def verify_signatures(doc_id: int):
    """Check the signed PDF's digital signatures again (after the trust roots changed, or to
    see that the stored file is still the one signed)."""
    doc = visible_document(doc_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not policy.can(current_user, "document.verify_signatures", doc):
        abort(403)
    if not (doc.signed_path and doc.signed_path.lower().endswith(".pdf")):
        flash(gettext("Văn bản chưa có bản PDF đã ký để kiểm tra."), "warning")
        return redirect(url_for("documents.show", doc_id=doc.id))
    signing_keys.request_verification(doc, doc.signed_path, origin=_origin(doc))
    db.session.commit()
    flash(gettext("Đang kiểm tra lại chữ ký số; tải lại trang sau ít giây."), "info")
    return redirect(url_for("documents.show", doc_id=doc.id))


@bp.route("/<int:doc_id>/chu-ky-so/ky-lai", methods=["POST"])
def sign_again(doc_id: int):
    """The clerk asks the worker to sign the released PDF again (after a failed signing)."""
    doc = visible_document(doc_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        signing_keys.sign_again(doc, current_user)
    except NotAllowed:
        abort(403)
    except InvalidInput as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("documents.show", doc_id=doc.id))
    db.session.commit()
    flash(gettext("Đang ký số lại bản phát hành; tải lại trang sau ít giây."), "info")
    return redirect(url_for("documents.show", doc_id=doc.id))


def _origin(doc: Document) -> str:
    check = signing_keys.check_of(doc)
    return check.origin if check else "uploaded"


def _signer_form(doc: Document) -> ChooseSignerForm | None:
    """The choice of signer, for the issuing agency's people before the document is signed."""
    if doc.status not in ("draft", "awaiting_signature"):
        return None
    if current_user.agency_id != doc.agency_id:
        return None
    rows = signers.signers_of(doc.agency_id, doc.kind)
    if not rows:
        return None
    form = ChooseSignerForm(formdata=None, signer_id=doc.signer_id or 0)
    form.signer_id.choices = [(s.id, s.label) for s in rows]
    return form


@bp.route("/<int:doc_id>/signer", methods=["POST"])
def choose_signer(doc_id: int):
    doc = visible_document(doc_id)
    form = ChooseSignerForm()
    form.signer_id.choices = [(s.id, s.label) for s in signers.signers_of(doc.agency_id, doc.kind)]
    if not form.validate_on_submit():
        abort(400)
    try:
        signers.choose(doc, form.signer_id.data, current_user)
    except InvalidInput as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("documents.show", doc_id=doc.id))
    if doc.status == "draft" or doc.status == "awaiting_signature":
        documents.signer_changed(doc, current_user)  # the draft shows the new signer
    db.session.commit()
    flash(gettext("Đã chọn người ký."), "success")
    return redirect(url_for("documents.show", doc_id=doc.id))


@bp.route("/<int:doc_id>/action", methods=["POST"])
def action(doc_id: int):
    doc = visible_document(doc_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    trigger = form.trigger.data
    comment = (form.comment.data or "").strip() or None
    if trigger == "decline" and not comment:
        form.comment.errors = [gettext("Vui lòng nhập “Lý do trả lại dự thảo”.")]
        return show(doc_id, action_form=form)
    signer = None
    if trigger == "sign" and "name" in request.form:
        sign_form = SignForm()
        if not sign_form.validate():
            return show(doc_id, sign_form=sign_form)
        signer = sign_form.signer(documents.default_signer(doc, current_user))
    expected = None
    if trigger == "sign":  # the hash of the file the page showed: signing anything else fails
        expected = request.form.get("content_sha256", "")[:64]
    try:
        documents.transition(
            doc,
            trigger,
            current_user,
            comment=comment,
            signer=signer,
            expected_sha256=expected,
            unit_abbr=request.form.get("unit_abbr", "")[:64] if trigger == "release" else None,
        )
    except InvalidInput as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("documents.show", doc_id=doc_id))
    db.session.commit()
    msg = gettext(
        "Đã thực hiện: %(action)s.",
        action=gettext(DocumentFlow.TRIGGER_LABELS.get(trigger, trigger)),
    )
    if trigger == "release":
        msg = gettext("Đã cấp số %(symbol)s và phát hành văn bản.", symbol=doc.symbol)
    flash(msg, "success")
    return redirect(url_for("documents.show", doc_id=doc.id))


@bp.route("/<int:doc_id>/regenerate", methods=["POST"])
def regenerate(doc_id: int):
    """ "Soạn lại": a new draft version from the data as it is now."""
    doc = visible_document(doc_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        version = documents.regenerate(doc, current_user)
    except NotAllowed:
        abort(403)
    except InvalidInput as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("documents.show", doc_id=doc_id))
    db.session.commit()
    flash(
        gettext("Đang soạn lại dự thảo (phiên bản %(n)s) từ dữ liệu hiện tại.", n=version.number),
        "success",
    )
    return redirect(url_for("documents.show", doc_id=doc.id))


@bp.route("/<int:doc_id>/status.json")
def status(doc_id: int):
    doc = visible_document(doc_id)
    return jsonify(
        state=doc.render_state,
        progress=doc.render_progress,
        label=gettext(RENDER_LABELS.get(doc.render_state, doc.render_state)),
        error=doc.render_error,
        docx=_exists(doc.docx_path),
        pdf=_exists(doc.pdf_path),
    )


@bp.route("/<int:doc_id>/file/<which>")
def download(doc_id: int, which: str):
    doc = visible_document(doc_id)
    rel = _file(doc, which)
    if rel is None or not _exists(rel):
        abort(404)
    ext = rel.rsplit(".", 1)[-1]
    name = filenames.document_filename(
        doc.symbol,
        doc.number,
        doc.title,
        ext,
        draft_version=doc.draft_version,
        suffix={"signed": " (bản ký)", "annex": " - Phụ lục"}.get(which, ""),
    )
    response = storage.download(rel, name)
    response.headers["Content-Disposition"] = filenames.content_disposition(name)
    return response


def _upload(
    doc_id: int,
    form: DraftUploadForm | SignedCopyForm,
    kwarg: str,
    store: Callable[[Document, str, bytes, Any], object],
    done: Callable[[Document], str],
):
    """One file uploaded to a document by ``store`` (a service that bounds and checks it):
    refused, the page comes back with the reason under the field; else ``done``'s message."""
    doc = visible_document(doc_id)
    if not form.validate_on_submit():
        return show(doc_id, **{kwarg: form})
    try:
        store(doc, form.file.data.filename or "", form.file.data.read(), current_user)
    except InvalidInput as exc:
        db.session.rollback()
        form.file.errors = [exc.errors.get("file", str(exc))]
        return show(doc_id, **{kwarg: form})
    db.session.commit()
    flash(done(doc), "success")
    return redirect(url_for("documents.show", doc_id=doc.id))


@bp.route("/<int:doc_id>/draft", methods=["POST"])
def upload_draft(doc_id: int):
    """The draft edited in Word, uploaded as its next version (app.services.drafts)."""
    return _upload(
        doc_id,
        DraftUploadForm(),
        "draft_form",
        drafts.upload_version,
        lambda doc: gettext(
            "Đã tải lên dự thảo lần %(n)s; hệ thống đang tạo bản PDF.", n=doc.draft_version
        ),
    )


@bp.route("/<int:doc_id>/signed", methods=["POST"])
def upload_signed(doc_id: int):
    """The signed copy (a scan or a signed PDF), checked by the worker when it is signed."""
    return _upload(
        doc_id,
        SignedCopyForm(),
        "upload_form",
        documents.attach_signed_copy,
        lambda _doc: gettext("Đã tải lên bản đã ký."),
    )


@bp.route("/register")
def register():
    year = register_year()
    if wants_export():
        return export(
            f"Sổ văn bản đi năm {year}",
            register_list_args(year),
            [
                ("Số", lambda e: e.number),
                ("Số, ký hiệu", lambda e: e.symbol),
                ("Ngày ban hành", lambda e: e.issued_on),
                ("Trích yếu", lambda e: e.summary),
                ("Người ký", lambda e: e.signer_name or ""),
                ("Cơ quan", lambda e: e.agency.display_name),
            ],
            heading=f"Sổ đăng ký văn bản đi — năm {year}",
        )
    view = list_view(
        "documents.register", **register_list_args(year), per_page=50, args={"year": year}
    )
    years = sorted(
        {
            year,
            clock.today().year,
            *db.session.scalars(
                select(RegisterEntry.year)
                .where(RegisterEntry.agency_id == current_user.agency_id)
                .distinct()
            ),
        },
        reverse=True,
    )
    return render_template("documents/register.html", view=view, year=year, years=years)
