"""A parent agency's edXML packet as the legal basis (căn cứ) of a draft plan (docs/edxml.md).
The rules are app.services.exchange's."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext
from flask_login import current_user

from app.extensions import db
from app.models import ExchangeIncoming, Plan
from app.plans import bp
from app.plans.forms import BasisPacketForm, IncomingBasisForm
from app.services import access, exchange, policy
from app.services.exceptions import ConcurrentEdit, InvalidInput, NotAllowed


@bp.route("/<int:plan_id>/can-cu-edxml", methods=["POST"])
def import_basis(plan_id: int):
    plan = access.get_visible(current_user, access.plans_query(current_user), Plan, plan_id)
    policy.require(current_user, "plan.import_basis", plan)  # refused before reading the upload
    form = BasisPacketForm()
    back = redirect(url_for("plans.show", plan_id=plan.id) + "#basis-h")
    if not form.validate_on_submit():
        if form.file.errors:
            flash(form.file.errors[0], "danger")
            return back
        abort(400)
    try:
        data = exchange.read_bounded(form.file.data.stream, exchange.MAX_BASIS_BYTES)
        line = exchange.import_basis(plan, data, current_user)
    except (InvalidInput, NotAllowed, ConcurrentEdit) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return back
    db.session.commit()
    flash(gettext("Đã thêm căn cứ: %(line)s", line=line), "success")
    return back


@bp.route("/<int:plan_id>/can-cu-edxml/<int:incoming_id>", methods=["POST"])
def import_incoming(plan_id: int, incoming_id: int):
    """A document packet received from the exchange (API, folder) as the plan's căn cứ."""
    plan = access.get_visible(current_user, access.plans_query(current_user), Plan, plan_id)
    policy.require(current_user, "plan.import_basis", plan)
    if not IncomingBasisForm().validate_on_submit():
        abort(400)
    incoming = db.get_or_404(ExchangeIncoming, incoming_id)
    back = redirect(url_for("plans.show", plan_id=plan.id) + "#basis-h")
    try:
        line = exchange.import_incoming(plan, incoming, current_user)
    except (InvalidInput, NotAllowed, ConcurrentEdit) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return back
    db.session.commit()
    flash(gettext("Đã thêm căn cứ: %(line)s", line=line), "success")
    return back
