"""A document too large for the warm converter's per-document timeout (the consolidated report
of thousands of agencies) is converted by a LibreOffice of its own, with a long timeout (real
LibreOffice)."""

from __future__ import annotations

from tests.worker.test_convert import _docx
from worker import convert


def test_a_large_document_gets_its_own_soffice(tmp_path, monkeypatch, caplog):  # noqa: ANN001
    monkeypatch.setenv("KEHOACH_CONVERT_DIR", str(tmp_path / "convert"))
    docx = _docx()
    assert not convert.is_large(docx)  # a plan: the warm converter
    assert not convert.is_large(b"not a docx")
    monkeypatch.setattr(convert, "LARGE_XML", 1000)  # as if its text were 40 MB
    assert convert.is_large(docx)
    convert.stop()
    try:
        with caplog.at_level("INFO", logger="worker.convert"):
            assert convert.docx_to_pdf(docx).startswith(b"%PDF")
        messages = [r.getMessage() for r in caplog.records]
        assert any("large document" in m for m in messages), messages
        assert convert._converter is None  # no warm converter was started for it
    finally:
        convert.stop()
