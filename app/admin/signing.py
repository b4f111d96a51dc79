"""Admin pages of digital signing (issue 15): each agency's key and seal image, its signers'
keys and signature images, the trust roots. Checks and storage: app.services.signing_keys."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from app.admin import bp
from app.admin.forms import (
    ActionForm,
    ImageUploadForm,
    KeyUploadForm,
    RevocationForm,
    TrustRootForm,
    show_refusal,
)
from app.extensions import db
from app.models import Agency, RevocationData, SigningIdentity, TrustRoot, User
from app.services import policy, signing_keys, storage
from app.services.exceptions import InvalidInput
from app.services.signing import MAX_IMAGE_BYTES, MAX_P12_BYTES


def _signer_users(agency: Agency) -> list[User]:
    users = db.session.scalars(
        select(User)
        .where(User.agency_id == agency.id, User.active.is_(True))
        .order_by(User.full_name, User.id)
    ).all()
    return [u for u in users if policy.signs_for(u, agency.id)]


def _owner(agency: Agency, who: str) -> Agency | User:
    if who == "co-quan":
        return agency
    if not who.isdigit():
        abort(404)
    user = db.session.get(User, int(who))
    if user is None or user.agency_id != agency.id:
        abort(404)
    return user


def _prefix(who: str, what: str) -> str:
    return f"{who}-{what}"


def _page(agency: Agency, forms: dict | None = None, status: int = 200):  # noqa: ANN202
    forms = forms or {}
    people = _signer_users(agency)
    owners: list[tuple[str, Agency | User]] = [("co-quan", agency)]
    owners += [(str(u.id), u) for u in people]
    ids = {
        row.agency_id if row.agency_id else -row.user_id: row  # type: ignore[operator]
        for row in db.session.scalars(
            select(SigningIdentity).where(
                (SigningIdentity.agency_id == agency.id)
                | SigningIdentity.user_id.in_([u.id for u in people])
            )
        )
    }
    rows = []
    for who, owner in owners:
        key = owner.id if isinstance(owner, Agency) else -owner.id
        rows.append(
            {
                "who": who,
                "owner": owner,
                "is_agency": isinstance(owner, Agency),
                "identity": ids.get(key),
                "key_form": forms.get(_prefix(who, "khoa"))
                or KeyUploadForm(prefix=_prefix(who, "khoa"), formdata=None),
                "image_form": forms.get(_prefix(who, "anh"))
                or ImageUploadForm(prefix=_prefix(who, "anh"), formdata=None),
            }
        )
    return render_template(
        "admin/signing.html",
        agency=agency,
        rows=rows,
        action_form=ActionForm(),
        roots=len(signing_keys.trust_roots()),
        timestamp_url=signing_keys.timestamp_url(),
        max_key_kb=MAX_P12_BYTES // 1024,
        max_image_mb=MAX_IMAGE_BYTES // (1024 * 1024),
    ), status


@bp.route("/co-quan/<int:agency_id>/ky-so")
def agency_signing(agency_id: int):
    """The agency's key and seal, and each of its leaders' key and signature image."""
    return _page(db.get_or_404(Agency, agency_id))


def _image_label(owner: Agency | User) -> str:
    return gettext("Ảnh con dấu") if isinstance(owner, Agency) else gettext("Ảnh chữ ký")


@bp.route("/co-quan/<int:agency_id>/ky-so/<who>/<what>", methods=["POST"])
def agency_signing_upload(agency_id: int, who: str, what: str):
    """``khoa``: upload a key; ``anh``: upload an image; ``xoa-khoa`` / ``xoa-anh``: remove."""
    agency = db.get_or_404(Agency, agency_id)
    owner = _owner(agency, who)
    name = owner.name if isinstance(owner, Agency) else owner.full_name
    if what in ("xoa-khoa", "xoa-anh"):
        if not ActionForm().validate_on_submit():
            abort(400)
        if what == "xoa-khoa":
            signing_keys.remove_key(owner, current_user)
            flash(gettext("Đã gỡ khóa ký số của “%(name)s”.", name=name), "info")
        else:
            signing_keys.remove_image(owner, current_user)
            flash(
                gettext(
                    "Đã gỡ %(label)s của “%(name)s”.", label=_image_label(owner).lower(), name=name
                ),
                "info",
            )
        db.session.commit()
        return redirect(url_for("admin.agency_signing", agency_id=agency.id))
    if what == "khoa":
        form: KeyUploadForm | ImageUploadForm = KeyUploadForm(prefix=_prefix(who, what))
    elif what == "anh":
        form = ImageUploadForm(prefix=_prefix(who, what))
    else:
        abort(404)
    if not form.validate_on_submit():
        return _page(agency, {_prefix(who, what): form}, 400)
    data = form.file.data.read(max(MAX_P12_BYTES, MAX_IMAGE_BYTES) + 1)
    try:
        if isinstance(form, KeyUploadForm):
            signing_keys.store_key(owner, data, form.passphrase.data or "", current_user)
            done = gettext("Đã lưu khóa ký số của “%(name)s” (mã hóa khi lưu).", name=name)
        else:
            signing_keys.store_image(owner, data, _image_label(owner), current_user)
            done = gettext(
                "Đã lưu %(label)s của “%(name)s”.", label=_image_label(owner).lower(), name=name
            )
    except InvalidInput as exc:
        db.session.rollback()
        show_refusal(form, exc, "file")
        return _page(agency, {_prefix(who, what): form}, 400)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("admin.agency_signing", agency_id=agency.id))


@bp.route("/ky-so/anh/<int:identity_id>")
def signing_image(identity_id: int):
    row = db.get_or_404(SigningIdentity, identity_id)
    if not row.image_path or not storage.exists(row.image_path):
        abort(404)
    response = storage.download(row.image_path, "anh.png")
    response.headers["Content-Disposition"] = "inline"
    return response


def _roots_page(form: TrustRootForm, revocation_form: RevocationForm, status: int):  # noqa: ANN202
    return render_template(
        "admin/trust_roots.html",
        form=form,
        revocation_form=revocation_form,
        rows=signing_keys.trust_roots(),
        revocations=signing_keys.revocation_rows(),
        fetching=signing_keys.fetching_allowed(),
        action_form=ActionForm(),
        timestamp_url=signing_keys.timestamp_url(),
        agencies=db.session.scalars(
            select(Agency).where(Agency.valid_to.is_(None)).order_by(Agency.name)
        ).all(),
    ), status


@bp.route("/ky-so/thu-hoi", methods=["POST"])
def revocation_add():
    """A CRL or an OCSP response the admin uploads (revocation checking without network)."""
    form = RevocationForm()
    if form.validate_on_submit():
        try:
            row = signing_keys.add_revocation(
                form.file.data.read(signing_keys.MAX_REVOCATION_BYTES + 1), current_user
            )
        except InvalidInput as exc:
            db.session.rollback()
            show_refusal(form, exc, "file")
        else:
            db.session.commit()
            flash(gettext("Đã thêm dữ liệu thu hồi “%(name)s”.", name=row.issuer), "success")
            return redirect(url_for("admin.trust_roots") + "#thu-hoi")
    return _roots_page(TrustRootForm(formdata=None), form, 400)


@bp.route("/ky-so/thu-hoi/<int:row_id>/xoa", methods=["POST"])
def revocation_remove(row_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    row = db.get_or_404(RevocationData, row_id)
    signing_keys.remove_revocation(row, current_user)
    db.session.commit()
    flash(gettext("Đã gỡ dữ liệu thu hồi."), "info")
    return redirect(url_for("admin.trust_roots") + "#thu-hoi")


@bp.route("/ky-so", methods=["GET", "POST"])
def trust_roots():
    """The CA certificates signatures and keys must chain to (the national root CA: data)."""
    form = TrustRootForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                root = signing_keys.add_trust_root(
                    form.file.data.read(signing_keys.MAX_CERT_BYTES + 1), current_user
                )
            except InvalidInput as exc:
                db.session.rollback()
                show_refusal(form, exc, "file")
            else:
                db.session.commit()
                flash(gettext("Đã thêm chứng thư gốc “%(name)s”.", name=root.subject), "success")
                return redirect(url_for("admin.trust_roots"))
    return _roots_page(form, RevocationForm(formdata=None), status)


@bp.route("/ky-so/<int:root_id>/xoa", methods=["POST"])
def trust_root_remove(root_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    root = db.get_or_404(TrustRoot, root_id)
    subject = root.subject
    signing_keys.remove_trust_root(root, current_user)
    db.session.commit()
    flash(gettext("Đã gỡ chứng thư gốc “%(name)s”.", name=subject), "info")
    return redirect(url_for("admin.trust_roots"))
