"""The signing material the admin configures, and the check of each document's signed PDF.

- Keys: a PKCS#12 file per signer (user) and per agency. The admin uploads it with its
  passphrase; the file is read once in memory (wrong passphrase, expired or not yet valid,
  not chaining to the trust roots: refused, nothing changed), then kept re-serialized WITHOUT
  the passphrase and encrypted with the server's key-encryption key (Fernet: AES-128-CBC +
  HMAC-SHA256). The passphrase is never stored. The key-encryption key is derived (HKDF-SHA256)
  from ``KEY_ENCRYPTION_KEY`` (``KEHOACH_KEY_ENCRYPTION_KEY``), else from ``SECRET_KEY``: a
  database dump alone does not give the keys. Why not ask the passphrase at signing time: the
  PDF is signed by the worker after release, and the passphrase would have to travel through
  the queue (Redis) in clear.
- Images: the signer's handwritten signature and the agency's seal, PNG only, kept by
  app.services.storage.
- Trust roots: CA certificates the admin uploads (the national root CA is data, not code).
- Timestamp server: ``TIMESTAMP_URL`` (``KEHOACH_TIMESTAMP_URL``): PAdES B-T when set, B-B
  otherwise.
- Revocation data: CRLs and OCSP responses the admin uploads (``RevocationData``); fetching
  them over the network only when ``REVOCATION_FETCH`` is set (off by default).
- ``SignatureCheck``: what the worker found in a document's signed PDF (produced on release or
  uploaded by the clerk), shown on the document page.
- Names: a key's certificate must name the person or agency it is for, and a signature on a
  document the person printed as signer or the issuing agency (the rule: app.services.cert_names).
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from flask import current_app
from flask_babel import gettext
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Agency,
    AgencySigner,
    Document,
    DocumentVersion,
    RevocationData,
    SignatureCheck,
    SigningIdentity,
    TrustRoot,
    User,
    VersionStage,
)
from app.services import audit, cert_names, clock, policy, storage
from app.services.exceptions import InvalidInput
from app.services.jobs import enqueue_after_commit
from app.services.signing import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    REVOCATION_UNKNOWN,
    UNREADABLE_FILE,
    UNREADABLE_SIGNATURE,
    KeyFile,
    Revocation,
    SignatureStatus,
    check_chain,
    describe,
    load_trust_roots,
    read_pkcs12,
    subject_of,
    verdict,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: Upper bound on an uploaded CA certificate (PEM or DER).
MAX_CERT_BYTES = 64 * 1024
#: Upper bound on an uploaded CRL or OCSP response (a national CA's CRL can be megabytes).
MAX_REVOCATION_BYTES = 10 * 1024 * 1024
#: The key form's field, as the admin page names it in refusals.
KEY_FIELD_LABEL = "Tệp khóa (.p12, .pfx)"

Owner = Agency | User


def _fernet() -> Fernet:
    secret = current_app.config.get("KEY_ENCRYPTION_KEY") or current_app.config["SECRET_KEY"]
    material = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"kehoach signing keys v1"
    ).derive(material)
    return Fernet(base64.urlsafe_b64encode(derived))


def _where(owner: Owner):  # noqa: ANN202
    if isinstance(owner, Agency):
        return SigningIdentity.agency_id == owner.id
    return SigningIdentity.user_id == owner.id


def identity(owner: Owner) -> SigningIdentity | None:
    return db.session.scalar(select(SigningIdentity).where(_where(owner)))


def _identity_for_update(owner: Owner, actor: User) -> SigningIdentity:
    row = identity(owner)
    if row is None:
        row = SigningIdentity(
            agency_id=owner.id if isinstance(owner, Agency) else None,
            user_id=owner.id if isinstance(owner, User) else None,
        )
        db.session.add(row)
    row.updated_at = clock.now()
    row.updated_by_id = actor.id
    return row


def trust_roots() -> list[TrustRoot]:
    return list(db.session.scalars(select(TrustRoot).order_by(TrustRoot.id)))


def trust_root_certs() -> list:
    return load_trust_roots([r.der for r in trust_roots()])


def _who(owner: Owner) -> str:
    return owner.name if isinstance(owner, Agency) else (owner.full_name or owner.username)


def agency_names(agency: Agency, printed: str | None = None) -> list[str]:
    """The names an agency's certificate may carry (cert_names.agency_matches)."""
    return [n for n in (agency.name, agency.short_name, printed) if n]


def owner_matches(subject: dict[str, list[str]], owner: Owner) -> bool:
    if isinstance(owner, Agency):
        return cert_names.agency_matches(subject, agency_names(owner), owner.organ_id)
    return bool(owner.full_name) and cert_names.person_matches(subject, owner.full_name)


def _name_refusal(subject: dict[str, list[str]], owner: Owner, field: str) -> InvalidInput:
    cn = cert_names.common_name(subject) or "-"
    if isinstance(owner, Agency):
        message = gettext(
            "“%(field)s”: chứng thư số mang tên “%(cert)s”, không khớp với tên cơ quan "
            "“%(name)s” hay mã định danh của cơ quan (%(organ)s).",
            field=KEY_FIELD_LABEL,
            cert=cn,
            name=owner.name,
            organ=owner.organ_id or gettext("chưa có"),
        )
    else:
        message = gettext(
            "“%(field)s”: chứng thư số mang tên “%(cert)s”, không khớp với họ tên người ký "
            "“%(name)s”.",
            field=KEY_FIELD_LABEL,
            cert=cn,
            name=owner.full_name or owner.username,
        )
    return InvalidInput(message, {field: message})


def store_key(owner: Owner, p12: bytes, passphrase: str, actor: User, field: str = "file") -> None:
    """Keep ``owner``'s PKCS#12 key (see the module's docstring). Refused, nothing changed, with
    a Vietnamese message under ``field`` when the file is not a readable PKCS#12 with this
    passphrase, the certificate is expired or not yet valid, revoked, does not chain to the
    configured trust roots, or does not name ``owner`` (app.services.cert_names)."""
    given = KeyFile(p12, passphrase, field)
    cert = check_chain(given, trust_root_certs(), revocation=revocation())
    subject = subject_of(cert)
    if not owner_matches(subject, owner):
        raise _name_refusal(subject, owner, field)
    key, _, extra = read_pkcs12(given)
    plain = pkcs12.serialize_key_and_certificates(
        None, key, cert, extra or None, serialization.NoEncryption()
    )
    row = _identity_for_update(owner, actor)
    row.key_encrypted = _fernet().encrypt(plain)
    row.cert_subject = cert.subject.rfc4514_string()[:512]
    row.cert_issuer = cert.issuer.rfc4514_string()[:512]
    row.cert_serial = format(cert.serial_number, "x")[:64]
    row.cert_not_before = cert.not_valid_before_utc
    row.cert_not_after = cert.not_valid_after_utc
    row.cert_sha256 = cert.fingerprint(hashes.SHA256()).hex()
    db.session.flush()
    audit.record(actor, row, "upload_key", comment=f"{_who(owner)}: {row.cert_subject}")


def remove_key(owner: Owner, actor: User) -> None:
    row = identity(owner)
    if row is None or row.key_encrypted is None:
        return
    row.key_encrypted = None
    row.cert_subject = row.cert_issuer = row.cert_serial = row.cert_sha256 = None
    row.cert_not_before = row.cert_not_after = None
    row.updated_at, row.updated_by_id = clock.now(), actor.id
    audit.record(actor, row, "remove_key", comment=_who(owner))


def check_png(data: bytes, label: str, field: str = "file") -> None:
    """A PNG within bounds, or InvalidInput naming ``label`` (the field as the page shows it)."""
    if len(data) > MAX_IMAGE_BYTES:
        message = gettext(
            "“%(field)s” quá lớn (tối đa %(n)s MB).",
            field=label,
            n=MAX_IMAGE_BYTES // (1024 * 1024),
        )
        raise InvalidInput(message, {field: message})
    message = gettext("“%(field)s” phải là ảnh PNG đọc được.", field=label)
    if not data.startswith(PNG_MAGIC):
        raise InvalidInput(message, {field: message})
    try:
        picture = Image.open(io.BytesIO(data))
        if picture.format != "PNG":
            raise InvalidInput(message, {field: message})
        if picture.width * picture.height > MAX_IMAGE_PIXELS:
            too_big = gettext(
                "“%(field)s” có quá nhiều điểm ảnh (tối đa 4000 × 4000).", field=label
            )
            raise InvalidInput(too_big, {field: too_big})
        picture.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(message, {field: message}) from None


def store_image(owner: Owner, data: bytes, label: str, actor: User, field: str = "file") -> None:
    """The signer's signature image or the agency's seal image (PNG)."""
    check_png(data, label, field)
    digest = hashlib.sha256(data).hexdigest()[:16]
    kind = "agency" if isinstance(owner, Agency) else "user"
    rel = f"signing/{kind}-{owner.id}-{digest}.png"
    storage.write(rel, data)
    row = _identity_for_update(owner, actor)
    row.image_path = rel
    db.session.flush()
    audit.record(actor, row, "upload_image", comment=f"{_who(owner)}: {label}")


def remove_image(owner: Owner, actor: User) -> None:
    row = identity(owner)
    if row is None or row.image_path is None:
        return
    row.image_path = None
    row.updated_at, row.updated_by_id = clock.now(), actor.id
    audit.record(actor, row, "remove_image", comment=_who(owner))


def add_trust_root(data: bytes, actor: User, field: str = "file") -> TrustRoot:
    """A CA certificate (PEM or DER) the admin trusts."""
    message = gettext("“Chứng thư gốc” phải là một chứng thư số X.509 (PEM hoặc DER).")
    if len(data) > MAX_CERT_BYTES:
        too_big = gettext("“Chứng thư gốc” quá lớn (tối đa 64 KB).")
        raise InvalidInput(too_big, {field: too_big})
    try:
        cert = (
            x509.load_pem_x509_certificate(data)
            if data.lstrip().startswith(b"-----BEGIN")
            else x509.load_der_x509_certificate(data)
        )
    except ValueError:
        raise InvalidInput(message, {field: message}) from None
    der = cert.public_bytes(serialization.Encoding.DER)
    digest = hashlib.sha256(der).hexdigest()
    if db.session.scalar(select(TrustRoot.id).where(TrustRoot.sha256 == digest)):
        again = gettext("Chứng thư gốc này đã có trong danh sách.")
        raise InvalidInput(again, {field: again})
    root = TrustRoot(
        subject=cert.subject.rfc4514_string()[:512],
        sha256=digest,
        der=der,
        not_after=cert.not_valid_after_utc,
        added_at=clock.now(),
        added_by_id=actor.id,
    )
    db.session.add(root)
    db.session.flush()
    audit.record(actor, root, "add_trust_root", comment=root.subject)
    return root


def remove_trust_root(root: TrustRoot, actor: User) -> None:
    audit.record(actor, root, "remove_trust_root", comment=root.subject)
    db.session.delete(root)


# ----------------------------------------------------------------------------- revocation


def revocation_rows() -> list[RevocationData]:
    return list(db.session.scalars(select(RevocationData).order_by(RevocationData.id)))


def revocation() -> Revocation:
    """The revocation data validation and signing use (the admin's uploads), and whether
    fetching over the network is allowed (``REVOCATION_FETCH``, off by default)."""
    rows = revocation_rows()
    return Revocation(
        crls=tuple(r.der for r in rows if r.kind == "crl"),
        ocsps=tuple(r.der for r in rows if r.kind == "ocsp"),
        allow_fetching=bool(current_app.config.get("REVOCATION_FETCH")),
    )


def fetching_allowed() -> bool:
    return bool(current_app.config.get("REVOCATION_FETCH"))


def _read_revocation(data: bytes) -> tuple[str, bytes, str, datetime | None, datetime | None]:
    """(kind, DER, issuer, this update, next update) of a CRL (PEM or DER) or a DER OCSP
    response; ValueError otherwise."""
    if data.lstrip().startswith(b"-----BEGIN"):
        crl = x509.load_pem_x509_crl(data)
    else:
        try:
            crl = x509.load_der_x509_crl(data)
        except ValueError:
            response = ocsp.load_der_ocsp_response(data)
            if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
                raise ValueError("unsuccessful OCSP response") from None
            return (
                "ocsp",
                data,
                response.certificate_status.name.lower()
                + " · "
                + format(response.serial_number, "x"),
                response.this_update_utc,
                response.next_update_utc,
            )
    return (
        "crl",
        crl.public_bytes(serialization.Encoding.DER),
        crl.issuer.rfc4514_string(),
        crl.last_update_utc,
        crl.next_update_utc,
    )


def add_revocation(data: bytes, actor: User, field: str = "file") -> RevocationData:
    """A CRL (PEM or DER) or an OCSP response (DER) the admin uploads."""
    if len(data) > MAX_REVOCATION_BYTES:
        too_big = gettext("“Danh sách thu hồi / phản hồi OCSP” quá lớn (tối đa 10 MB).")
        raise InvalidInput(too_big, {field: too_big})
    try:
        kind, der, issuer, this_update, next_update = _read_revocation(data)
    except ValueError:
        message = gettext(
            "“Danh sách thu hồi / phản hồi OCSP” phải là một danh sách thu hồi chứng thư (CRL, "
            "PEM hoặc DER) hoặc một phản hồi OCSP thành công (DER)."
        )
        raise InvalidInput(message, {field: message}) from None
    digest = hashlib.sha256(der).hexdigest()
    if db.session.scalar(select(RevocationData.id).where(RevocationData.sha256 == digest)):
        again = gettext("Dữ liệu thu hồi này đã có trong danh sách.")
        raise InvalidInput(again, {field: again})
    row = RevocationData(
        kind=kind,
        issuer=issuer[:512],
        sha256=digest,
        der=der,
        this_update=this_update,
        next_update=next_update,
        added_at=clock.now(),
        added_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(actor, row, "add_revocation", comment=f"{kind}: {row.issuer}")
    return row


def remove_revocation(row: RevocationData, actor: User) -> None:
    audit.record(actor, row, "remove_revocation", comment=f"{row.kind}: {row.issuer}")
    db.session.delete(row)


# ----------------------------------------------------------------------------- signing


@dataclass(frozen=True)
class StoredKey:
    """A key kept by this module, decrypted in memory when the worker signs (``key_file``; the
    worker's ``worker.pades.sign_pdf`` loads it)."""

    encrypted: bytes
    label: str

    def key_file(self) -> KeyFile:
        try:
            p12 = _fernet().decrypt(self.encrypted)
        except InvalidToken:
            message = gettext(
                "Không giải mã được %(label)s đã lưu (khóa mã hóa của máy chủ đã thay đổi): "
                "quản trị cần tải lại tệp khóa.",
                label=self.label,
            )
            raise InvalidInput(message, {self.label: message}) from None
        return KeyFile(p12, "", self.label)


def _stored_subject(row: SigningIdentity) -> dict[str, list[str]]:
    """The names of the certificate of a stored key (decrypted in memory)."""
    assert row.key_encrypted is not None
    try:
        plain = _fernet().decrypt(row.key_encrypted)
    except InvalidToken:
        return {}  # the signing itself says the key cannot be decrypted
    _, cert, _ = pkcs12.load_key_and_certificates(plain, None)
    return subject_of(cert) if cert is not None else {}


def printed_signer(doc: Document) -> str:
    """The name printed in the document's signer block."""
    return str((doc.snapshot or {}).get("signer_name") or "")


def check_names(doc: Document, mine: SigningIdentity, theirs: SigningIdentity) -> None:
    """Before the worker signs: the signer's certificate names the person printed as signer,
    the agency's certificate the issuing agency (app.services.cert_names); InvalidInput saying
    which does not."""
    printed = printed_signer(doc)
    person = _stored_subject(mine)
    if person and not cert_names.person_matches(person, printed):
        raise InvalidInput(
            gettext(
                "chứng thư số của khóa người ký mang tên “%(cert)s”, không khớp với người ký in "
                "trên văn bản “%(name)s”.",
                cert=cert_names.common_name(person) or "-",
                name=printed or "-",
            )
        )
    agency = db.session.get(Agency, doc.agency_id)
    assert agency is not None
    seal = _stored_subject(theirs)
    names = agency_names(agency, (doc.snapshot or {}).get("name"))
    if seal and not cert_names.agency_matches(seal, names, agency.organ_id):
        raise InvalidInput(
            gettext(
                "chứng thư số của khóa cơ quan mang tên “%(cert)s”, không khớp với cơ quan ban "
                "hành “%(name)s”.",
                cert=cert_names.common_name(seal) or "-",
                name=names[-1],
            )
        )


@dataclass(frozen=True)
class JudgedSignature:
    """One signature of a document's signed PDF as the page shows it."""

    role: str  # whom its certificate names: signer | agency | "" (neither, or unreadable)
    ok: bool  # ✔ (app.services.signing.verdict)
    line: str  # "Ký bởi … lúc … — <verdict>"
    revocation_note: str  # whether revocation was checked


def _unreadable(result: dict) -> str:
    """Whether a stored result could not be checked at all; rows kept before the fact was
    stored: no certificate read and not intact (a file that did not parse has no field)."""
    if "unreadable" in result:
        return str(result["unreadable"] or "")
    if result.get("intact") or result.get("signer") or result.get("subject"):
        return ""
    return UNREADABLE_SIGNATURE if result.get("field") else UNREADABLE_FILE


def judge(doc: Document, results: list[dict]) -> tuple[list[JudgedSignature], str]:
    """Per stored signature result (``SignatureCheck.results``), whom its certificate names
    (the person printed as signer, the issuing agency, or neither) and its one verdict
    (``signing.verdict``: the technical facts the worker stored, the names, and whether the
    content signed is the version the leader was shown); and a warning for the page when no
    signature names the printed signer."""
    printed = printed_signer(doc)
    agency = db.session.get(Agency, doc.agency_id)
    names = agency_names(agency, (doc.snapshot or {}).get("name")) if agency else []
    organ = agency.organ_id if agency else None
    judged = []
    for r in results:
        subject = r.get("subject") or ({"common_name": [r["signer"]]} if r.get("signer") else {})
        if not subject:
            role: str | None = None  # unreadable: the technical verdict says so
        elif printed and cert_names.person_matches(subject, printed):
            role = "signer"
        elif cert_names.agency_matches(subject, names, organ):
            role = "agency"
        else:
            role = ""
        found = verdict(
            bool(r.get("intact")),
            bool(r.get("trusted")),
            bool(r.get("valid")),
            revocation=r.get("revocation") or REVOCATION_UNKNOWN,
            names=role,
            cert=cert_names.common_name(subject) if subject else "",
            printed=printed,
            content=r.get("content"),
            # rows stored before the content was compared have no "content": judged as before
            content_asked="content" in r,
            unreadable=_unreadable(r),
        )
        when = r.get("signed_at")
        line = describe(
            SignatureStatus(
                field=r.get("field", ""),
                signer=r.get("signer", ""),
                signed_at=datetime.fromisoformat(when) if when else None,
                intact=bool(r.get("intact")),
                trusted=bool(r.get("trusted")),
                valid=found.ok,
                message=found.text,
            )
        )
        judged.append(JudgedSignature(role or "", found.ok, line, found.revocation_note))
    warning = ""
    if results and printed and not any(x.role == "signer" for x in judged):
        warning = gettext(
            "Không có chữ ký số nào của người ký in trên văn bản (“%(name)s”).", name=printed
        )
    return judged, warning


def signer_user(doc: Document) -> User | None:
    """The leader who signed ``doc`` (recorded at signing), else the chosen signer's account."""
    snap = doc.snapshot or {}
    user_id = snap.get("signed_by_id")
    if user_id is None and doc.signer_id:
        chosen = db.session.get(AgencySigner, doc.signer_id)
        user_id = chosen.user_id if chosen else None
    return db.session.get(User, user_id) if user_id else None


@dataclass(frozen=True)
class Readiness:
    ready: bool
    missing: list[str]  # what the admin has not configured, in Vietnamese
    signer: User | None


def readiness(doc: Document) -> Readiness:
    """Whether a released ``doc`` will be signed digitally (both keys present)."""
    missing = []
    person = signer_user(doc)
    mine = identity(person) if person is not None else None
    agency = db.session.get(Agency, doc.agency_id)
    theirs = identity(agency) if agency is not None else None
    if mine is None or mine.key_encrypted is None:
        missing.append(gettext("khóa của người ký"))
    if theirs is None or theirs.key_encrypted is None:
        missing.append(gettext("khóa của cơ quan"))
    return Readiness(not missing, missing, person)


def timestamp_url() -> str | None:
    return (current_app.config.get("TIMESTAMP_URL") or "").strip() or None


def check_of(doc: Document) -> SignatureCheck | None:
    return db.session.get(SignatureCheck, doc.id)


def _mark(doc: Document, origin: str, rel: str | None) -> SignatureCheck:
    row = check_of(doc)
    if row is None:
        row = SignatureCheck(document_id=doc.id)
        db.session.add(row)
    row.state, row.origin, row.file_path = "queued", origin, rel
    row.results, row.error, row.checked_at = [], None, None
    row.requested_at = clock.now()
    return row


def request_signing(doc: Document, version_key: str) -> None:
    """A released version was rendered (the worker calls this): sign it when both keys are
    configured; otherwise nothing changes (the clerk's scan, as before)."""
    if not readiness(doc).ready:
        return
    _mark(doc, "produced", None)
    enqueue_after_commit(
        "worker.sign.sign_document",
        doc.id,
        version_key,
        job_id=f"sign-{version_key}",
        job_timeout=300,
    )


def sign_again(doc: Document, actor: User) -> None:
    """The clerk asks again for the released version to be signed (after a failed signing,
    once the admin has fixed a key or an image)."""
    policy.require(actor, "document.release", doc)
    version = db.session.scalar(
        select(DocumentVersion)
        .where(
            DocumentVersion.document_id == doc.id,
            DocumentVersion.stage == VersionStage.RELEASED,
        )
        .order_by(DocumentVersion.number.desc())
    )
    if doc.status != "released" or version is None or not version.pdf_path:
        raise InvalidInput(gettext("Văn bản chưa có bản phát hành để ký số."))
    state = readiness(doc)
    if not state.ready:
        raise InvalidInput(
            gettext("Chưa cấu hình ký số (thiếu: %(what)s).", what=", ".join(state.missing))
        )
    audit.record(actor, doc, "sign_again", comment=version.render_key)
    _mark(doc, "produced", None)
    enqueue_after_commit(
        "worker.sign.sign_document",
        doc.id,
        version.render_key,
        job_id=f"sign-{version.render_key}-{clock.now().strftime('%Y%m%d%H%M%S')}",
        job_timeout=300,
    )


def request_verification(doc: Document, rel: str, origin: str = "uploaded") -> None:
    """Check the signatures of ``rel`` (a PDF of ``doc``) in the worker."""
    if not rel.lower().endswith(".pdf"):
        row = check_of(doc)
        if row is not None:
            db.session.delete(row)
        return
    _mark(doc, origin, rel)
    token = hashlib.sha256(f"{rel}|{clock.now().isoformat()}".encode()).hexdigest()[:12]
    enqueue_after_commit(
        "worker.sign.verify_document", doc.id, rel, job_id=f"verify-{doc.id}-{token}"
    )
