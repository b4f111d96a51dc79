"""Download names: "<số>-<ký hiệu>-<trích yếu ngắn>.docx", ASCII fallback and UTF-8."""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from app.services.filenames import ascii_filename, content_disposition, document_filename


def test_released_name_has_number_symbol_and_short_summary():
    name = document_filename(
        "01/KH-BCĐNQ", 1, "Triển khai đợt cao điểm tuyên truyền nhân kỷ niệm 76 năm", "docx"
    )
    assert name.startswith("01-KH-BCĐNQ-Triển khai đợt cao điểm")
    assert name.endswith(".docx") and "/" not in name
    assert ascii_filename(name).startswith("01-KH-BCDNQ-Trien-khai-dot-cao-diem")


def test_draft_name_says_draft_and_version():
    name = document_filename("    /BC-CA", None, "Báo cáo kết quả", "pdf", draft_version=2)
    assert name == "Dự thảo lần 2-BC-CA-Báo cáo kết quả.pdf"
    assert ascii_filename(name) == "Du-thao-lan-2-BC-CA-Bao-cao-ket-qua.pdf"


@given(st.text(max_size=300), st.integers(min_value=1, max_value=9999) | st.none())
def test_any_title_gives_a_safe_header(title, number):
    name = document_filename("05/BC-CA", number, title, "docx", draft_version=1)
    header = content_disposition(name)
    assert "\n" not in header and "\r" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and fallback.endswith(".docx") and "/" not in fallback
    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == name
    assert not any(c in name for c in '/\\:*?"<>|')
