"""PAdES signing twice (signer, then agency) and verification against a throw-away CA."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from app.services.exceptions import InvalidInput
from app.services.signing import VIETNAM_TZ, KeyFile, describe, load_trust_roots
from tests.signing.pki import Pki, make_pki, seal_png, signature_png
from worker.pades import AGENCY_FIELD, SIGNER_FIELD, Appearance, sign_pdf, verify_pdf
from worker.sign import signer_box

pytestmark = pytest.mark.libreoffice

WHEN = datetime(2026, 12, 1, 3, 4, 5, tzinfo=UTC)  # 10:04:05 in Vietnam


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture(scope="module")
def released_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, tuple[float, ...]]:
    """A released document made by LibreOffice, and the signer block's box on page 1."""
    work = tmp_path_factory.mktemp("pdf")
    doc = Document()
    doc.add_paragraph("ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM")
    doc.add_paragraph("KẾ HOẠCH").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("Triển khai chuyển đổi số năm 2027 trên địa bàn tỉnh.")
    for line in ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "", "", "", "Nguyễn Văn An"):
        doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(work / "kehoach.docx")
    subprocess.run(
        [
            shutil.which("soffice") or "soffice",
            f"-env:UserInstallation=file://{work}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(work / "kehoach.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (work / "kehoach.pdf").read_bytes()
    # Where LibreOffice put the title and the name: the signer's image goes between them.
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(work / "kehoach.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', bbox).group(1))
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        bbox,
    )
    tich = next(w for w in words if w[4] == "TỊCH")
    an = next(w for w in words if w[4] == "An")
    below_title = height - float(tich[3])
    above_name = height - float(an[1])
    right = float(an[2])
    box = (right - 150, above_name + 4, right, below_title - 4)
    return pdf, box


def _appearance(box: tuple[float, ...]) -> Appearance:
    x1, y1, x2, y2 = box
    return Appearance(
        agency_name="UBND tỉnh Thử Nghiệm",
        signer_box=(x1, y1, x2, y2),
        signature_png=signature_png(),
        seal_png=seal_png(),
    )


def _keys(pki: Pki) -> tuple[KeyFile, KeyFile]:
    return (
        KeyFile(pki.signer_p12, pki.passphrase, "signer_key"),
        KeyFile(pki.agency_p12, pki.passphrase, "agency_key"),
    )


@pytest.fixture(scope="module")
def signed(pki: Pki, released_pdf: tuple[bytes, tuple[float, ...]]) -> bytes:
    pdf, box = released_pdf
    return sign_pdf(pdf, *_keys(pki), _appearance(box), signing_time=WHEN)


def test_two_signatures_both_valid_with_times(pki: Pki, signed: bytes) -> None:
    statuses = verify_pdf(signed, load_trust_roots([pki.root_pem]))
    assert [s.field for s in statuses] == [SIGNER_FIELD, AGENCY_FIELD]
    assert [s.signer for s in statuses] == ["Nguyễn Văn An", "UBND tỉnh Thử Nghiệm"]
    for status in statuses:
        assert status.intact and status.trusted and status.valid, status
        assert status.message == "Hợp lệ."
        assert status.signed_at == WHEN
        assert status.signed_at.utcoffset() == timedelta(hours=7)
    assert describe(statuses[0]) == ("Ký bởi Nguyễn Văn An lúc 2026-12-01T10:04:05+07:00 — Hợp lệ.")


def test_appearances_on_page_one_in_the_signer_block(
    signed: bytes, released_pdf: tuple[bytes, tuple[float, ...]]
) -> None:
    _, box = released_pdf
    reader = PdfFileReader(io.BytesIO(signed))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    widgets = {
        str(a.get_object()["/T"]): [float(v) for v in a.get_object()["/Rect"]]
        for a in page["/Annots"]
    }
    assert set(widgets) == {SIGNER_FIELD, AGENCY_FIELD}
    assert widgets[SIGNER_FIELD] == pytest.approx(list(box), abs=0.5)
    seal = widgets[AGENCY_FIELD]
    # the seal covers about a third of the signer's image, on its left
    assert seal[2] == pytest.approx(box[0] + (box[2] - box[0]) / 3, abs=0.5)
    for rect in widgets.values():
        appearance = [
            a.get_object() for a in page["/Annots"] if a.get_object()["/Rect"] is not None
        ]
        assert appearance and rect[2] > rect[0]
    # the seal's text (agency name and ISO 8601 +07:00 time) is on the page
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-", "-"],
        input=signed,
        check=True,
        capture_output=True,
    ).stdout.decode()
    assert "2026-12-01T10:04:05+07:00" in text
    assert "UBND tỉnh Thử Nghiệm" in text


def test_render_signed_page(signed: bytes, tmp_path: Path) -> None:
    """Page 1 renders (looked at by hand: signature in blue, red seal over its left third)."""
    (tmp_path / "signed.pdf").write_bytes(signed)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "100",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "signed.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 1000


def _covered(signed: bytes) -> list[int]:
    """Offsets signed by the agency's signature (everything but its own /Contents hex)."""
    last = PdfFileReader(io.BytesIO(signed)).embedded_signatures[-1]
    start1, length1, start2, length2 = last.byte_range
    return [*range(start1, start1 + length1), *range(start2, start2 + length2)]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=st.floats(min_value=0, max_value=1, exclude_max=True), bit=st.integers(0, 7))
def test_one_flipped_byte_invalidates(pki: Pki, signed: bytes, where: float, bit: int) -> None:
    covered = _covered(signed)
    data = bytearray(signed)
    data[covered[int(len(covered) * where)]] ^= 1 << bit
    statuses = verify_pdf(bytes(data), load_trust_roots([pki.root_pem]))
    assert statuses, "a tampered PDF must not look unsigned"
    assert not all(s.valid for s in statuses)
    assert any(s.message.startswith("Không") for s in statuses)


def test_flipped_byte_in_the_body_is_reported(pki: Pki, signed: bytes) -> None:
    """A byte of page 1's content changed: both signatures say the file was modified."""
    data = bytearray(signed)
    data[200] ^= 0x01  # inside the first content stream, signed by both
    statuses = verify_pdf(bytes(data), load_trust_roots([pki.root_pem]))
    assert [s.valid for s in statuses] == [False, False]
    assert statuses[0].message == "Không hợp lệ: tệp đã bị sửa sau khi ký."


def test_untrusted_root(pki: Pki, signed: bytes) -> None:
    statuses = verify_pdf(signed, load_trust_roots([pki.stranger_root_pem]))
    assert [s.valid for s in statuses] == [False, False]
    assert all(s.intact for s in statuses)
    assert statuses[0].message == "Không hợp lệ: chứng thư số không được tin cậy hoặc đã hết hạn."


def test_wrong_passphrase_is_refused_in_vietnamese(
    pki: Pki, released_pdf: tuple[bytes, tuple[float, ...]]
) -> None:
    pdf, box = released_pdf
    signer, agency = _keys(pki)
    with pytest.raises(InvalidInput) as caught:
        sign_pdf(pdf, KeyFile(pki.signer_p12, "sai", "signer_key"), agency, _appearance(box))
    assert str(caught.value) == "Mật khẩu của tệp khóa không đúng, hoặc tệp không phải PKCS#12."
    assert "signer_key" in caught.value.errors


def test_expired_certificate_is_refused(
    pki: Pki, released_pdf: tuple[bytes, tuple[float, ...]]
) -> None:
    pdf, box = released_pdf
    signer, _ = _keys(pki)
    with pytest.raises(InvalidInput) as caught:
        sign_pdf(
            pdf, signer, KeyFile(pki.expired_p12, pki.passphrase, "agency_key"), _appearance(box)
        )
    assert str(caught.value) == "Chứng thư số đã hết hạn hoặc chưa có hiệu lực."
    assert "agency_key" in caught.value.errors


def test_unsigned_pdf_has_no_signatures(
    pki: Pki, released_pdf: tuple[bytes, tuple[float, ...]]
) -> None:
    assert verify_pdf(released_pdf[0], load_trust_roots([pki.root_pem])) == []


def test_vietnam_offset_constant() -> None:
    assert datetime(2026, 1, 1, tzinfo=VIETNAM_TZ).isoformat().endswith("+07:00")


def test_content_added_after_signing_is_reported(pki: Pki, signed: bytes) -> None:
    """A later revision drawing on page 1 keeps the signed bytes intact but is not allowed."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    box = generic.StreamObject(stream_data=b"0 0 1 rg 10 10 50 50 re f")
    writer.add_stream_to_page(0, writer.add_object(box))
    out = io.BytesIO()
    writer.write(out)
    statuses = verify_pdf(out.getvalue(), load_trust_roots([pki.root_pem]))
    assert [(s.intact, s.trusted, s.valid) for s in statuses] == [(True, True, False)] * 2
    assert statuses[1].message == "Không hợp lệ: tệp bị thay đổi không được phép sau khi ký."


@pytest.mark.parametrize(
    "broken", [b"", b"garbage", b"%PDF-1.4\n%%EOF"], ids=["empty", "text", "bare"]
)
def test_broken_pdf_is_refused_and_reported(pki: Pki, broken: bytes) -> None:
    signer, agency = _keys(pki)
    with pytest.raises(InvalidInput, match="Tệp PDF hỏng, không ký được."):
        sign_pdf(broken, signer, agency, _appearance((100, 100, 250, 160)))
    [status] = verify_pdf(broken, load_trust_roots([pki.root_pem]))
    assert not status.valid
    assert status.message == "Không đọc được tệp PDF: tệp hỏng hoặc đã bị sửa."


def _png(width: int, height: int) -> bytes:
    picture = Image.new("RGBA", (width, height))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    "image", [b"not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "bomb"], ids=str
)
def test_bad_signature_image_is_refused(
    pki: Pki, released_pdf: tuple[bytes, tuple[float, ...]], image: bytes | str
) -> None:
    pdf, box = released_pdf
    data = _png(5000, 5000) if image == "bomb" else image
    assert isinstance(data, bytes)
    appearance = replace(_appearance(box), signature_png=data)
    with pytest.raises(InvalidInput) as caught:
        sign_pdf(pdf, *_keys(pki), appearance)
    assert str(caught.value) == "Ảnh chữ ký hoặc con dấu không đọc được, hoặc quá lớn."
    assert "signature_png" in caught.value.errors


def test_signer_block_is_found_between_title_and_name(
    released_pdf: tuple[bytes, tuple[float, ...]],
) -> None:
    pdf, box = released_pdf
    found = signer_box(pdf, "Nguyễn Văn An")
    assert found is not None
    page, (x1, y1, x2, y2) = found
    assert page == 0
    # vertically: between the name and the title, as the fixture measured them
    assert y1 == pytest.approx(box[1] - 2, abs=1) and y2 == pytest.approx(box[3] + 2, abs=1)
    # horizontally: centred on the name, 150 pt wide
    assert x2 - x1 == pytest.approx(150)
    assert x1 < box[2] and x2 > box[2] - 100
    assert signer_box(pdf, "Người Không Có") is None
