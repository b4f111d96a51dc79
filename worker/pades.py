"""PAdES signing and verification of released PDFs with pyHanko (Decree 30/2020/NĐ-CP,
Appendix I) — in the worker only: pyHanko, fontTools and Pillow cost a web process tens of MB
it never needs (the web reads and checks keys with ``app.services.signing``).

A released document is signed twice, incrementally, so that both signatures stay valid:
first by the signer (the leader), whose appearance is the image of the handwritten signature
placed between the title and the name; then by the agency, whose appearance is the seal image
with the agency name and the signing time in ISO 8601 with the Vietnam offset (+07:00), laid
over about a third of the signer's image on its left, as the paper seal is (Art. 33).

Pure functions on bytes: nothing here touches the database or the file store.

Choices (one place):
- PAdES B-B (no timestamp server configured); pass ``timestamp_url`` for B-T.
- Signing time = the CMS signing-time attribute = the time printed on the seal (same instant).
- The seal text uses a TrueType font with Vietnamese glyphs (Liberation Serif by default).
- Revocation (CRL/OCSP, app.services.signing.Revocation): when the signer's chain has
  revocation data, the validation data is embedded in the PDF's DSS at signing (PAdES B-LT with
  a timestamp); a PDF's signatures are checked against the admin's data and the PDF's DSS.
"""

from __future__ import annotations

import asyncio
import functools
import io
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from flask_babel import gettext
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from PIL import Image
from pyhanko.pdf_utils import images, layout, text
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.ltv import retrieve_adobe_revocation_info
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.services import cert_names
from app.services.exceptions import InvalidInput
from app.services.signing import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    OFFLINE,
    REVOCATION_GOOD,
    REVOCATION_REVOKED,
    REVOCATION_UNKNOWN,
    UNREADABLE_FILE,
    UNREADABLE_SIGNATURE,
    VIETNAM_TZ,
    KeyFile,
    Revocation,
    SignatureStatus,
    read_pkcs12,
    revocation_checked,
    subject_of,
    verdict,
    vn_time,
)

#: Font for the seal text (needs Vietnamese glyphs); fonts-liberation2 on Debian.
DEFAULT_FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
#: Colour of the seal's text (the seal is red).
SEAL_RED = (0.8, 0.05, 0.05)
#: Field names of the two signatures in the PDF's form.
SIGNER_FIELD = "ChuKyNguoiKy"
AGENCY_FIELD = "ChuKyCoQuan"
#: Characters per line of the agency's name on the seal (6 pt text across the 108 pt seal).
SEAL_LINE_CHARS = 30

Box = tuple[float, float, float, float]


class KeySource(Protocol):
    """Where a signature's key is, besides a PKCS#12 file (``KeyFile``, loaded by ``load_key``):
    a PKCS#11 token or a remote signing service later (each returns a pyHanko ``Signer`` from
    ``load``)."""

    @property
    def label(self) -> str: ...

    def load(self, now: datetime) -> signers.Signer: ...


@dataclass(frozen=True)
class Appearance:
    """What the two visible signatures look like on page 1 (PDF points, origin bottom left)."""

    agency_name: str
    signer_box: Box  # the signer's image, between the title and the name
    signature_png: bytes | None = None  # blue handwritten signature, transparent background
    seal_png: bytes | None = None  # red seal, actual size
    seal_size: float = 108.0  # 38 mm ≈ 108 pt, a common seal diameter
    page: int = 0
    font_path: Path = DEFAULT_FONT

    @property
    def seal_box(self) -> Box:
        """The seal covers about a third of the signer's image, on its left (Art. 33)."""
        x1, y1, x2, y2 = self.signer_box
        right = x1 + (x2 - x1) / 3
        middle = (y1 + y2) / 2
        half = self.seal_size / 2
        return (right - self.seal_size, middle - half, right, middle + half)


def load_key(key: KeyFile, *, now: datetime | None = None) -> signers.SimpleSigner:
    """A pyHanko signer from a PKCS#12 file; a Vietnamese message for every way it can fail."""
    private_key, cert, extra = read_pkcs12(key, now=now)
    der_key = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in extra]
        ),
    )


def _signer(key: KeyFile | KeySource, now: datetime) -> signers.Signer:
    return load_key(key, now=now) if isinstance(key, KeyFile) else key.load(now)


@functools.lru_cache(maxsize=4)
def _font_at_1000_upem(path: str) -> bytes:
    """The font rescaled to 1000 units per em.

    pyHanko 0.34 writes the CID font's /W widths in the font's own units, which PDF reads as
    thousandths of an em: a 2048-unit TrueType font (Liberation) comes out letter-spaced.
    """
    font = TTFont(path)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=4)
def _metrics(font_path: str) -> tuple[dict[int, str], dict[str, tuple[int, int]]]:
    """The font's character map and advance widths (1000 units per em)."""
    font = TTFont(io.BytesIO(_font_at_1000_upem(font_path)))
    return font.getBestCmap(), dict(font["hmtx"].metrics)


def _centred(lines: list[str], font_path: str) -> str:
    """The lines joined, each led by the spaces that centre it on the widest (pyHanko lays a
    text box's lines flush left). Widths from the font's own advance widths."""
    cmap, advance = _metrics(font_path)

    def width(line: str) -> float:
        return sum(advance.get(cmap.get(ord(c), ".notdef"), (500, 0))[0] for c in line)

    space = width(" ") or 250.0
    widest = max((width(line) for line in lines), default=0.0)
    return "\n".join(" " * round((widest - width(line)) / 2 / space) + line for line in lines)


class _FontFactory(GlyphAccumulatorFactory):
    def create_font_engine(self, writer: object, obj_stream: object = None) -> GlyphAccumulator:
        if obj_stream is None and getattr(writer, "stream_xrefs", False):
            obj_stream = writer.prepare_object_stream()  # type: ignore[attr-defined]
        return GlyphAccumulator(
            writer=writer,  # type: ignore[arg-type]
            font_handle=io.BytesIO(_font_at_1000_upem(self.font_file)),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


class _TimedPdfSigner(signers.PdfSigner):
    """A PdfSigner whose signing time is given, so the seal prints the CMS signing time."""

    def __init__(self, *args: object, signing_time: datetime, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._signing_time = signing_time

    def init_signing_session(
        self, pdf_out: object, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)  # type: ignore[arg-type]
        session.system_time = self._signing_time
        return session


def _image(png: bytes, label: str) -> images.PdfImage:
    """A signature or seal image; a broken, huge or decompression-bomb file is refused."""
    message = gettext("Ảnh chữ ký hoặc con dấu không đọc được, hoặc quá lớn.")
    if len(png) > MAX_IMAGE_BYTES:
        raise InvalidInput(message, {label: message})
    try:
        picture = Image.open(io.BytesIO(png))
        if picture.width * picture.height > MAX_IMAGE_PIXELS:
            raise InvalidInput(message, {label: message})
        picture.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(message, {label: message}) from None
    return images.PdfImage(picture)


def _sign_once(
    pdf: bytes,
    signer: signers.Signer,
    *,
    field: str,
    box: Box,
    page: int,
    style: TextStampStyle,
    signing_time: datetime,
    text_params: dict[str, str],
    timestamp_url: str | None,
    validation: ValidationContext | None = None,
) -> bytes:
    x1, y1, x2, y2 = box
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError) as exc:
        raise InvalidInput(gettext("Tệp PDF hỏng, không ký được.")) from exc
    fields.append_signature_field(
        writer,
        fields.SigFieldSpec(
            sig_field_name=field, on_page=page, box=(round(x1), round(y1), round(x2), round(y2))
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        # the chain's certificates, CRLs and OCSP responses in the DSS (PAdES B-LT)
        embed_validation_info=validation is not None,
        validation_context=validation,
    )
    pdf_signer = _TimedPdfSigner(
        meta,
        signer=signer,
        stamp_style=style,
        timestamper=timestamps.HTTPTimeStamper(timestamp_url) if timestamp_url else None,
        signing_time=signing_time,
    )
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out, appearance_text_params=text_params)
    return out.getvalue()


def sign_pdf(
    pdf_bytes: bytes,
    signer_key: KeyFile | KeySource,
    agency_key: KeyFile | KeySource,
    appearance: Appearance,
    *,
    signing_time: datetime | None = None,
    timestamp_url: str | None = None,
    trust_roots: list[asn1_x509.Certificate] | None = None,
    revocation: Revocation = OFFLINE,
) -> bytes:
    """Sign ``pdf_bytes`` first as the signer, then as the agency (two incremental revisions).

    Both keys are loaded (and refused with a Vietnamese message) before anything is signed.
    With ``trust_roots``, each signature whose chain has revocation data in ``revocation``
    gets its validation data embedded in the DSS (B-LT when timestamped).
    """
    moment = (signing_time or datetime.now(UTC)).astimezone(VIETNAM_TZ).replace(microsecond=0)
    person = _signer(signer_key, moment)
    agency = _signer(agency_key, moment)
    signer_style = TextStampStyle(
        stamp_text=" " if appearance.signature_png else "%(signer)s",
        text_box_style=text.TextBoxStyle(
            font=_FontFactory(str(appearance.font_path), font_size=9), font_size=9
        ),
        background=_image(appearance.signature_png, "signature_png")
        if appearance.signature_png
        else None,
        background_opacity=1.0,
        border_width=0,
    )
    seal_style = TextStampStyle(
        stamp_text="%(seal_text)s",
        text_box_style=text.TextBoxStyle(
            font=_FontFactory(str(appearance.font_path), font_size=6),
            font_size=6,
            text_color=SEAL_RED,
        ),
        # the text under the seal's emblem, centred, shrunk to fit the seal's width
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(left=6, right=6, bottom=round(appearance.seal_size / 5)),
        ),
        background=_image(appearance.seal_png, "seal_png") if appearance.seal_png else None,
        background_opacity=1.0,
        border_width=0 if appearance.seal_png else 1,
    )
    params = {
        # the agency's name in lines that fit under the seal's emblem (6 pt: ~30 characters),
        # then the time, each line centred
        "seal_text": _centred(
            [*textwrap.wrap(appearance.agency_name, SEAL_LINE_CHARS), vn_time(moment)],
            str(appearance.font_path),
        ),
        "vn_time": vn_time(moment),
        "signer": person.subject_name or "",
    }
    signed = pdf_bytes
    for who, field, box, style in (  # the signer first, then the agency over it
        (person, SIGNER_FIELD, appearance.signer_box, signer_style),
        (agency, AGENCY_FIELD, appearance.seal_box, seal_style),
    ):
        signed = _sign_once(
            signed,
            who,
            field=field,
            box=box,
            page=appearance.page,
            style=style,
            signing_time=moment,
            text_params=params,
            timestamp_url=timestamp_url,
            validation=_ltv_context(who, trust_roots, revocation),
        )
    return signed


def _ltv_context(
    signer: signers.Signer, roots: list[asn1_x509.Certificate] | None, revocation: Revocation
) -> ValidationContext | None:
    """The context to embed the signer's validation data with, when every certificate of its
    chain has revocation data (else None: the signature is made without, B-B or B-T)."""
    cert = signer.signing_cert
    if not roots or cert is None or not (revocation.crls or revocation.ocsps):
        return None
    others = list(signer.cert_registry)
    context = revocation.context(
        roots, mode="require", other_certs=others, for_certs=[cert, *others]
    )
    if asyncio.run(revocation_checked(cert, others, context)) != REVOCATION_GOOD:
        return None
    # soft-fail: the path's data was just found sufficient; an OCSP responder the certificate
    # declares (AIA) is not to be asked when fetching is off
    return revocation.context(roots, other_certs=others, for_certs=[cert, *others])


def _dss(reader: PdfFileReader) -> tuple[bool, list[Any], list[bytes], list[bytes]]:
    """(the PDF has a DSS, its certificates, OCSP responses, CRLs)."""
    try:
        store = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return False, [], [], []
    return True, list(store.load_certs()), _loaded(store.ocsps), _loaded(store.crls)


def _loaded(refs: list[Any]) -> list[bytes]:
    return [ref.get_object().data for ref in refs]


def _cms_revocation(sig: Any) -> tuple[list[bytes], list[bytes]]:
    """(OCSP responses, CRLs) a signature carries inside its CMS object, as other signing tools
    put them: Adobe's signed attribute adbe-revocationInfoArchival (read with pyHanko's
    ``retrieve_adobe_revocation_info``), and the ``crls`` field of the SignedData (CRLs, and
    OCSP responses as "other" revocation info, RFC 5940). Empty when there is none."""
    ocsps: list[bytes] = []
    crls: list[bytes] = []
    try:
        found_ocsps, found_crls = retrieve_adobe_revocation_info(sig.signer_info)
        ocsps += [o.dump() for o in found_ocsps]
        crls += [c.dump() for c in found_crls]
    except Exception:  # no such attribute, or an unreadable one
        pass
    try:
        choices = sig.signed_data["crls"]
        for choice in choices if choices.native is not None else ():
            if choice.name == "crl":
                crls.append(choice.chosen.dump())
            elif choice.chosen["other_rev_info_format"].native == "ocsp_response":
                ocsps.append(choice.chosen["other_rev_info"].dump())
    except Exception:  # an unreadable field: validation goes on without it
        pass
    return ocsps, crls


async def _verify(
    pdf_bytes: bytes, roots: list[asn1_x509.Certificate], revocation: Revocation
) -> list[SignatureStatus]:
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
        has_dss, dss_certs, dss_ocsps, dss_crls = _dss(reader)
    except Exception:  # any parse failure of a hostile or broken file
        return [
            SignatureStatus(
                field="",
                signer="",
                signed_at=None,
                intact=False,
                trusted=False,
                valid=False,
                message=verdict(False, False, False, unreadable=UNREADABLE_FILE).text,
                unreadable=UNREADABLE_FILE,
            )
        ]
    result = []
    for sig in embedded:
        try:
            chain = [sig.signer_cert, *sig.other_embedded_certs]
        except Exception:  # no readable certificate: validation below says so
            chain = []
        cms_ocsps, cms_crls = _cms_revocation(sig)
        crls, ocsps = [*dss_crls, *cms_crls], [*dss_ocsps, *cms_ocsps]
        context = revocation.context(
            roots, other_certs=dss_certs, crls=crls, ocsps=ocsps, for_certs=chain
        )
        try:
            status = await async_validate_pdf_signature(sig, signer_validation_context=context)
        except Exception:
            result.append(
                SignatureStatus(
                    field=sig.field_name,
                    signer="",
                    signed_at=None,
                    intact=False,
                    trusted=False,
                    valid=False,
                    message=verdict(False, False, False, unreadable=UNREADABLE_SIGNATURE).text,
                    unreadable=UNREADABLE_SIGNATURE,
                )
            )
            continue
        cert = status.signing_cert
        subject = subject_of(cert) if cert is not None else {}
        when = status.signer_reported_dt
        intact = bool(status.intact)
        trusted = bool(status.trusted)
        valid = bool(status.bottom_line)
        if status.revoked:
            checked = REVOCATION_REVOKED
        elif trusted and cert is not None:
            checked = await revocation_checked(
                cert,
                list(sig.other_embedded_certs),
                revocation.context(
                    roots,
                    mode="require",
                    other_certs=dss_certs,
                    crls=crls,
                    ocsps=ocsps,
                    for_certs=chain,
                ),
            )
        else:
            checked = REVOCATION_UNKNOWN
        if checked == REVOCATION_REVOKED:
            trusted = valid = False
        result.append(
            SignatureStatus(
                field=sig.field_name,
                signer=cert_names.common_name(subject),
                signed_at=when.astimezone(VIETNAM_TZ) if when else None,
                intact=intact,
                trusted=trusted,
                valid=valid,
                message=verdict(intact, trusted, valid, revocation=checked).text,
                subject=subject,
                revocation=checked,
                ltv=has_dss or bool(cms_crls or cms_ocsps),
                covered=_revision_end(sig),
                timestamped=bool(
                    status.timestamp_validity is not None
                    and status.timestamp_validity.intact
                    and status.timestamp_validity.valid
                    and status.timestamp_validity.trusted
                ),
            )
        )
    return result


def _revision_end(sig: Any) -> int:
    """Where the revision a signature signed ends in the file (0 when unreadable): the bytes
    before it are what it covers, its own /Contents aside."""
    try:
        _, _, start, length = (int(x) for x in sig.byte_range)
    except Exception:  # a malformed /ByteRange: validation already says it is not intact
        return 0
    return start + length


def verify_pdf(
    pdf_bytes: bytes,
    trust_roots: list[asn1_x509.Certificate],
    revocation: Revocation = OFFLINE,
) -> list[SignatureStatus]:
    """Every signature of ``pdf_bytes``: who, when, whether valid, whether its certificate's
    revocation could be checked (an empty list: not signed)."""
    return asyncio.run(_verify(pdf_bytes, trust_roots, revocation))
