""".docx → PDF with one LibreOffice kept warm.

The first conversion starts ``worker/uno_server.py`` under Debian's ``/usr/bin/python3`` (needs the
apt package ``python3-uno``); it runs one headless ``soffice`` with a private profile
(``-env:UserInstallation=file:///tmp/kehoach-lo-<uid>``) and serves conversions on a Unix socket.
The server is started in its own session, so it outlives a forked RQ job and every later job (or
thread, or process of the same user) reuses it; a file lock keeps two callers from starting two.
Conversions are serialised by the server; soffice is restarted if it dies.

Without ``soffice`` every call raises :class:`LibreOfficeMissing` — nothing is skipped. Without
``python3-uno`` it falls back to one ``soffice --convert-to pdf`` per document (slow, logged).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

SERVER_SCRIPT = Path(__file__).with_name("uno_server.py")
UNO_PYTHON = os.environ.get("KEHOACH_UNO_PYTHON", "/usr/bin/python3")
_RUN_DIR = Path(os.environ.get("KEHOACH_CONVERT_DIR", f"/tmp/kehoach-convert-{os.getuid()}"))
SOCKET = _RUN_DIR / "convert.sock"
PROFILE = _RUN_DIR / "lo-profile"
START_TIMEOUT = 90.0
_lock = threading.Lock()


class ConversionError(RuntimeError):
    """The document could not be converted to PDF."""


class LibreOfficeMissing(ConversionError):
    """LibreOffice is not installed: conversion is impossible, never silently skipped."""


def _soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        raise LibreOfficeMissing(
            "Không tìm thấy LibreOffice (soffice) nên không thể chuyển văn bản sang PDF; "
            "cài đặt: apt-get install libreoffice-writer-nogui python3-uno fonts-liberation2"
        )
    return path


def _has_uno() -> bool:
    try:
        return (
            subprocess.run(
                [UNO_PYTHON, "-c", "import uno"], capture_output=True, timeout=30
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def _request(payload: dict, timeout: float) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(SOCKET))
        s.sendall((json.dumps(payload) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    if not data:
        raise ConversionError("Máy chủ chuyển đổi LibreOffice ngắt kết nối")
    return json.loads(data)


def _server_up() -> bool:
    if not SOCKET.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect(str(SOCKET))
        return True
    except OSError:
        return False


def ensure_server() -> bool:
    """Start the warm converter if it is not running; False if python3-uno is unavailable."""
    _soffice()
    if _server_up():
        return True
    if not _has_uno():
        return False
    _RUN_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _lock, open(_RUN_DIR / "start.lock", "w") as lockfile:
        fcntl.flock(lockfile, fcntl.LOCK_EX)
        if _server_up():
            return True
        proc = subprocess.Popen(
            [UNO_PYTHON, str(SERVER_SCRIPT), str(SOCKET), str(PROFILE)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        (_RUN_DIR / "server.pid").write_text(str(proc.pid))
        deadline = time.monotonic() + START_TIMEOUT
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "ready" once soffice answers over UNO
        if line.strip() != b"ready":
            proc.kill()
            raise ConversionError("Không khởi động được LibreOffice để chuyển sang PDF")
        proc.stdout.close()
        while not _server_up():
            if time.monotonic() > deadline:
                raise ConversionError("LibreOffice không phản hồi")
            time.sleep(0.05)
    return True


def stop_server() -> None:
    """Stop the warm converter (and its soffice) if it runs."""
    if _server_up():
        try:
            _request({"stop": True}, timeout=30)
        except (OSError, ConversionError):
            pass
    for _ in range(100):
        if not SOCKET.exists():
            break
        time.sleep(0.05)


def _convert_cold(src: Path, out_dir: Path, timeout: float) -> None:
    log.warning("python3-uno không có: chuyển PDF bằng một tiến trình soffice mới (chậm)")
    profile = Path(tempfile.mkdtemp(prefix="kehoach-lo-cold-"))
    try:
        subprocess.run(
            [
                _soffice(),
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{profile}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(src),
            ],
            capture_output=True,
            timeout=timeout,
            check=True,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        raise ConversionError(f"LibreOffice không chuyển được văn bản sang PDF: {e}") from e
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def docx_to_pdf(docx: bytes, timeout: float = 120.0) -> bytes:
    """Convert .docx bytes to PDF bytes with the warm LibreOffice (see module doc)."""
    warm = ensure_server()
    with tempfile.TemporaryDirectory(prefix="kehoach-pdf-") as tmp:
        src, dst = Path(tmp) / "document.docx", Path(tmp) / "document.pdf"
        src.write_bytes(docx)
        if warm:
            try:
                answer = _request({"in": str(src), "out": str(dst)}, timeout)
            except OSError:  # the server died between the check and the request: once more
                ensure_server()
                answer = _request({"in": str(src), "out": str(dst)}, timeout)
            if not answer.get("ok"):
                raise ConversionError(f"LibreOffice báo lỗi: {answer.get('error')}")
        else:
            _convert_cold(src, Path(tmp), timeout)
        if not dst.exists() or dst.stat().st_size == 0:
            raise ConversionError("LibreOffice không tạo ra tệp PDF")
        return dst.read_bytes()
