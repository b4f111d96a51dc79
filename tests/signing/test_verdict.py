# ruff: noqa: F811
"""One verdict per signature (issue 15, session 5): a signature is called "Hợp lệ." only when
it is intact, trusted, not revoked, names the printed signer or the issuing agency, and signed
the content the leader was shown; otherwise one Vietnamese sentence says what holds and what
does not (``app.services.signing.verdict``, asked by ``signing_keys.judge`` for the page).
Revocation data carried inside the CMS signature (adbe-revocationInfoArchival, the SignedData's
``crls``) is read offline. Real keys (tests/signing/pki.py), real pyHanko signatures, the real
RQ worker and LibreOffice for the page; both databases."""

from __future__ import annotations

import io
import re

import pytest
from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter, copy_into_new_writer
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko_certvalidator import ValidationContext

from app.models import Document, Role
from app.services import signing_keys, storage
from app.services.signing import (
    REVOCATION_GOOD,
    REVOCATION_REVOKED,
    KeyFile,
    Revocation,
    load_trust_roots,
)
from tests.services.test_plan_lifecycle import load_plan
from tests.signing.pki import Pki
from tests.signing.test_names_revocation import _ocsp_good, _uploaded_by_someone_else
from tests.signing.test_sign_flow import (  # noqa: F401
    AGENCY,
    SIGNER,
    _fresh_doc,
    flow_pki,
    login,
)
from tests.workers import run_queue
from worker.pades import Appearance, load_key, sign_pdf, verify_pdf
from worker.sign import same_content, stored_result

pytestmark = pytest.mark.libreoffice

TECHNICAL_BUT = "Chữ ký đúng về mặt kỹ thuật nhưng không dùng được cho văn bản này: "
STRANGER = (
    "chứng thư số mang tên “Trần Văn Khác”, không phải người ký in trên văn bản "
    f"(“{SIGNER}”) hay cơ quan ban hành"
)
OTHER_CONTENT = "nội dung đã ký khác bản đã trình lãnh đạo ký"


@pytest.fixture(scope="module")
def pki() -> Pki:
    return flow_pki()


def text_pdf(*lines: str) -> bytes:
    """A one-page PDF saying ``lines`` (Helvetica, ASCII)."""
    writer = PdfFileWriter()
    body = "".join(f"BT /F1 12 Tf 72 {760 - 16 * i} Td ({t}) Tj ET\n" for i, t in enumerate(lines))
    contents = writer.add_object(generic.StreamObject(stream_data=body.encode("ascii")))
    font = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        }
    )
    resources = generic.DictionaryObject(
        {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})}
    )
    writer.insert_page(
        PageObject(contents=contents, media_box=[0, 0, 595, 842], resources=resources)
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed(pdf: bytes, pki: Pki, person: bytes | None = None) -> bytes:
    """``pdf`` signed as the system signs (signer, then agency); ``person`` another key."""
    return sign_pdf(
        pdf,
        KeyFile(person or pki.signer_p12, pki.passphrase, "a"),
        KeyFile(pki.agency_p12, pki.passphrase, "b"),
        Appearance(agency_name=AGENCY, signer_box=(300, 100, 450, 160)),
    )


def judged(doc, pdf: bytes, roots, approved: list[bytes], revocation=None):  # noqa: ANN001, ANN201
    """The page's verdicts on ``pdf`` for ``doc``: the worker's stored facts, then
    ``signing_keys.judge``."""
    statuses = verify_pdf(pdf, roots, revocation or Revocation())
    results = [
        stored_result(s, same_content(pdf, s.covered, approved) if s.intact else None)
        for s in statuses
    ]
    return signing_keys.judge(doc, results)


def lines(found) -> list[tuple[bool, str, str]]:  # noqa: ANN001
    return [(x.ok, x.role, x.line.split(" — ", 1)[1]) for x in found[0]]


def test_each_verdict_of_real_signatures(db, make_agency, pki) -> None:  # noqa: ANN001
    agency = make_agency("BCDNQ-V", name="Ban Chỉ đạo về Nhân quyền tỉnh Trà Vinh")
    # printed: SIGNER as signer, issued by AGENCY
    doc = Document(agency_id=agency.id, snapshot={"signer_name": SIGNER, "name": AGENCY})
    roots = load_trust_roots([pki.root_pem])
    approved = text_pdf("KE HOACH 05/KH-BCDNQ", "Tang cuong tuyen truyen", "Le Van Han")
    valid = "Hợp lệ."

    # right keys, right content: the only case that reads "Hợp lệ."
    good = signed(approved, pki)
    assert lines(judged(doc, good, roots, [approved])) == [
        (True, "signer", valid),
        (True, "agency", valid),
    ]
    assert judged(doc, good, roots, [approved])[1] == ""

    # someone else's certificate (trusted, intact): not "Hợp lệ", says whose and why not
    other_person = judged(doc, signed(approved, pki, pki.stranger_p12), roots, [approved])
    assert lines(other_person) == [
        (False, "", TECHNICAL_BUT + STRANGER + "."),
        (True, "agency", valid),
    ]
    assert other_person[1] == f"Không có chữ ký số nào của người ký in trên văn bản (“{SIGNER}”)."

    # the right people signed another content than the one the leader was shown
    elsewhere = text_pdf("KE HOACH 05/KH-BCDNQ", "Noi dung khac", "Le Van Han")
    assert lines(judged(doc, signed(elsewhere, pki), roots, [approved])) == [
        (False, "signer", TECHNICAL_BUT + OTHER_CONTENT + "."),
        (False, "agency", TECHNICAL_BUT + OTHER_CONTENT + "."),
    ]
    # … but the same text written anew by another tool (not a byte prefix) is the same content
    rewritten = io.BytesIO()
    copy_into_new_writer(PdfFileReader(io.BytesIO(approved))).write(rewritten)
    assert not rewritten.getvalue().startswith(approved)
    assert [x.ok for x in judged(doc, signed(rewritten.getvalue(), pki), roots, [approved])[0]] == [
        True,
        True,
    ]

    # both wrong: both said, in one sentence
    both = judged(doc, signed(elsewhere, pki, pki.stranger_p12), roots, [approved])
    assert lines(both)[0] == (False, "", TECHNICAL_BUT + STRANGER + "; " + OTHER_CONTENT + ".")

    # revoked (the admin's CRL): invalid, whatever the names
    crl = Revocation(crls=(pki.crl([pki.signer_serial]),))
    revoked = judged(doc, good, roots, [approved], crl)
    assert lines(revoked)[0] == (False, "signer", "Không hợp lệ: chứng thư số đã bị thu hồi.")
    assert revoked[0][0].revocation_note == ""
    assert revoked[0][1].revocation_note == "Đã kiểm tra thu hồi: chứng thư số chưa bị thu hồi."

    # untrusted (another root configured), and a stranger's: the technical failure first
    others = load_trust_roots([pki.stranger_root_pem])
    untrusted = judged(doc, signed(approved, pki, pki.stranger_p12), others, [approved])
    assert lines(untrusted)[0] == (
        False,
        "",
        "Không hợp lệ: chứng thư số không được tin cậy hoặc đã hết hạn. Ngoài ra: "
        + STRANGER
        + ".",
    )

    # a byte changed inside what the signatures cover
    tampered = bytearray(good)
    tampered[good.index(b"Tang cuong")] ^= 0x01
    assert [
        x.line.split(" — ", 1)[1] for x in judged(doc, bytes(tampered), roots, [approved])[0]
    ] == ["Không hợp lệ: tệp đã bị sửa sau khi ký."] * 2

    # nothing to compare with (no approved PDF): the content is not judged, the names are,
    # and the line says the content was not compared rather than a bare "Hợp lệ."
    not_compared = judged(doc, good, roots, [])[0]
    assert [x.ok for x in not_compared] == [True, True]
    assert [x.line.split(" — ", 1)[1] for x in not_compared] == [
        "Hợp lệ, nhưng chưa so được nội dung đã ký với bản đã trình lãnh đạo ký (tệp quét "
        "hoặc chưa có bản để so)."
    ] * 2
    # no line ever calls a failing signature valid
    for case in (other_person, revoked, untrusted, both):
        for x in case[0]:
            assert x.ok == x.line.endswith("— Hợp lệ.")


def test_a_valid_but_mismatched_upload_never_reads_valid(db, queued, people, make_user, login, pki):  # noqa: ANN001
    """The page: a PDF signed by someone else reads one verdict for that signature, not
    "Hợp lệ" next to a warning."""
    doc, clerk = _uploaded_by_someone_else(db, queued, people, make_user, login, pki)
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    sentences = [s.strip() for s in re.findall(r"Ký bởi [^<]*", page)]
    assert len(sentences) == 2
    assert sentences[0].endswith(TECHNICAL_BUT + STRANGER + "."), sentences
    assert "Hợp lệ" not in sentences[0]
    assert sentences[1].endswith("— Hợp lệ.")  # the agency's own signature is right
    assert page.count('<li class="invalid">') == 1


def test_an_upload_of_other_content_reads_so(db, queued, people, make_user, login, pki):  # noqa: ANN001
    """The right people's keys, but the PDF signed is not the version the leader signed."""
    plan = load_plan("tra-vinh-2024.yaml")
    admin = make_user("quantri", plan.issuer, [Role.ADMIN])
    db.session.commit()
    signing_keys.add_trust_root(pki.root_pem, admin)
    from app.services import documents

    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    db.session.commit()
    run_queue(queued)
    doc = _fresh_doc(db, doc.id)
    people(plan.issuer, Role.SIGNER).full_name = SIGNER
    # the approved one signed, as the clerk's tool would: every line reads "Hợp lệ."
    clerk = people(plan.issuer, Role.CLERK)
    for pdf, verdicts in (
        (signed(storage.read(doc.pdf_path), pki), ["Hợp lệ."] * 2),
        (
            signed(text_pdf("KE HOACH", "Noi dung khac"), pki),
            [TECHNICAL_BUT + OTHER_CONTENT + "."] * 2,
        ),
    ):
        resp = login(clerk).post(
            f"/documents/{doc.id}/signed",
            data={"file": (io.BytesIO(pdf), "ban-ky.pdf")},
            content_type="multipart/form-data",
        )
        assert resp.status_code == 302
        run_queue(queued)
        page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
        found = [s.split(" — ", 1)[1].strip() for s in re.findall(r"Ký bởi [^<]*", page)]
        assert found == verdicts, found


# ----------------------------------------------------------------------------- CMS revocation


def _pkcs7_signed_with_revinfo(pdf: bytes, pki: Pki, crl: bytes) -> bytes:
    """``pdf`` signed as other tools do (adbe.pkcs7.detached): the CRL goes into the CMS
    signed attribute adbe-revocationInfoArchival, and the PDF gets no DSS."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = io.BytesIO()
    signers.sign_pdf(
        writer,
        signers.PdfSignatureMetadata(
            field_name="Sig1",
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
            embed_validation_info=True,
            validation_context=ValidationContext(
                trust_roots=load_trust_roots([pki.root_pem]), crls=[crl], allow_fetching=False
            ),
        ),
        signer=load_key(KeyFile(pki.signer_p12, pki.passphrase, "a")),
        output=out,
    )
    return out.getvalue()


def _with_signed_data_crl(pdf: bytes, crl: bytes = b"", ocsp: bytes = b"") -> bytes:
    """``pdf`` (one signature) with ``crl`` (or ``ocsp``, as "other" revocation info, RFC
    5940) added to its SignedData's ``crls`` field, as some tools put them: outside the signed
    attributes, so the signature stays intact."""
    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    _, start, end, _ = (int(x) for x in sig.byte_range)
    hexed = pdf[start + 1 : end - 1]
    info = cms.ContentInfo.load(bytes.fromhex(hexed.decode("ascii")), strict=False)
    choice = (
        cms.RevocationInfoChoice(name="crl", value=asn1_crl.CertificateList.load(crl))
        if crl
        else cms.RevocationInfoChoice(
            name="other",
            value=cms.OtherRevocationInfoFormat(
                {
                    "other_rev_info_format": "ocsp_response",
                    "other_rev_info": asn1_ocsp.OCSPResponse.load(ocsp),
                }
            ),
        )
    )
    info["content"]["crls"] = cms.RevocationInfoChoices([choice])
    new = info.dump().hex().encode("ascii")
    assert len(new) <= len(hexed)
    return pdf[: start + 1] + new + b"0" * (len(hexed) - len(new)) + pdf[end - 1 :]


def test_revocation_inside_the_cms_signature_is_checked_offline(pki) -> None:  # noqa: ANN001
    roots = load_trust_roots([pki.root_pem])
    document = text_pdf("KE HOACH 05/KH-BCDNQ")
    pdf = _pkcs7_signed_with_revinfo(document, pki, pki.crl([]))
    assert "/DSS" not in PdfFileReader(io.BytesIO(pdf)).root  # only in the CMS
    # offline, no CRL uploaded by the admin: the CMS's own CRL answers
    [status] = verify_pdf(pdf, roots, Revocation())
    assert (status.valid, status.revocation, status.ltv) == (True, REVOCATION_GOOD, True)
    # without it, the same signature is not checked
    bare = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(document)),
        signers.PdfSignatureMetadata(
            field_name="Sig1", subfilter=SigSeedSubFilter.ADOBE_PKCS7_DETACHED
        ),
        signer=load_key(KeyFile(pki.signer_p12, pki.passphrase, "a")),
        output=bare,
    )
    [plain] = verify_pdf(bare.getvalue(), roots, Revocation())
    assert (plain.valid, plain.revocation, plain.ltv) == (True, "unknown", False)
    # a CRL revoking the signer in the SignedData's crls field: revoked, offline
    revoked = _with_signed_data_crl(bare.getvalue(), pki.crl([pki.signer_serial]))
    [status] = verify_pdf(revoked, roots, Revocation())
    assert status.intact and status.revocation == REVOCATION_REVOKED and not status.valid
    assert status.message == "Không hợp lệ: chứng thư số đã bị thu hồi."
    # and one saying it is good, there too
    good = _with_signed_data_crl(bare.getvalue(), pki.crl([]))
    [status] = verify_pdf(good, roots, Revocation())
    assert (status.valid, status.revocation) == (True, REVOCATION_GOOD)
    # an OCSP response saying it is good, as "other" revocation info of the SignedData
    answered = _with_signed_data_crl(bare.getvalue(), ocsp=_ocsp_good(pki, pki.signer_p12))
    [status] = verify_pdf(answered, roots, Revocation())
    assert (status.valid, status.revocation, status.ltv) == (True, REVOCATION_GOOD, True)
