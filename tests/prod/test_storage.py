"""Storage: documents and uploads in PostgreSQL (default there) or a folder, one interface."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

from app.models import StoredFile
from app.services import storage


def test_default_backend_follows_the_database(app, backend) -> None:  # noqa: ANN001
    assert storage.backend_name() == ("database" if backend == "postgresql" else "folder")


@pytest.mark.parametrize("name", ["database", "folder"])
def test_write_read_replace_list_delete(app, db, name) -> None:  # noqa: ANN001
    app.config["STORAGE"] = name
    storage.write("documents/7/a.pdf", b"%PDF-1")
    storage.write("documents/7/b.docx", b"PK\x03\x04")
    storage.write("documents/70/c.pdf", b"other")
    db.session.commit()
    assert storage.read("documents/7/a.pdf") == b"%PDF-1"
    storage.write("documents/7/a.pdf", b"%PDF-2")  # replaced, not duplicated
    db.session.commit()
    assert storage.read("documents/7/a.pdf") == b"%PDF-2"
    assert storage.keys("documents/7") == ["documents/7/a.pdf", "documents/7/b.docx"]
    assert storage.exists("documents/7/b.docx") and not storage.exists("documents/7/x.pdf")
    storage.delete("documents/7/b.docx")
    db.session.commit()
    assert not storage.exists("documents/7/b.docx")
    with pytest.raises(FileNotFoundError):
        storage.read("documents/7/b.docx")
    in_db = db.session.query(StoredFile).count()
    assert in_db == (2 if name == "database" else 0)


def test_database_write_is_part_of_the_transaction(app, db) -> None:  # noqa: ANN001
    app.config["STORAGE"] = "database"
    storage.write("reports/1/x.pdf", b"%PDF")
    db.session.rollback()  # the upload's request failed: the file is gone with its row
    assert not storage.exists("reports/1/x.pdf")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../b", "a\\b", "", "a//b", "x" * 600])
def test_hostile_keys_are_refused(app, key) -> None:  # noqa: ANN001
    for name in ("database", "folder"):
        app.config["STORAGE"] = name
        with pytest.raises(storage.StorageError):
            storage.write(key, b"x")


@pytest.mark.parametrize("name", ["database", "folder"])
def test_streamed_download_returns_every_byte(app, db, monkeypatch, name) -> None:  # noqa: ANN001
    """The database backend streams in CHUNK pieces, one query each, never the whole file."""
    app.config["STORAGE"] = name
    monkeypatch.setattr(storage, "CHUNK", 1000)
    for size in (0, 1, 999, 1000, 1001, 4500):
        data = bytes(i % 251 for i in range(size))
        storage.write(f"documents/1/f{size}.pdf", data)
        db.session.commit()
        with app.test_request_context():
            resp = storage.download(f"documents/1/f{size}.pdf", "Báo cáo số 01-BC.pdf")
            resp.direct_passthrough = False
            assert resp.get_data() == data
        assert int(resp.headers["Content-Length"]) == size
        assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o" in resp.headers["Content-Disposition"]
    with app.test_request_context(), pytest.raises(FileNotFoundError):
        storage.download("documents/1/none.pdf", "x.pdf")


def test_import_copies_a_folder_into_the_database(app, db, tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "documents" / "3").mkdir(parents=True)
    (tmp_path / "documents" / "3" / "doc-3-v0-draft.pdf").write_bytes(b"%PDF-x")
    (tmp_path / "agency-templates" / "1").mkdir(parents=True)
    (tmp_path / "agency-templates" / "1" / "t.docx").write_bytes(b"PK\x03\x04t")
    app.config["STORAGE"] = "database"
    result = CliRunner().invoke(
        app.cli, ["storage", "import", "--from-dir", str(tmp_path)], catch_exceptions=False
    )
    assert "Đã chép 2 tệp" in result.output
    row = db.session.get(StoredFile, "documents/3/doc-3-v0-draft.pdf")
    assert row.size == 6 and row.sha256 == hashlib.sha256(b"%PDF-x").hexdigest()
    assert storage.read("agency-templates/1/t.docx") == b"PK\x03\x04t"
