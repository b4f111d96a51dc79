"""Where generated documents and uploads are kept: the one module that reads and writes files.

Two backends behind one interface, chosen by ``STORAGE`` (``KEHOACH_STORAGE``):

- ``database``: the ``stored_file`` table (bytes, size, SHA-256). Every web and worker host
  reaches it through PostgreSQL alone: nothing lives on one host's disk. The default when the
  database is PostgreSQL. Writes join the caller's transaction (an upload and the row naming it
  commit together); downloads are streamed in chunks, never loaded whole into a web worker.
- ``folder``: files under ``FILES_DIR`` (default ``<instance>/files``), written atomically
  (temporary name, fsync, rename). For the embedded SQLite default, or a folder every host
  mounts (NFS…). The default with SQLite.

Keys are relative paths (``documents/7/doc-7-v0-draft.pdf``, ``reports/3/file-ab12-x.pdf``); the
models keep keys, never host paths. A key with ``..``, a leading ``/`` or a backslash is refused.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, current_app, send_file, stream_with_context
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models.storage import StoredFile

CHUNK = 1024 * 1024
BACKENDS = ("database", "folder")
_KEY = re.compile(r"^[\w\-.]+(/[\w\-.]+)*$")


class StorageError(RuntimeError):
    """The storage is misconfigured or a key is invalid."""


def check_key(key: str) -> str:
    if (
        not key
        or len(key) > 512
        or not _KEY.match(key)
        or any(part in (".", "..") for part in key.split("/"))
    ):
        raise StorageError(f"Tên tệp lưu trữ không hợp lệ: {key!r}")
    return key


class Storage(Protocol):
    name: str

    def write(self, key: str, data: bytes) -> None: ...
    def read(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int | None: ...
    def stored_at(self, key: str) -> datetime | None: ...
    def delete(self, key: str) -> None: ...
    def keys(self, prefix: str) -> list[str]: ...
    def chunks(self, key: str) -> Iterator[bytes]: ...


class FolderStorage:
    name = "folder"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def write(self, key: str, data: bytes) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(key) from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int | None:
        path = self.path(key)
        return path.stat().st_size if path.is_file() else None

    def stored_at(self, key: str) -> datetime | None:
        path = self.path(key)
        if not path.is_file():
            return None
        return datetime.fromtimestamp(path.stat().st_mtime_ns / 1e9, UTC)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self, prefix: str) -> list[str]:
        base = self.root / check_key(prefix.rstrip("/"))
        if not base.is_dir():
            return []
        return sorted(
            str(p.relative_to(self.root))
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )

    def chunks(self, key: str) -> Iterator[bytes]:
        with self.path(key).open("rb") as f:
            while block := f.read(CHUNK):
                yield block


class DatabaseStorage:
    name = "database"

    def write(self, key: str, data: bytes) -> None:
        values = {
            "key": check_key(key),
            "data": data,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "stored_at": datetime.now(UTC),
        }
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(StoredFile).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[StoredFile.key],
            set_={k: stmt.excluded[k] for k in ("data", "size", "sha256", "stored_at")},
        )
        db.session.execute(stmt)

    def read(self, key: str) -> bytes:
        data = db.session.scalar(select(StoredFile.data).where(StoredFile.key == check_key(key)))
        if data is None:
            raise FileNotFoundError(key)
        return bytes(data)

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def size(self, key: str) -> int | None:
        return db.session.scalar(select(StoredFile.size).where(StoredFile.key == check_key(key)))

    def stored_at(self, key: str) -> datetime | None:
        return db.session.scalar(
            select(StoredFile.stored_at).where(StoredFile.key == check_key(key))
        )

    def delete(self, key: str) -> None:
        db.session.execute(sa.delete(StoredFile).where(StoredFile.key == check_key(key)))

    def keys(self, prefix: str) -> list[str]:
        prefix = check_key(prefix.rstrip("/")) + "/"
        return list(
            db.session.scalars(
                select(StoredFile.key)
                .where(func.substr(StoredFile.key, 1, len(prefix)) == prefix)
                .order_by(StoredFile.key)
            )
        )

    def chunks(self, key: str) -> Iterator[bytes]:
        """The bytes in CHUNK-sized pieces, one query each: a 20 MB file never sits whole in
        a web worker's memory."""
        size = self.size(key)
        if size is None:
            raise FileNotFoundError(key)
        for start in range(0, size, CHUNK):
            block = db.session.scalar(
                select(func.substr(StoredFile.data, start + 1, CHUNK)).where(StoredFile.key == key)
            )
            yield bytes(block or b"")


def backend_name(app=None) -> str:  # noqa: ANN001
    """The configured backend: ``STORAGE``, else database with PostgreSQL, folder otherwise."""
    app = app or current_app
    name = (app.config.get("STORAGE") or "").strip().lower()
    if not name:
        uri = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
        name = "database" if uri.startswith("postgresql") else "folder"
    if name not in BACKENDS:
        raise StorageError(f"KEHOACH_STORAGE={name!r} không hợp lệ: chọn “database” hoặc “folder”.")
    return name


def files_dir(app=None) -> Path:  # noqa: ANN001
    app = app or current_app
    return Path(app.config.get("FILES_DIR") or Path(app.instance_path) / "files")


def backend() -> Storage:
    if backend_name() == "database":
        return DatabaseStorage()
    root = files_dir()
    root.mkdir(parents=True, exist_ok=True)
    return FolderStorage(root)


def write(key: str, data: bytes) -> None:
    """Store ``data`` under ``key`` (replacing it). With the database backend the write is part
    of the current transaction: the caller commits."""
    backend().write(key, data)


def read(key: str) -> bytes:
    """The bytes under ``key``; FileNotFoundError if there are none."""
    return backend().read(key)


def exists(key: str | None) -> bool:
    return bool(key) and backend().exists(key)  # type: ignore[arg-type]


def stored_at(key: str) -> datetime | None:
    return backend().stored_at(key)


def delete(key: str) -> None:
    backend().delete(key)


def keys(prefix: str) -> list[str]:
    """Every key under the folder-like ``prefix`` (``documents/7``), sorted."""
    return backend().keys(prefix)


def download(key: str, download_name: str) -> Response:
    """A streamed attachment response for ``key``; FileNotFoundError if it is missing."""
    store = backend()
    if isinstance(store, FolderStorage):
        if not store.exists(key):
            raise FileNotFoundError(key)
        return send_file(store.path(key), as_attachment=True, download_name=download_name)
    size = store.size(key)
    if size is None:
        raise FileNotFoundError(key)
    mimetype = mimetypes.guess_type(download_name)[0] or "application/octet-stream"
    resp = Response(stream_with_context(store.chunks(key)), mimetype=mimetype)
    resp.headers["Content-Length"] = str(size)
    try:
        download_name.encode("ascii")
        names = {"filename": download_name}
    except UnicodeEncodeError:  # as send_file does: an ASCII fallback and the UTF-8 name
        simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode()
        names = {"filename": simple, "filename*": "UTF-8''" + quote(download_name, safe="")}
    resp.headers.set("Content-Disposition", "attachment", **names)
    return resp


def open_bytes(key: str) -> io.BytesIO:
    return io.BytesIO(read(key))
