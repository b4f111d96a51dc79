"""Digital signing wired in (issue 15): the admin configures keys, images and trust roots; the
leader signs, the clerk releases, the real worker (RQ on the real Redis, real LibreOffice)
renders the released PDF and signs it twice (signer, then agency); pyHanko validates it against
the throw-away CA; the document page says who signed, when, and whether it is valid; one
flipped byte makes it invalid and the page says so. Both databases."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select

from app.models import Document, Plan, Role, SignatureCheck, User
from app.services import clock, signing_keys, storage
from app.services.signing import load_trust_roots
from tests.services.test_plan_lifecycle import issue, load_plan
from tests.signing.pki import Pki, make_pki, seal_png, signature_png
from tests.workers import run_queue
from worker.pades import AGENCY_FIELD, SIGNER_FIELD, verify_pdf

pytestmark = pytest.mark.libreoffice


#: The printed signer of tra-vinh-2024.yaml and its issuing agency: the certificates name them
#: (app.services.cert_names), the agency's in capitals and with the old tone placement.
SIGNER = "Lê Văn Hân"
AGENCY = "BAN CHỈ ĐẠO VỀ NHÂN QUYỀN TỈNH TRÀ VINH"


def flow_pki() -> Pki:
    return make_pki(SIGNER, AGENCY)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return flow_pki()


@pytest.fixture
def login(client):  # noqa: ANN001, ANN201
    def do(user):  # noqa: ANN001, ANN202
        client.post("/auth/logout")
        resp = client.post(
            "/auth/login", data={"username": user.username, "password": "secret-pass"}
        )
        assert resp.status_code == 302
        return client

    return do


def _configure(plan, people, pki: Pki, admin: User) -> User:  # noqa: ANN001
    """The admin's part, through the service the admin pages use."""
    leader = people(plan.issuer, Role.SIGNER)
    leader.full_name = SIGNER
    signing_keys.add_trust_root(pki.root_pem, admin)
    signing_keys.store_key(plan.issuer, pki.agency_p12, pki.passphrase, admin)
    signing_keys.store_image(plan.issuer, seal_png(), "Ảnh con dấu", admin)
    signing_keys.store_key(leader, pki.signer_p12, pki.passphrase, admin)
    signing_keys.store_image(leader, signature_png(), "Ảnh chữ ký", admin)
    return leader


def _released_with_keys(db, people, make_user, pki: Pki) -> tuple[Plan, Document]:  # noqa: ANN001
    """The Trà Vinh plan, its issuer's and signer's keys and images stored by its admin, issued
    and released on 05/11/2024: the released document, its signing job queued, not yet run."""
    plan = load_plan("tra-vinh-2024.yaml")
    admin = make_user("quantri", plan.issuer, [Role.ADMIN])
    db.session.commit()
    _configure(plan, people, pki, admin)
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    doc = issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    return plan, doc


def _fresh_doc(db, doc_id: int) -> Document:  # noqa: ANN001
    db.session.rollback()
    return db.session.scalar(
        select(Document).where(Document.id == doc_id).execution_options(populate_existing=True)
    )


def _page_png(pdf: bytes, page: int, out: Path) -> Path:
    (out / "signed.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "110",
            "-f",
            str(page + 1),
            "-l",
            str(page + 1),
            str(out / "signed.pdf"),
            str(out / "page"),
        ],
        check=True,
    )
    return next(out.glob("page*.png"))


def test_release_is_signed_by_the_worker_and_verified(  # noqa: PLR0915
    db, queued, people, make_user, login, pki, tmp_path, backend
):  # noqa: ANN001
    plan, doc = _released_with_keys(db, people, make_user, pki)
    run_queue(queued)  # renders every version, then signs the released one

    doc = _fresh_doc(db, doc.id)
    check = db.session.get(SignatureCheck, doc.id)
    assert check is not None and check.state == "done", check and check.error
    assert check.origin == "produced"
    assert doc.signed_path and doc.signed_path.endswith("-signed.pdf")
    signed = storage.read(doc.signed_path)

    # pyHanko against the throw-away CA: both valid, in order, with their times
    statuses = verify_pdf(signed, load_trust_roots([pki.root_pem]))
    assert [s.field for s in statuses] == [SIGNER_FIELD, AGENCY_FIELD]
    assert [s.signer for s in statuses] == [SIGNER, AGENCY]
    for s in statuses:
        assert s.intact and s.trusted and s.valid, s
        assert s.signed_at is not None and s.signed_at.utcoffset() == timedelta(hours=7)
    # the unsigned released PDF is kept; the signed file is two revisions on top of it
    released = storage.read(doc.pdf_path)
    assert signed.startswith(released)

    # the appearances: on the page of the signer block, the seal over the image's left third
    reader = PdfFileReader(io.BytesIO(signed))
    pages = reader.root["/Pages"]["/Kids"]
    found = {}
    for index, ref in enumerate(pages):
        for annot in ref.get_object().get("/Annots") or []:
            a = annot.get_object()
            if a.get("/T") in (SIGNER_FIELD, AGENCY_FIELD):
                found[str(a["/T"])] = (index, [float(v) for v in a["/Rect"]])
    assert set(found) == {SIGNER_FIELD, AGENCY_FIELD}
    (page_s, sig), (page_a, seal) = found[SIGNER_FIELD], found[AGENCY_FIELD]
    assert page_s == page_a
    assert seal[2] == pytest.approx(sig[0] + (sig[2] - sig[0]) / 3, abs=1)
    text = subprocess.run(
        ["pdftotext", "-f", str(page_s + 1), "-l", str(page_s + 1), "-", "-"],
        input=signed,
        check=True,
        capture_output=True,
    ).stdout.decode()
    assert "Lê Văn Hân" in text  # the signer block's name, under the image
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", text)
    assert " ".join(text.split()).count(doc.snapshot["name"]) == 1  # on the seal, wrapped
    png = _page_png(signed, page_s, tmp_path)
    if keep := os.environ.get("KEHOACH_KEEP_SIGNED_PNG"):
        shutil.copy(png, f"{keep}-{backend}.png")

    # the page: who signed, when, valid
    clerk = people(plan.issuer, Role.CLERK)
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "Chữ ký số" in page
    assert page.count("— Hợp lệ.") == 2, page
    when = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00"
    assert re.search(f"Ký bởi {SIGNER} lúc {when} — Hợp lệ.", page)
    assert re.search(f"Ký bởi {AGENCY} lúc {when} — Hợp lệ.", page)
    # no revocation data uploaded, no fetching: said so, honestly
    assert page.count("Không kiểm tra được thu hồi") == 2
    assert "Không khớp" not in page
    assert "Bản phát hành được hệ thống ký số" in page

    # one flipped byte in the stored file: checked again, both invalid, the page says so
    data = bytearray(signed)
    data[len(released) // 2] ^= 0x01
    storage.write(doc.signed_path, bytes(data))
    db.session.commit()
    resp = login(clerk).post(f"/documents/{doc.id}/chu-ky-so/kiem-tra")
    assert resp.status_code == 302
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "Đang kiểm tra chữ ký số" in page
    run_queue(queued)
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "— Hợp lệ." not in page
    assert "Không hợp lệ: tệp đã bị sửa sau khi ký." in page


def test_without_keys_the_page_says_so_and_the_scan_upload_stays(db, queued, people, login, pki):  # noqa: ANN001
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    from app.services import documents

    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    db.session.commit()
    clerk = people(plan.issuer, Role.CLERK)
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    assert (
        "Chưa cấu hình ký số (thiếu: khóa của người ký, khóa của cơ quan): văn thư tải lên "
        "bản đã ký (bản quét) như trước." in page
    )
    assert "Tải lên bản đã ký" in page
    assert db.session.get(SignatureCheck, doc.id) is None
    # released without keys: nothing is signed; the admin configures keys afterwards and the
    # clerk has the released document signed
    documents.transition(doc, "release", clerk, issued_on=date(2024, 11, 5))
    db.session.commit()
    run_queue(queued)
    assert db.session.get(SignatureCheck, doc.id) is None
    admin = people(plan.issuer, Role.ADMIN)
    _configure(plan, people, pki, admin)
    db.session.commit()
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "Bản phát hành chưa được ký số." in page and "Ký số bản phát hành" in page
    assert login(clerk).post(f"/documents/{doc.id}/chu-ky-so/ky-lai").status_code == 302
    run_queue(queued)
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    assert page.count("— Hợp lệ.") == 2


def test_uploaded_signed_pdf_is_verified(db, queued, people, login, pki, tmp_path):  # noqa: ANN001
    """A PDF signed elsewhere, uploaded by the clerk: checked by the worker against the trust
    roots (here: none trusted, so the page says the certificate is not trusted)."""
    from app.services import documents
    from app.services.signing import KeyFile
    from worker.pades import Appearance, sign_pdf

    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    db.session.commit()
    run_queue(queued)
    doc = _fresh_doc(db, doc.id)
    pdf = storage.read(doc.pdf_path)
    signed = sign_pdf(
        pdf,
        KeyFile(pki.signer_p12, pki.passphrase, "a"),
        KeyFile(pki.agency_p12, pki.passphrase, "b"),
        Appearance(agency_name="UBND", signer_box=(300, 100, 450, 160)),
    )
    clerk = people(plan.issuer, Role.CLERK)
    client = login(clerk)
    resp = client.post(
        f"/documents/{doc.id}/signed",
        data={"file": (io.BytesIO(signed), "ban-ky.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    run_queue(queued)
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "Bản đã ký do văn thư tải lên." in page
    assert page.count("Không hợp lệ: chứng thư số không được tin cậy hoặc đã hết hạn.") == 2, page
    # a broken PDF uploaded in its place: checked, and the page says it cannot be read
    resp = client.post(
        f"/documents/{doc.id}/signed",
        data={"file": (io.BytesIO(b"%PDF-1.7\n" + b"\x00" * 4000), "hong.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    run_queue(queued)
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "Không đọc được tệp PDF: tệp hỏng hoặc đã bị sửa." in page
    assert "— Hợp lệ." not in page
    # a scan (PNG): no digital signature to check
    resp = client.post(
        f"/documents/{doc.id}/signed",
        data={"file": (io.BytesIO(signature_png()), "ban-quet.png")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "Bản đã ký là bản quét hoặc tệp không có chữ ký số." in page


def test_a_failed_signing_is_shown_and_can_be_done_again(
    app, db, queued, people, make_user, login, pki
):  # noqa: ANN001
    """The server's key-encryption key changed after the keys were stored: the worker cannot
    open them; the page says what to do; once the key is back, the clerk signs again."""
    plan, doc = _released_with_keys(db, people, make_user, pki)
    app.config["KEY_ENCRYPTION_KEY"] = "a different server key"
    run_queue(queued)
    doc = _fresh_doc(db, doc.id)
    assert doc.signed_path is None
    clerk = people(plan.issuer, Role.CLERK)
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    assert (
        "Không ký số được: Không giải mã được khóa của người ký đã lưu (khóa mã hóa của máy "
        "chủ đã thay đổi): quản trị cần tải lại tệp khóa." in page
    )
    assert "Ký số lại" in page
    # a specialist may not ask for it
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    assert login(specialist).post(f"/documents/{doc.id}/chu-ky-so/ky-lai").status_code == 403
    app.config["KEY_ENCRYPTION_KEY"] = None
    assert login(clerk).post(f"/documents/{doc.id}/chu-ky-so/ky-lai").status_code == 302
    assert "Đang ký số bản phát hành…" in login(clerk).get(f"/documents/{doc.id}").get_data(
        as_text=True
    )
    run_queue(queued)
    page = login(clerk).get(f"/documents/{doc.id}").get_data(as_text=True)
    assert page.count("— Hợp lệ.") == 2
    assert "Ký số lại" not in page


@pytest.fixture
def tsa_url(pki):  # noqa: ANN001, ANN201
    """A real RFC 3161 server over HTTP on loopback (pyHanko's DummyTimeStamper behind
    http.server), its certificate under the test CA."""
    import asyncio
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps import DummyTimeStamper

    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(pki.tsa_cert_der),
        tsa_key=asn1_keys.PrivateKeyInfo.load(pki.tsa_key_der),
    )
    asked: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            request = tsp.TimeStampReq.load(body)
            reply = asyncio.run(stamper.async_request_tsa_response(request)).dump()
            asked.append(len(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/tsa", asked
    server.shutdown()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_with_a_timestamp_server_the_signatures_are_b_t(
    app, db, queued, people, make_user, login, pki, tsa_url
):  # noqa: ANN001
    url, asked = tsa_url
    app.config["TIMESTAMP_URL"] = url
    plan, doc = _released_with_keys(db, people, make_user, pki)
    run_queue(queued)
    doc = _fresh_doc(db, doc.id)
    assert len(asked) >= 2  # per signature (pyHanko also asks once to size the token)
    statuses = verify_pdf(storage.read(doc.signed_path), load_trust_roots([pki.root_pem]))
    assert [(s.valid, s.timestamped) for s in statuses] == [(True, True), (True, True)]
    page = login(people(plan.issuer, Role.CLERK)).get(f"/documents/{doc.id}")
    assert page.get_data(as_text=True).count("có dấu thời gian của máy chủ cấp dấu") == 2
