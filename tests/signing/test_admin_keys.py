"""The admin's signing pages (issue 15): trust roots, keys and images per agency and signer.
Every bad file is refused with a Vietnamese message naming the field, and nothing changes;
a good key is kept encrypted (the passphrase nowhere in the database)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.models import Role, SigningIdentity, TrustRoot
from tests.signing.pki import Pki, make_pki, seal_png, signature_png


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture
def setup(client, make_agency, make_user, db):  # noqa: ANN001, ANN201
    agency = make_agency("UBND-TN", name="UBND tỉnh Thử Nghiệm", abbreviation="UBND")
    admin = make_user("quantri", agency, [Role.ADMIN])
    leader = make_user("chutich", agency, [Role.SIGNER])
    leader.full_name = "Nguyễn Văn An"
    db.session.commit()
    resp = client.post("/auth/login", data={"username": "quantri", "password": "secret-pass"})
    assert resp.status_code == 302
    return agency, admin, leader


def _post(client, url: str, **files_and_fields):  # noqa: ANN001, ANN003, ANN202
    data = {
        k: (io.BytesIO(v[1]), v[0]) if isinstance(v, tuple) else v
        for k, v in files_and_fields.items()
    }
    return client.post(url, data=data, content_type="multipart/form-data")


def _identities(db) -> int:  # noqa: ANN001
    return db.session.scalar(
        select(func.count())
        .select_from(SigningIdentity)
        .where(SigningIdentity.key_encrypted.is_not(None))
    )


def test_keys_images_and_roots_with_every_refusal(client, setup, pki, db):  # noqa: ANN001
    agency, _, leader = setup
    page_url = f"/quan-tri/co-quan/{agency.id}/ky-so"
    key_url = f"{page_url}/co-quan/khoa"
    page = client.get(page_url).get_data(as_text=True)
    assert "Chưa có chứng thư gốc tin cậy:" in page and "Nguyễn Văn An" in page

    # no trust root yet: a good key is refused, saying why
    resp = _post(
        client,
        key_url,
        **{"co-quan-khoa-file": ("k.p12", pki.agency_p12), "co-quan-khoa-passphrase": "x"},
    )
    assert resp.status_code == 400
    # (the passphrase is checked first; with the right one, the missing root is named)
    resp = _post(
        client,
        key_url,
        **{
            "co-quan-khoa-file": ("k.p12", pki.agency_p12),
            "co-quan-khoa-passphrase": pki.passphrase,
        },
    )
    assert resp.status_code == 400
    assert "Chưa có chứng thư gốc tin cậy: quản trị thêm chứng thư gốc" in resp.get_data(
        as_text=True
    )

    # trust roots: garbage refused, the CA added, a duplicate refused
    resp = _post(client, "/quan-tri/ky-so", file=("ca.pem", b"not a certificate"))
    assert resp.status_code == 400
    assert "“Chứng thư gốc” phải là một chứng thư số X.509 (PEM hoặc DER)." in resp.get_data(
        as_text=True
    )
    assert _post(client, "/quan-tri/ky-so", file=("ca.pem", pki.root_pem)).status_code == 302
    resp = _post(client, "/quan-tri/ky-so", file=("ca.pem", pki.root_pem))
    assert "Chứng thư gốc này đã có trong danh sách." in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TrustRoot)) == 1

    refusals = [
        (pki.agency_p12, "sai-mat-khau", "Mật khẩu của tệp khóa không đúng"),
        (b"garbage", pki.passphrase, "Mật khẩu của tệp khóa không đúng"),
        (pki.expired_p12, pki.passphrase, "Chứng thư số đã hết hạn hoặc chưa có hiệu lực."),
        (pki.future_p12, pki.passphrase, "Chứng thư số đã hết hạn hoặc chưa có hiệu lực."),
        (b"x" * 70_000, pki.passphrase, "Tệp khóa quá lớn."),
    ]
    for data, passphrase, message in refusals:
        resp = _post(
            client,
            key_url,
            **{"co-quan-khoa-file": ("k.p12", data), "co-quan-khoa-passphrase": passphrase},
        )
        assert resp.status_code == 400
        body = resp.get_data(as_text=True)
        assert message in body
        assert 'id="co-quan-khoa-file-err"' in body  # under the field it is about
        assert _identities(db) == 0

    # a key under a CA the admin does not trust
    from tests.signing import pki as pki_module

    stranger = pki_module.make_pki()  # another CA; only the first is trusted
    resp = _post(
        client,
        key_url,
        **{
            "co-quan-khoa-file": ("k.p12", stranger.agency_p12),
            "co-quan-khoa-passphrase": stranger.passphrase,
        },
    )
    assert resp.status_code == 400
    assert "Chứng thư số không được cấp bởi chứng thư gốc tin cậy" in resp.get_data(as_text=True)
    assert _identities(db) == 0

    # the good keys: stored encrypted, the passphrase nowhere
    for who, p12 in (("co-quan", pki.agency_p12), (str(leader.id), pki.signer_p12)):
        resp = _post(
            client,
            f"{page_url}/{who}/khoa",
            **{f"{who}-khoa-file": ("k.p12", p12), f"{who}-khoa-passphrase": pki.passphrase},
        )
        assert resp.status_code == 302, resp.get_data(as_text=True)
    assert _identities(db) == 2
    for row in db.session.scalars(select(SigningIdentity)):
        assert row.key_encrypted and pki.passphrase.encode() not in row.key_encrypted
        assert pki.signer_p12 not in row.key_encrypted and pki.agency_p12 not in row.key_encrypted
    page = client.get(page_url).get_data(as_text=True)
    assert page.count("Đã có khóa:") == 2 and "CN=Nguyễn Văn An" in page

    # images: not a PNG, a JPEG named .png, a huge one: refused naming the field
    image_url = f"{page_url}/{leader.id}/anh"
    for data, message in (
        (b"GIF89a....", "“Ảnh chữ ký” phải là ảnh PNG đọc được."),
        (b"\xff\xd8\xff\xe0" + b"0" * 100, "“Ảnh chữ ký” phải là ảnh PNG đọc được."),
        (b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024), "“Ảnh chữ ký” quá lớn (tối đa 2 MB)."),
    ):
        resp = _post(client, image_url, **{f"{leader.id}-anh-file": ("a.png", data)})
        assert resp.status_code == 400
        assert message in resp.get_data(as_text=True)
    assert (
        _post(
            client, image_url, **{f"{leader.id}-anh-file": ("a.png", signature_png())}
        ).status_code
        == 302
    )
    assert (
        _post(
            client, f"{page_url}/co-quan/anh", **{"co-quan-anh-file": ("d.png", seal_png())}
        ).status_code
        == 302
    )
    page = client.get(page_url).get_data(as_text=True)
    assert page.count('class="signing-image"') == 2

    # remove the agency's key: the documents fall back to scans
    assert client.post(f"{page_url}/co-quan/xoa-khoa").status_code == 302
    assert _identities(db) == 1


def test_signing_pages_are_for_admins_only(client, setup, make_user, db):  # noqa: ANN001
    agency, _, leader = setup
    client.post("/auth/logout")
    client.post("/auth/login", data={"username": "chutich", "password": "secret-pass"})
    assert client.get(f"/quan-tri/co-quan/{agency.id}/ky-so").status_code == 403
    assert client.get("/quan-tri/ky-so").status_code == 403
