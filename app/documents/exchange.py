"""The document page's exchange part (edXML): send the packet, read recipients' status packets.
The rules are app.services.exchange's; the page only asks the policy which buttons to show."""

from __future__ import annotations

from flask import Response, flash, redirect, url_for
from flask_babel import gettext
from flask_login import current_user

from app.documents import bp
from app.documents.forms import StatusPacketForm
from app.extensions import db
from app.models import Document
from app.services import edxml, exchange, filenames, policy
from app.services.exceptions import InvalidInput, NotAllowed


def exchange_view(doc: Document, status_form: StatusPacketForm | None = None) -> dict | None:
    """What the partial documents/_exchange.html shows; None before release."""
    if doc.status != "released":
        return None
    return {
        "preview": exchange.export_preview(doc),
        "recipients": exchange.recipient_states(doc),
        "stages": exchange.STAGES,
        "can_export": policy.can(current_user, "document.export_edxml", doc),
        "can_import": policy.can(current_user, "document.import_status", doc),
        "form": status_form or StatusPacketForm(),
    }


def _visible(doc_id: int) -> Document:
    from app.documents.routes import visible_document

    return visible_document(doc_id)


@bp.route("/<int:doc_id>/edxml", methods=["POST"])
def export_edxml(doc_id: int):
    """Download the edXML packet (and record whom it is addressed to)."""
    doc = _visible(doc_id)
    policy.require(current_user, "document.export_edxml", doc)  # 403, as every refused verb
    try:
        data = exchange.export_packet(doc, current_user)
    except (InvalidInput, NotAllowed) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("documents.show", doc_id=doc_id) + "#edxml-h")
    db.session.commit()
    name = exchange.packet_filename(doc)
    response = Response(data, mimetype="application/xml")
    response.headers["Content-Disposition"] = filenames.content_disposition(name)
    return response


@bp.route("/<int:doc_id>/edxml/status", methods=["POST"])
def import_status(doc_id: int):
    """A status packet uploaded by the clerk (bounded before it is parsed)."""
    from app.documents.routes import show

    doc = _visible(doc_id)
    policy.require(current_user, "document.import_status", doc)  # before reading the upload
    form = StatusPacketForm()
    if not form.validate_on_submit():
        return show(doc_id, status_form=form)
    try:
        data = exchange.read_bounded(form.file.data.stream, exchange.MAX_STATUS_BYTES)
        row, new = exchange.import_status(data, current_user, document=doc)
    except (InvalidInput, NotAllowed) as exc:
        db.session.rollback()
        form.file.errors = [str(exc)]
        return show(doc_id, status_form=form)
    label = edxml.STATUS_LABELS[row.code]
    name = row.recipient.organ_name
    db.session.commit()
    if new:
        flash(gettext("Đã ghi nhận: %(name)s — %(state)s.", name=name, state=label), "success")
    else:
        flash(gettext("Gói trạng thái này đã được nhập trước đó."), "info")
    return redirect(url_for("documents.show", doc_id=doc_id) + "#edxml-h")
