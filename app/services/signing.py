"""What the web needs of digital signing: reading and checking a signing key, the trust roots,
and the sentence for one signature found in a PDF (Decree 30/2020/NĐ-CP, Appendix I).

Signing and verifying PDFs themselves (pyHanko, fontTools, Pillow: tens of MB once imported)
happen only in the worker (``worker/pades.py``); a web process never imports them
(``tests/test_web_footprint.py``). Pure functions on bytes: nothing here touches the database
or the file store. Keys come as PKCS#12 bytes + passphrase; the passphrase is only used in
memory.

Revocation (CRL/OCSP): only the data given (``Revocation``: the admin's uploads, and what a PDF
carries in its DSS); fetching over the network only when ``Revocation.allow_fetching`` (an
explicit setting, off by default). The checks of a certificate's chain and revocation live here
(pyhanko-certvalidator only, light enough for the web: a key's revocation is checked at upload);
the worker uses them for the signatures it finds in a PDF and for embedding validation data at
signing (PAdES B-LT).
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from flask_babel import gettext
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import RevokedError

from app.services import cert_names
from app.services.exceptions import InvalidInput

#: Vietnam's time zone (ICT, no daylight saving): the offset printed on the seal.
VIETNAM_TZ = timezone(timedelta(hours=7))
#: Upper bound on a PKCS#12 file (a key + a chain is a few kB).
MAX_P12_BYTES = 64 * 1024

#: Upper bounds on the signature and seal images.
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 4000 * 4000

#: What the page says about a certificate's revocation (``SignatureStatus.revocation``).
REVOCATION_GOOD = "good"  # checked against a CRL or OCSP response: not revoked
REVOCATION_REVOKED = "revoked"
REVOCATION_UNKNOWN = "unknown"  # no usable CRL/OCSP for the chain: not checked

#: Why a signature could not be checked at all (``SignatureStatus.unreadable``).
UNREADABLE_FILE = "file"  # the PDF itself cannot be parsed
UNREADABLE_SIGNATURE = "signature"  # pyHanko could not validate this signature


@dataclass(frozen=True)
class Revocation:
    """The revocation data validation may use: CRLs and OCSP responses (DER) the admin
    uploaded, and whether pyHanko may fetch more over the network (off unless the admin
    configures it: no network at run time by default)."""

    crls: tuple[bytes, ...] = ()
    ocsps: tuple[bytes, ...] = ()
    allow_fetching: bool = False

    def context(
        self,
        roots: list[asn1_x509.Certificate],
        *,
        mode: str = "soft-fail",
        other_certs: list[asn1_x509.Certificate] | None = None,
        crls: list[Any] | None = None,
        ocsps: list[Any] | None = None,
        for_certs: list[asn1_x509.Certificate] | None = None,
    ) -> ValidationContext:
        """The validation context; OCSP responses only for the certificates ``for_certs`` (a
        response about another certificate makes pyhanko-certvalidator fail the check)."""
        answers = [*self.ocsps, *(ocsps or [])]
        if for_certs is not None:
            serials = {c.serial_number for c in for_certs}
            answers = [a for a in answers if _ocsp_serials(a) & serials]
        return ValidationContext(
            trust_roots=roots,
            other_certs=other_certs or [],
            crls=[*self.crls, *(crls or [])],
            ocsps=answers,
            allow_fetching=self.allow_fetching,
            revocation_mode=mode,
        )


def _ocsp_serials(der: bytes) -> set[int]:
    """The serial numbers an OCSP response (DER) answers about (empty if unreadable)."""
    try:
        basic = asn1_ocsp.OCSPResponse.load(der)["response_bytes"]["response"].parsed
        return {
            r["cert_id"]["serial_number"].native for r in basic["tbs_response_data"]["responses"]
        }
    except Exception:  # a malformed response answers nothing
        return set()


OFFLINE = Revocation()


@dataclass(frozen=True)
class KeyFile:
    """A PKCS#12 file (bytes) and its passphrase, as the user gave them ("" for a file kept
    without one, as app.services.signing_keys stores it, encrypted at rest)."""

    p12: bytes
    passphrase: str
    label: str = "tệp khóa"  # names the field in error messages


@dataclass(frozen=True)
class SignatureStatus:
    """One signature of a PDF as the document page shows it."""

    field: str
    signer: str  # subject common name of the signing certificate ("" if unreadable)
    signed_at: datetime | None  # the signing time the signature claims, in +07:00
    intact: bool  # the signed bytes are unchanged
    trusted: bool  # the certificate chains to a configured trust root and is valid
    valid: bool  # intact, trusted, and the later changes are allowed ones
    message: str  # Vietnamese sentence for the page
    timestamped: bool = False  # an RFC 3161 timestamp (PAdES B-T) is attached and valid
    subject: dict[str, list[str]] = dataclasses.field(
        default_factory=dict
    )  # the certificate's names
    revocation: str = REVOCATION_UNKNOWN  # REVOCATION_GOOD / _REVOKED / _UNKNOWN
    ltv: bool = False  # validation data in the PDF (DSS; or the CMS: adbe-revocationInfoArchival)
    covered: int = 0  # bytes of the file the signature's revision ends at (what it signed)
    unreadable: str = ""  # UNREADABLE_FILE / _SIGNATURE when it could not be checked at all


def subject_of(cert: x509.Certificate | asn1_x509.Certificate) -> dict[str, list[str]]:
    """The certificate's subject as app.services.cert_names reads it."""
    if isinstance(cert, x509.Certificate):
        cert = _asn1(cert)
    return cert_names.subject_values(cert.subject.native.items())


def vn_time(moment: datetime) -> str:
    """ISO 8601 with +07:00, to the second: the form printed on the seal."""
    return moment.astimezone(VIETNAM_TZ).isoformat(timespec="seconds")


def read_pkcs12(
    key: KeyFile, *, now: datetime | None = None
) -> tuple[Any, x509.Certificate, list[x509.Certificate]]:
    """(private key, certificate, the other certificates) of a PKCS#12 file, refused with a
    Vietnamese message naming ``key.label`` when too big, the passphrase is wrong, the key or
    certificate is missing, or the certificate is expired or not yet valid at ``now``."""
    if len(key.p12) > MAX_P12_BYTES:
        raise InvalidInput(
            gettext("Tệp khóa quá lớn."),
            {key.label: gettext("Tệp khóa quá lớn.")},
        )
    try:
        private_key, cert, extra = pkcs12.load_key_and_certificates(
            key.p12, key.passphrase.encode("utf-8")
        )
    except ValueError:
        message = gettext("Mật khẩu của tệp khóa không đúng, hoặc tệp không phải PKCS#12.")
        raise InvalidInput(message, {key.label: message}) from None
    if private_key is None or cert is None:
        message = gettext("Tệp khóa không chứa khóa bí mật và chứng thư số.")
        raise InvalidInput(message, {key.label: message})
    moment = now or datetime.now(UTC)
    if not (cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc):
        message = gettext("Chứng thư số đã hết hạn hoặc chưa có hiệu lực.")
        raise InvalidInput(message, {key.label: message})
    return private_key, cert, list(extra)


def load_trust_roots(pem_or_der: list[bytes]) -> list[asn1_x509.Certificate]:
    """Trust-root certificates (PEM or DER) as the admin configures them."""
    roots = []
    for data in pem_or_der:
        cert = (
            x509.load_pem_x509_certificate(data)
            if data.lstrip().startswith(b"-----BEGIN")
            else x509.load_der_x509_certificate(data)
        )
        roots.append(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)))
    return roots


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


async def _chains(
    cert: asn1_x509.Certificate,
    others: list[asn1_x509.Certificate],
    roots: list[asn1_x509.Certificate],
    moment: datetime,
    revocation: Revocation = OFFLINE,
) -> str | None:
    """None when ``cert`` chains to ``roots`` for digital signatures; else "revoked" or
    "untrusted"."""
    answers = [a for a in revocation.ocsps if _ocsp_serials(a) & {cert.serial_number}]
    context = ValidationContext(
        trust_roots=roots,
        crls=list(revocation.crls),
        ocsps=answers,
        allow_fetching=revocation.allow_fetching,
        moment=moment,
        revocation_mode="soft-fail",
    )
    validator = CertificateValidator(cert, intermediate_certs=others, validation_context=context)
    try:
        await validator.async_validate_usage({"digital_signature"})
    except RevokedError:
        return "revoked"
    except Exception:  # no path, a bad path or a disallowed certificate
        return "untrusted"
    if revocation.crls or revocation.ocsps:  # soft-fail may stop at a CRL that does not list it
        strict = revocation.context(
            roots, mode="require", other_certs=others, for_certs=[cert, *others]
        )
        if await revocation_checked(cert, others, strict) == REVOCATION_REVOKED:
            return "revoked"
    return None


async def revocation_checked(
    cert: asn1_x509.Certificate, others: list[asn1_x509.Certificate], context: ValidationContext
) -> str:
    """REVOCATION_GOOD when every certificate of the path has a CRL or OCSP response in
    ``context`` (mode "require") saying it is not revoked; _REVOKED; else _UNKNOWN."""
    validator = CertificateValidator(cert, intermediate_certs=others, validation_context=context)
    try:
        await validator.async_validate_path()
    except RevokedError:
        return REVOCATION_REVOKED
    except Exception:  # no revocation data, stale data, no path: not checked
        return REVOCATION_UNKNOWN
    return REVOCATION_GOOD


def check_chain(
    key: KeyFile,
    trust_roots: list[asn1_x509.Certificate],
    *,
    now: datetime | None = None,
    revocation: Revocation = OFFLINE,
) -> x509.Certificate:
    """The key's certificate, once it is readable, valid now and chains to ``trust_roots`` (for
    digital signatures); refused with a Vietnamese message naming ``key.label`` otherwise."""
    _, cert, extra = read_pkcs12(key, now=now)
    if not trust_roots:
        message = gettext(
            "Chưa có chứng thư gốc tin cậy: quản trị thêm chứng thư gốc trước khi tải tệp khóa."
        )
        raise InvalidInput(message, {key.label: message})
    moment = now or datetime.now(UTC)
    problem = asyncio.run(
        _chains(_asn1(cert), [_asn1(c) for c in extra], trust_roots, moment, revocation)
    )
    if problem == "revoked":
        message = gettext("Chứng thư số đã bị thu hồi (theo danh sách thu hồi đã tải lên).")
        raise InvalidInput(message, {key.label: message})
    if problem:
        message = gettext(
            "Chứng thư số không được cấp bởi chứng thư gốc tin cậy đã cấu hình (hoặc không "
            "dùng được để ký)."
        )
        raise InvalidInput(message, {key.label: message})
    return cert


@dataclass(frozen=True)
class Verdict:
    """What one signature found in a PDF is worth, decided in one place (``verdict``)."""

    ok: bool  # ✔: intact, trusted, not revoked, allowed changes only, and no mismatch
    text: str  # the one Vietnamese sentence: what holds and what does not
    revocation_note: str = ""  # whether revocation was checked ("" when revoked or invalid)


def verdict(
    intact: bool,
    trusted: bool,
    valid: bool,
    revoked: bool = False,
    *,
    revocation: str | None = None,
    names: str | None = None,
    cert: str = "",
    printed: str = "",
    content: bool | None = None,
    content_asked: bool = False,
    unreadable: str = "",
) -> Verdict:
    """The verdict on one signature, the only place a signature is called valid.

    Technical facts (pyHanko): ``intact`` (the signed bytes are unchanged), ``trusted`` (the
    certificate chains to a configured root and was valid), ``valid`` (the later changes are
    allowed ones), ``revoked``; ``revocation`` is REVOCATION_GOOD / _UNKNOWN (None: not told).
    Facts about the document, None when not asked (a PDF checked alone): ``names`` — "signer"
    or "agency" when the certificate names the person printed as signer or the issuing agency
    (app.services.cert_names), "" when it names neither (``cert`` is its name, ``printed``
    the printed signer's); ``content`` — whether what was signed is the version the leader
    was shown (False: another content; None with ``content_asked``: it could not be compared, a
    scan or no approved version, and the valid verdict says so). ``unreadable``: the file or
    the signature could not be checked at all (UNREADABLE_FILE / _SIGNATURE). "Hợp lệ." only
    when every fact asked holds; a signature that is right technically but not for this
    document says so and is not valid.
    """
    mismatches = []
    if names == "":
        mismatches.append(
            gettext(
                "chứng thư số mang tên “%(cert)s”, không phải người ký in trên văn bản "
                "(“%(name)s”) hay cơ quan ban hành",
                cert=cert or "-",
                name=printed or "-",
            )
        )
    if content is False:
        mismatches.append(gettext("nội dung đã ký khác bản đã trình lãnh đạo ký"))
    technical = ""
    if unreadable == UNREADABLE_FILE:
        technical = gettext("Không đọc được tệp PDF: tệp hỏng hoặc đã bị sửa.")
    elif unreadable:
        technical = gettext("Không hợp lệ: không kiểm tra được chữ ký.")
    elif not intact:
        technical = gettext("Không hợp lệ: tệp đã bị sửa sau khi ký.")
    elif revoked or revocation == REVOCATION_REVOKED:
        technical = gettext("Không hợp lệ: chứng thư số đã bị thu hồi.")
    elif not trusted:
        technical = gettext("Không hợp lệ: chứng thư số không được tin cậy hoặc đã hết hạn.")
    elif not valid:
        technical = gettext("Không hợp lệ: tệp bị thay đổi không được phép sau khi ký.")
    note = ""
    if revocation == REVOCATION_GOOD:
        note = gettext("Đã kiểm tra thu hồi: chứng thư số chưa bị thu hồi.")
    elif revocation == REVOCATION_UNKNOWN and not technical:
        note = gettext(
            "Không kiểm tra được thu hồi (chưa có danh sách thu hồi hoặc phản hồi OCSP cho "
            "chứng thư này)."
        )
    if technical:
        if mismatches:
            technical += " " + gettext("Ngoài ra: %(what)s.", what="; ".join(mismatches))
        return Verdict(False, technical, note)
    if mismatches:
        return Verdict(
            False,
            gettext(
                "Chữ ký đúng về mặt kỹ thuật nhưng không dùng được cho văn bản này: %(what)s.",
                what="; ".join(mismatches),
            ),
            note,
        )
    if content_asked and content is None:
        return Verdict(
            True,
            gettext(
                "Hợp lệ, nhưng chưa so được nội dung đã ký với bản đã trình lãnh đạo ký (tệp "
                "quét hoặc chưa có bản để so)."
            ),
            note,
        )
    return Verdict(True, gettext("Hợp lệ."), note)


def describe(status: SignatureStatus) -> str:
    """One Vietnamese line for the document page."""
    when = vn_time(status.signed_at) if status.signed_at else gettext("không rõ thời điểm")
    return gettext(
        "Ký bởi %(who)s lúc %(when)s — %(verdict)s",
        who=status.signer or gettext("không rõ"),
        when=when,
        verdict=status.message,
    )
