"""Is this deployment able to serve? The checks behind ``GET /ready`` and ``kehoach doctor``.

Each check answers with a :class:`Check`: ``ok``, a short Vietnamese ``detail`` that says what is
wrong and what to do, and ``fatal`` (a readiness failure) or not (a warning). Secrets (passwords
in URLs) never appear in a detail.

The converter runs inside each RQ worker (one LibreOffice per worker); a worker reports whether
its converter started in Redis (:func:`report_converter`), so a web host without LibreOffice can
still tell whether documents will be converted.
"""

from __future__ import annotations

import ast
import functools
import json
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from app.config import MIGRATIONS_DIR, Config
from app.extensions import db
from app.services import storage

CONVERTER_KEY = "kehoach:converter:{queue}"
CONVERTER_TTL = 24 * 3600


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fatal: bool = True
    data: dict = field(default_factory=dict)


def safe_url(url: str | None) -> str:
    """A database or Redis URL with its password masked."""
    if not url:
        return ""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - redis:// and unix:// URLs
        if "@" in url and "://" in url:
            scheme, rest = url.split("://", 1)
            return f"{scheme}://***@{rest.split('@', 1)[1]}"
        return url


def default_secret(app=None) -> bool:  # noqa: ANN001
    key = (app or current_app).config.get("SECRET_KEY")
    return not key or key == Config.SECRET_KEY or len(str(key)) < 16


def check_secret_key() -> Check:
    if default_secret():
        return Check(
            "secret_key",
            False,
            "KEHOACH_SECRET_KEY chưa đặt hoặc đang là khóa mặc định (hay ngắn hơn 16 ký tự): "
            "ai cũng có thể giả phiên đăng nhập. Đặt một khóa ngẫu nhiên, ví dụ: python3 -c "
            "'import secrets; print(secrets.token_hex(32))', giống nhau trên mọi máy chủ web.",
        )
    return Check("secret_key", True, "Khóa bí mật đã đặt.")


def check_database() -> Check:
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        db.session.execute(select(1))
    except Exception as exc:  # noqa: BLE001
        db.session.rollback()
        return Check(
            "database",
            False,
            f"Không kết nối được cơ sở dữ liệu {safe_url(url)}: {type(exc).__name__}. "
            "Kiểm tra DATABASE_URL và dịch vụ PostgreSQL.",
        )
    kind = db.engine.dialect.name
    if kind == "sqlite":
        return Check(
            "database",
            True,
            "SQLite (bản nhúng, một máy): dùng PostgreSQL (DATABASE_URL) khi có nhiều máy chủ "
            "hoặc nhiều người dùng đồng thời.",
            data={"dialect": kind},
        )
    return Check("database", True, f"Kết nối được {safe_url(url)}.", data={"dialect": kind})


@functools.cache
def migration_heads(directory: Path = MIGRATIONS_DIR) -> frozenset[str]:
    """The newest revisions of the migrations (Alembic's heads): every ``revision`` that no
    migration names as its ``down_revision``. Read from the files themselves, without Alembic,
    which a web process does not load (``tests/test_migrations.py`` compares with Alembic's)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((directory / "versions").glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value: ast.expr | None = None
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                name, value = node.targets[0].id, node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                name, value = node.target.id, node.value
            if value is None:
                continue
            if name == "revision":
                revisions.add(ast.literal_eval(value))
            elif name == "down_revision":
                down = ast.literal_eval(value)
                parents.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)


def check_migrated() -> Check:
    try:
        current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except Exception:  # noqa: BLE001
        db.session.rollback()
        return Check(
            "migrations",
            False,
            "Cơ sở dữ liệu chưa có lược đồ (bảng alembic_version): chạy “kehoach init-db”.",
        )
    heads = set(migration_heads())
    if current != heads:
        return Check(
            "migrations",
            False,
            f"Lược đồ cơ sở dữ liệu chưa cập nhật (đang ở {', '.join(sorted(current)) or 'trống'}, "
            f"bản mới nhất {', '.join(sorted(heads))}): chạy “kehoach init-db”.",
        )
    return Check("migrations", True, f"Lược đồ mới nhất ({', '.join(sorted(heads))}).")


def redis_connection():  # noqa: ANN201
    from redis import Redis

    url = current_app.config.get("REDIS_URL")
    return Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3) if url else None


def check_redis() -> Check:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return Check(
            "redis",
            False,
            "Chưa cấu hình REDIS_URL: văn bản, nhắc hạn và thư sẽ không được xử lý.",
        )
    try:
        conn = redis_connection()
        assert conn is not None
        conn.ping()
    except Exception as exc:  # noqa: BLE001
        return Check(
            "redis",
            False,
            f"Không kết nối được Redis {safe_url(url)}: {type(exc).__name__}. "
            "Kiểm tra REDIS_URL và dịch vụ redis-server.",
        )
    return Check("redis", True, f"Kết nối được {safe_url(url)}.")


def live_workers() -> list:
    from rq import Queue, Worker

    conn = redis_connection()
    if conn is None:
        return []
    queue = Queue(current_app.config["RQ_QUEUE"], connection=conn)
    return [w for w in Worker.all(queue=queue) if w.state != "suspended"]


def check_workers() -> Check:
    try:
        workers = live_workers()
    except Exception as exc:  # noqa: BLE001
        return Check("workers", False, f"Không đọc được danh sách worker: {type(exc).__name__}.")
    queue = current_app.config["RQ_QUEUE"]
    if not workers:
        return Check(
            "workers",
            False,
            f"Không có worker nào nhận việc ở hàng đợi “{queue}”: văn bản sẽ không được tạo. "
            "Khởi động “python -m worker” (hoặc kehoach-worker@1).",
        )
    return Check(
        "workers",
        True,
        f"{len(workers)} worker đang nhận việc ở hàng đợi “{queue}”.",
        data={"count": len(workers), "names": sorted(w.name for w in workers)},
    )


def report_converter(conn, queue: str, worker_name: str, ok: bool, detail: str) -> None:  # noqa: ANN001
    """Called by a worker once its converter started (or failed to)."""
    key = CONVERTER_KEY.format(queue=queue)
    conn.hset(key, worker_name, json.dumps({"ok": ok, "detail": detail, "at": time.time()}))
    conn.expire(key, CONVERTER_TTL)


def check_converter() -> Check:
    """At least one live worker has a working converter (as it reported at start)."""
    queue = current_app.config["RQ_QUEUE"]
    try:
        conn = redis_connection()
        if conn is None:
            raise RuntimeError("no redis")
        reports = conn.hgetall(CONVERTER_KEY.format(queue=queue))
        names = {w.name for w in live_workers()}
    except Exception as exc:  # noqa: BLE001
        return Check(
            "converter", False, f"Không kiểm tra được bộ chuyển PDF: {type(exc).__name__}."
        )
    states = {k.decode(): json.loads(v) for k, v in reports.items() if k.decode() in names}
    good = sorted(n for n, s in states.items() if s.get("ok"))
    if good:
        return Check(
            "converter",
            True,
            f"LibreOffice sẵn sàng ở {len(good)}/{len(names)} worker.",
            data={"workers": good},
        )
    problems = "; ".join(s.get("detail", "") for s in states.values()) or (
        "chưa worker nào báo trạng thái"
    )
    return Check(
        "converter",
        False,
        f"Không worker nào chuyển được văn bản sang PDF ({problems}). Cài "
        "libreoffice-writer-nogui python3-uno fonts-liberation2 trên máy chạy worker.",
    )


def check_local_libreoffice() -> Check:
    """LibreOffice on this host (a worker host needs it; a web-only host does not)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return Check(
            "libreoffice",
            False,
            "Máy này không có LibreOffice (soffice): worker chạy ở đây không chuyển được PDF. "
            "Cài: apt-get install libreoffice-writer-nogui python3-uno fonts-liberation2.",
            fatal=False,
        )
    try:
        uno = (
            subprocess.run(
                ["/usr/bin/python3", "-c", "import uno"], capture_output=True, timeout=30
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        uno = False
    if not uno:
        return Check(
            "libreoffice",
            False,
            f"Có {soffice} nhưng thiếu python3-uno: mỗi văn bản sẽ khởi động LibreOffice riêng "
            "(rất chậm). Cài: apt-get install python3-uno.",
            fatal=False,
        )
    return Check("libreoffice", True, f"Có LibreOffice ({soffice}) và python3-uno.")


def check_storage() -> Check:
    try:
        name = storage.backend_name()
    except storage.StorageError as exc:
        return Check("storage", False, str(exc))
    probe = "health/probe"
    try:
        with db.session.begin_nested():
            storage.write(probe, b"ok")
            ok = storage.read(probe) == b"ok"
            storage.delete(probe)
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001
        db.session.rollback()
        return Check(
            "storage",
            False,
            f"Không ghi/đọc được kho lưu trữ “{name}”: {type(exc).__name__}: {exc}",
        )
    if not ok:
        return Check("storage", False, f"Kho lưu trữ “{name}” đọc lại sai dữ liệu.")
    if name == "folder":
        multi = not str(current_app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")
        where = Path(storage.files_dir()).resolve()
        return Check(
            "storage",
            True,
            f"Tệp lưu trong thư mục {where}"
            + (
                ": mọi máy chủ web và worker phải cùng gắn thư mục này (NFS…), nếu không hãy "
                "dùng KEHOACH_STORAGE=database."
                if multi
                else "."
            ),
            fatal=False,
        )
    return Check("storage", True, "Tệp lưu trong cơ sở dữ liệu (bảng stored_file).")


def readiness() -> list[Check]:
    """What ``/ready`` checks: database and schema, Redis, workers and their converter."""
    checks = [check_database()]
    if checks[0].ok:
        checks.append(check_migrated())
    checks.append(check_redis())
    if checks[-1].ok:
        checks += [check_workers(), check_converter()]
    return checks


def doctor(before_start: bool = False) -> list[Check]:
    """Everything ``kehoach doctor`` checks. ``before_start``: the workers are not running yet,
    so they and their converter are not asked for."""
    checks = [check_secret_key(), check_database()]
    if checks[-1].ok:
        checks += [check_migrated(), check_storage()]
    checks.append(check_redis())
    if checks[-1].ok and not before_start:
        checks += [check_workers(), check_converter()]
    checks.append(check_local_libreoffice())
    if not current_app.config.get("SESSION_COOKIE_SECURE"):
        checks.append(
            Check(
                "https",
                False,
                "KEHOACH_SESSION_COOKIE_SECURE chưa bật: sau HTTPS hãy đặt "
                "KEHOACH_SESSION_COOKIE_SECURE=true để cookie phiên chỉ đi qua HTTPS.",
                fatal=False,
            )
        )
    return checks
