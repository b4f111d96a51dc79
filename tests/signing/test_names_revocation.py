# ruff: noqa: F811
"""A certificate must name whom it is for (issue 15, follow-up): the signer's key the person,
the agency's key the agency — refused at upload (admin) and at signing (worker); and a signed
PDF whose certificate is not the printed signer's is flagged on the document page. Revocation:
CRLs the admin uploads (no network), the validation data embedded in the signed PDF (DSS),
"không kiểm tra được thu hồi" when there is none. Real keys (tests/signing/pki.py), real
pyHanko, the real RQ worker; both databases."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from app.models import Role, SignatureCheck
from app.services import cert_names, clock, documents, signing_keys, storage
from app.services.signing import REVOCATION_GOOD, KeyFile, load_trust_roots
from tests.browser import SHOTS, chromium, sign_in
from tests.services.test_plan_lifecycle import issue, load_plan
from tests.signing.pki import Pki
from tests.signing.test_sign_flow import (  # noqa: F401
    SIGNER,
    _configure,
    _fresh_doc,
    flow_pki,
    login,
)
from tests.workers import run_queue
from worker.pades import Appearance, sign_pdf, verify_pdf

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def pki() -> Pki:
    return flow_pki()


# ----------------------------------------------------------------------------- the rule


def test_the_matching_rule() -> None:
    same = cert_names.same_name
    assert same("NGUYỄN VĂN AN", "Nguyễn Văn An")  # case
    assert same("Nguye\u0302\u0303n Va\u0306n An", "Nguyễn Văn An")  # combining marks (NFD)
    assert same("Lê Thị Hoà", "Lê Thị Hòa") and same("Trần Thuỷ", "Trần Thủy")  # tone placement
    assert same("Nguyen Van An", "Nguyễn Văn An")  # an ASCII-only certificate name
    assert same("  Nguyễn   Văn An ", "Nguyễn Văn An")
    assert not same("Nguyễn Văn Ân", "Nguyễn Văn An")  # a diacritic is another name
    assert not same("Nguyễn Văn Án", "Nguyen Van An")  # only an ASCII certificate may omit them
    assert not same("Nguyễn Văn", "Nguyễn Văn An")
    assert not same("", "")
    agency = {"common_name": ["UBND tỉnh Trà Vinh"], "organization_name": ["Tỉnh Trà Vinh"]}
    assert cert_names.agency_matches(agency, ["Ủy ban nhân dân tỉnh Trà Vinh"], None)
    assert not cert_names.agency_matches(agency, ["Ủy ban nhân dân tỉnh Vĩnh Long"], None)
    coded = {"common_name": ["Văn phòng"], "user_id": ["MDDT:000.00.00.H57"]}
    assert cert_names.agency_matches(coded, ["Ủy ban nhân dân tỉnh Trà Vinh"], "000.00.00.H57")
    assert not cert_names.agency_matches(coded, ["Ủy ban nhân dân tỉnh Trà Vinh"], "000.00.00.H58")


# ----------------------------------------------------------------------------- at upload


def _post(client, url: str, **fields):  # noqa: ANN001, ANN003, ANN202
    data = {k: (io.BytesIO(v[1]), v[0]) if isinstance(v, tuple) else v for k, v in fields.items()}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_upload_refuses_a_certificate_of_someone_else(client, db, make_agency, make_user, pki):  # noqa: ANN001
    agency = make_agency("BCDNQ-X", name="Ban Chỉ đạo về Nhân quyền tỉnh Trà Vinh")
    make_user("quantri", agency, [Role.ADMIN])
    leader = make_user("truongban", agency, [Role.SIGNER])
    leader.full_name = "LÊ VĂN HÂN"  # the account in capitals: still the same name
    db.session.commit()
    assert (
        client.post(
            "/auth/login", data={"username": "quantri", "password": "secret-pass"}
        ).status_code
        == 302
    )
    assert _post(client, "/quan-tri/ky-so", file=("ca.pem", pki.root_pem)).status_code == 302
    url = f"/quan-tri/co-quan/{agency.id}/ky-so"
    cases = [
        (
            str(leader.id),
            pki.stranger_p12,
            "“Tệp khóa (.p12, .pfx)”: chứng thư số mang tên “Trần Văn Khác”, không khớp với họ "
            "tên người ký “LÊ VĂN HÂN”.",
        ),
        (
            "co-quan",
            pki.signer_p12,
            "“Tệp khóa (.p12, .pfx)”: chứng thư số mang tên “Lê Văn Hân”, không khớp với tên "
            "cơ quan “Ban Chỉ đạo về Nhân quyền tỉnh Trà Vinh” hay mã định danh của cơ quan "
            "(chưa có).",
        ),
    ]
    for who, p12, message in cases:
        resp = _post(
            client,
            f"{url}/{who}/khoa",
            **{f"{who}-khoa-file": ("k.p12", p12), f"{who}-khoa-passphrase": pki.passphrase},
        )
        assert resp.status_code == 400
        assert message in resp.get_data(as_text=True)
        assert signing_keys.identity(leader if who != "co-quan" else agency) is None
    # the right ones are kept
    for who, p12 in ((str(leader.id), pki.signer_p12), ("co-quan", pki.agency_p12)):
        resp = _post(
            client,
            f"{url}/{who}/khoa",
            **{f"{who}-khoa-file": ("k.p12", p12), f"{who}-khoa-passphrase": pki.passphrase},
        )
        assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]


# ----------------------------------------------------------------------------- at signing


def test_signing_refuses_a_key_that_is_not_the_printed_signers(
    db, queued, people, make_user, login, pki
):  # noqa: ANN001
    """The leader who clicks "Ký" has a key of their own name, but the document prints another
    signer: the worker does not sign, and the page says why."""
    plan = load_plan("tra-vinh-2024.yaml")
    admin = make_user("quantri", plan.issuer, [Role.ADMIN])
    db.session.commit()
    leader = _configure(plan, people, pki, admin)
    leader.full_name = "Trần Văn Khác"
    signing_keys.store_key(leader, pki.stranger_p12, pki.passphrase, admin)
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    doc = issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    run_queue(queued)
    doc = _fresh_doc(db, doc.id)
    assert doc.signed_path is None
    page = login(people(plan.issuer, Role.CLERK)).get(f"/documents/{doc.id}").get_data(True)
    assert (
        "Không ký số được: chứng thư số của khóa người ký mang tên “Trần Văn Khác”, không khớp "
        f"với người ký in trên văn bản “{SIGNER}”." in page
    )


# ----------------------------------------------------------------------------- on the page


def _uploaded_by_someone_else(db, queued, people, make_user, login, pki):  # noqa: ANN001, ANN202
    """A signed document whose clerk uploads a PDF signed by another person (trusted CA)."""
    plan = load_plan("tra-vinh-2024.yaml")
    admin = make_user("quantri", plan.issuer, [Role.ADMIN])
    db.session.commit()
    signing_keys.add_trust_root(pki.root_pem, admin)
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    db.session.commit()
    run_queue(queued)
    doc = _fresh_doc(db, doc.id)
    signed = sign_pdf(
        storage.read(doc.pdf_path),
        KeyFile(pki.stranger_p12, pki.passphrase, "a"),
        KeyFile(pki.agency_p12, pki.passphrase, "b"),
        Appearance(agency_name=plan.issuer.name, signer_box=(300, 100, 450, 160)),
    )
    clerk = people(plan.issuer, Role.CLERK)
    resp = login(clerk).post(
        f"/documents/{doc.id}/signed",
        data={"file": (io.BytesIO(signed), "ban-ky.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    run_queue(queued)
    return doc, clerk


MISMATCH = (
    "Chữ ký đúng về mặt kỹ thuật nhưng không dùng được cho văn bản này: chứng thư số mang tên "
    f"“Trần Văn Khác”, không phải người ký in trên văn bản (“{SIGNER}”) hay cơ quan ban hành."
)
NO_SIGNER = f"Không có chữ ký số nào của người ký in trên văn bản (“{SIGNER}”)."


def test_a_pdf_signed_by_someone_else_is_flagged(db, queued, people, make_user, login, pki):  # noqa: ANN001
    doc, clerk = _uploaded_by_someone_else(db, queued, people, make_user, login, pki)
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    # both signatures are intact and trusted, but one is not the printed signer's: one verdict
    assert page.count("— Hợp lệ.") == 1  # the agency's
    assert MISMATCH in page and NO_SIGNER in page
    assert page.count('<li class="invalid">') == 1
    assert "Chữ ký số của cơ quan:</strong> Ký bởi BAN CHỈ ĐẠO" in page


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_flag_seen_in_a_browser(app, db, queued, people, make_user, login, pki):  # noqa: ANN001
    from playwright.sync_api import expect

    doc, clerk = _uploaded_by_someone_else(db, queued, people, make_user, login, pki)
    doc_id, clerk_name = doc.id, clerk.username
    db.session.commit()
    db.session.remove()
    with chromium(app) as (browser, base):
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            sign_in(page, base, clerk_name)
            page.goto(f"{base}/documents/{doc_id}")
            section = page.locator("section.signatures")
            expect(section.get_by_text(MISMATCH)).to_be_visible()
            expect(section.get_by_text(NO_SIGNER)).to_be_visible()
            expect(section.get_by_text("Không kiểm tra được thu hồi").first).to_be_visible()
            box = section.bounding_box()
            assert box is not None and box["x"] + box["width"] <= width  # no overflow
            section.screenshot(path=str(SHOTS / f"signing-mismatch-{width}.png"))
            page.screenshot(path=str(SHOTS / f"signing-mismatch-page-{width}.png"), full_page=True)
            page.close()


# ----------------------------------------------------------------------------- revocation


def test_revocation_from_uploaded_crls_and_embedded_in_the_pdf(
    client, db, queued, people, make_user, login, pki
):  # noqa: ANN001
    plan = load_plan("tra-vinh-2024.yaml")
    admin = make_user("quantri", plan.issuer, [Role.ADMIN])
    db.session.commit()
    leader = _configure(plan, people, pki, admin)
    db.session.commit()
    # the admin's page: a file that is no CRL is refused, naming the field; a CRL is kept
    web = login(admin)
    resp = _post(web, "/quan-tri/ky-so/thu-hoi", file=("crl.der", b"not a crl"))
    assert resp.status_code == 400
    assert "“Danh sách thu hồi / phản hồi OCSP” phải là một danh sách thu hồi" in resp.get_data(
        as_text=True
    )
    resp = _post(web, "/quan-tri/ky-so/thu-hoi", file=("crl.der", pki.crl([])))
    assert resp.status_code == 302
    page = web.get("/quan-tri/ky-so").get_data(as_text=True)
    assert "CRL" in page and "CA thử nghiệm kehoach" in page and "không tải qua mạng" in page

    clock.set_now(date(2024, 11, 5))
    doc = issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    run_queue(queued)
    doc = _fresh_doc(db, doc.id)
    check = db.session.get(SignatureCheck, doc.id)
    assert check is not None and check.state == "done", check and check.error
    signed = storage.read(doc.signed_path)
    # the validation data is in the file (DSS): checked with no uploaded CRL at all
    assert "/DSS" in PdfFileReader(io.BytesIO(signed)).root
    alone = verify_pdf(signed, load_trust_roots([pki.root_pem]))
    assert [(s.valid, s.revocation, s.ltv) for s in alone] == [(True, REVOCATION_GOOD, True)] * 2
    clerk = people(plan.issuer, Role.CLERK)
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    assert page.count("Đã kiểm tra thu hồi: chứng thư số chưa bị thu hồi.") == 2
    assert "Không kiểm tra được thu hồi" not in page
    assert "Tệp có dữ liệu xác thực (chứng thư và dữ liệu thu hồi) lưu trong tệp." in page

    # the CA revokes the signer's certificate: the admin uploads the new CRL, checks again
    web = login(admin)
    resp = _post(web, "/quan-tri/ky-so/thu-hoi", file=("crl2.der", pki.crl([pki.signer_serial])))
    assert resp.status_code == 302
    assert login(clerk).post(f"/documents/{doc.id}/chu-ky-so/kiem-tra").status_code == 302
    run_queue(queued)
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    assert page.count("Không hợp lệ: chứng thư số đã bị thu hồi.") == 1, re.findall(
        r"Ký bởi[^<]*", page
    )
    assert page.count("— Hợp lệ.") == 1  # the agency's
    # and the revoked key can no longer be uploaded
    from app.services.exceptions import InvalidInput

    with pytest.raises(InvalidInput, match="Chứng thư số đã bị thu hồi"):
        signing_keys.store_key(leader, pki.signer_p12, pki.passphrase, admin)


def _ocsp_good(pki: Pki, p12: bytes) -> bytes:
    """The CA's own OCSP answer (DER) that the certificate of ``p12`` is good."""
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509 import ocsp

    _, cert, _ = pkcs12.load_key_and_certificates(p12, pki.passphrase.encode())
    now = datetime.now(UTC)
    response = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=cert,
            issuer=pki.ca_cert,
            algorithm=hashes.SHA1(),
            cert_status=ocsp.OCSPCertStatus.GOOD,
            this_update=now - timedelta(hours=1),
            next_update=now + timedelta(days=1),
            revocation_time=None,
            revocation_reason=None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, pki.ca_cert)
        .sign(pki.ca_key, hashes.SHA256())
    )
    return response.public_bytes(serialization.Encoding.DER)


def test_an_uploaded_ocsp_response_checks_the_signers_revocation(db, make_user, make_agency, pki):  # noqa: ANN001
    admin = make_user("quantri", make_agency("QT"), [Role.ADMIN])
    pdf_signed = sign_pdf(
        _blank_pdf(),
        KeyFile(pki.signer_p12, pki.passphrase, "a"),
        KeyFile(pki.agency_p12, pki.passphrase, "b"),
        Appearance(agency_name="Cơ quan", signer_box=(300, 100, 450, 160)),
    )
    roots = load_trust_roots([pki.root_pem])
    before = verify_pdf(pdf_signed, roots, signing_keys.revocation())
    assert [s.revocation for s in before] == ["unknown", "unknown"]  # no data: not checked
    row = signing_keys.add_revocation(_ocsp_good(pki, pki.signer_p12), admin)
    assert row.kind == "ocsp" and row.issuer.startswith("good")
    after = verify_pdf(pdf_signed, roots, signing_keys.revocation())
    assert [s.revocation for s in after] == [REVOCATION_GOOD, "unknown"]  # only the signer's
    assert all(s.valid for s in after)


def _blank_pdf() -> bytes:
    """A one-page empty PDF (pyHanko's writer)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

    writer = PdfFileWriter()
    contents = writer.add_object(generic.StreamObject(stream_data=b""))
    writer.insert_page(PageObject(contents=contents, media_box=[0, 0, 595, 842]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
