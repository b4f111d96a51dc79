"""A throw-away PKI made with `cryptography`: a root CA, a signer and an agency certificate."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw


def _name(common: str, org: str = "UBND tỉnh Thử Nghiệm") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


@dataclass
class Pki:
    root_pem: bytes
    signer_p12: bytes
    agency_p12: bytes
    expired_p12: bytes
    stranger_root_pem: bytes
    passphrase: str = "mật-khẩu-thử"
    future_p12: bytes = b""  # valid only from next year
    tsa_cert_der: bytes = b""  # a time-stamping authority under the same root (RFC 3161)
    tsa_key_der: bytes = b""  # its private key, PKCS#8 DER
    ca_key: object = None  # the root's private key, to issue CRLs (``crl``)
    ca_cert: object = None
    signer_serial: int = 0
    agency_serial: int = 0
    stranger_p12: bytes = b""  # someone else's key under the same root ("Trần Văn Khác")

    def crl(self, revoked: list[int] = (), *, stale: bool = False) -> bytes:  # type: ignore[assignment]
        """A CRL of the root (DER) revoking the certificates with these serial numbers."""
        now = datetime.now(UTC)
        start = now - timedelta(days=30 if stale else 1)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.ca_cert.subject)  # type: ignore[attr-defined]
            .last_update(start)
            .next_update(start + timedelta(days=7))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.ca_key.public_key()  # type: ignore[attr-defined]
                ),
                critical=False,
            )
        )
        for serial in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - timedelta(hours=1))
                .build()
            )
        return builder.sign(self.ca_key, hashes.SHA256()).public_bytes(  # type: ignore[arg-type]
            serialization.Encoding.DER
        )


def _ca(common: str, now: datetime) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(
    common: str,
    ca_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    passphrase: str,
    not_before: datetime,
    not_after: datetime,
    org: str = "UBND tỉnh Thử Nghiệm",
    serials: list[int] | None = None,
) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    serial = x509.random_serial_number()
    if serials is not None:
        serials.append(serial)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common, org))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(  # an OCSP responder, as CAs declare it (never reached: no network)
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier("http://ocsp.ca-thu-nghiem.invalid/"),
                    )
                ]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        common.encode(),
        key,
        cert,
        [ca_cert],
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )


def _tsa(
    ca_key: rsa.RSAPrivateKey, ca_cert: x509.Certificate, now: datetime
) -> tuple[bytes, bytes]:
    """A time-stamping authority's certificate and key (extended key usage timeStamping)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("TSA thử nghiệm kehoach"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.DER),
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def make_pki(signer_name: str = "Nguyễn Văn An", agency_name: str = "UBND tỉnh Thử Nghiệm") -> Pki:
    """A root CA, the signer's key (CN ``signer_name``) and the agency's (CN ``agency_name``),
    and the keys the refusals need."""
    now = datetime.now(UTC)
    passphrase = "mật-khẩu-thử"
    ca_key, ca_cert = _ca("CA thử nghiệm kehoach", now)
    _, stranger = _ca("CA lạ", now)
    year = timedelta(days=365)
    tsa_cert, tsa_key = _tsa(ca_key, ca_cert, now)
    serials: list[int] = []
    signer_p12 = _leaf(
        signer_name, ca_key, ca_cert, passphrase, now - year, now + year, serials=serials
    )
    agency_p12 = _leaf(
        agency_name, ca_key, ca_cert, passphrase, now - year, now + year, agency_name, serials
    )
    return Pki(
        ca_key=ca_key,
        ca_cert=ca_cert,
        signer_serial=serials[0],
        agency_serial=serials[1],
        stranger_p12=_leaf("Trần Văn Khác", ca_key, ca_cert, passphrase, now - year, now + year),
        tsa_cert_der=tsa_cert,
        future_p12=_leaf("Lê Chưa Tới", ca_key, ca_cert, passphrase, now + year, now + 2 * year),
        tsa_key_der=tsa_key,
        root_pem=ca_cert.public_bytes(serialization.Encoding.PEM),
        signer_p12=signer_p12,
        agency_p12=agency_p12,
        expired_p12=_leaf(
            "Trần Thị Hết Hạn", ca_key, ca_cert, passphrase, now - 2 * year, now - year
        ),
        stranger_root_pem=stranger.public_bytes(serialization.Encoding.PEM),
    )


def signature_png() -> bytes:
    """A blue handwritten-like stroke on a transparent background."""
    picture = Image.new("RGBA", (400, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    points = [
        (20 + x * 6, 80 + int(40 * ((x % 12) - 6) / 6) * (-1) ** (x // 12)) for x in range(60)
    ]
    draw.line(points, fill=(0, 51, 204, 255), width=6, joint="curve")
    draw.line([(60, 130), (340, 120)], fill=(0, 51, 204, 255), width=4)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def seal_png() -> bytes:
    """A red round seal on a transparent background."""
    picture = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    red = (220, 20, 20, 255)
    draw.ellipse((8, 8, 392, 392), outline=red, width=14)
    draw.ellipse((60, 60, 340, 340), outline=red, width=6)
    draw.regular_polygon((200, 200, 50), 5, fill=red)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()
