""".docx → PDF through unoserver (PyPI ``unoserver``): one warm LibreOffice per process.

Each process that converts (an RQ worker, a test run, the benchmark) owns ONE converter: a
``unoserver`` server run under Debian's ``/usr/bin/python3`` (it needs the apt package
``python3-uno``), listening on 127.0.0.1 on ports picked free for it, with its LibreOffice
profile under the installation's folder (``KEHOACH_CONVERT_DIR``, default
``<instance>/convert/<pid>-<port>``), so two checkouts or two workers never share one. The RQ
worker starts it before its first job and stops it when it stops; before each job it checks the
converter and restarts it if it died (``KehoachWorker.execute_job``, worker/__main__.py); the
forked work-horse converts through it. Anywhere else the first conversion starts it and the
process's exit stops it. Each conversion's time is logged.

Without ``soffice`` every call raises :class:`LibreOfficeMissing` — nothing is skipped. Without
``python3-uno`` (or when the server cannot start) one ``soffice --convert-to pdf`` per document
is used instead (slow, logged).
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import unoserver
from unoserver.client import UnoClient

log = logging.getLogger(__name__)

UNO_PYTHON = os.environ.get("KEHOACH_UNO_PYTHON", "/usr/bin/python3")
START_TIMEOUT = 90.0
CONVERSION_TIMEOUT = 120  # s; the server kills a LibreOffice stuck longer on one document
# A document whose text (word/document.xml) is larger than this — the consolidated report of
# thousands of agencies, 40 MB at 10,000 — takes LibreOffice longer than CONVERSION_TIMEOUT: it
# is converted by a soffice process of its own with LARGE_TIMEOUT, and the warm converter keeps
# serving the other documents with its guard against a stuck LibreOffice.
LARGE_XML = 10_000_000  # bytes (4 MB at 1,000 agencies: 15-25 s on a loaded 2-core machine)
LARGE_TIMEOUT = 3600.0  # s
_lock = threading.Lock()
# unoserver's own main, plus a watchdog: when the process that started it is gone (a worker
# killed with SIGKILL), the converter's whole process group (its LibreOffice too) goes with it.
SERVER_SCRIPT = """
import os, signal, sys, threading, time
owner = os.getppid()
def watch():
    while os.getppid() == owner:
        time.sleep(1)
    os.killpg(0, signal.SIGKILL)
threading.Thread(target=watch, daemon=True).start()
from unoserver.server import main
sys.exit(main())
"""


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


def run_root() -> Path:
    """Where converters keep their profiles: ``KEHOACH_CONVERT_DIR``, else the instance folder."""
    configured = os.environ.get("KEHOACH_CONVERT_DIR")
    if configured:
        return Path(configured)
    from app.config import instance_path_default

    return Path(instance_path_default()) / "convert"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class Converter:
    """One unoserver and its LibreOffice, owned by the process that started it."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or run_root()
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.owner = 0  # pid of the process that started it
        self.folder: Path | None = None

    # -- life ----------------------------------------------------------------------------------

    def alive(self) -> bool:
        if self.proc is None or not self.port:
            return False
        if self.owner == os.getpid() and self.proc.poll() is not None:
            return False
        return _listening(self.port)

    def start(self) -> None:
        """Start the server (its LibreOffice answers before this returns)."""
        self.stop()
        self.port, uno_port = _free_port(), _free_port()
        self.folder = self.root / f"{os.getpid()}-{self.port}"
        pylib = self.folder / "pylib"
        pylib.mkdir(parents=True, exist_ok=True)
        # the server runs under the system Python (python3-uno); it sees only unoserver
        package = Path(unoserver.__file__).parent
        for source in (package, *package.parent.glob("unoserver-*.dist-info")):
            link = pylib / source.name  # the package and its metadata (it reads its version)
            if not link.exists():
                link.symlink_to(source)
        env = {**os.environ, "PYTHONPATH": str(pylib)}
        log_file = open(self.folder / "unoserver.log", "ab")  # noqa: SIM115
        began = time.monotonic()
        self.proc = subprocess.Popen(
            [
                UNO_PYTHON,
                "-c",
                SERVER_SCRIPT,
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--uno-interface",
                "127.0.0.1",
                "--uno-port",
                str(uno_port),
                "--user-installation",
                str(self.folder / "profile"),
                "--executable",
                _soffice(),
                "--conversion-timeout",
                str(CONVERSION_TIMEOUT),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            env=env,
            start_new_session=True,  # its LibreOffice is in its group: stopped together
        )
        log_file.close()
        self.owner = os.getpid()
        deadline = began + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if _listening(self.port):
                try:
                    UnoClient(port=str(self.port))._connect(_proxy(self.port), retries=1)
                    log.info(
                        "unoserver on 127.0.0.1:%s ready in %.1f s (%s)",
                        self.port,
                        time.monotonic() - began,
                        self.folder,
                    )
                    return
                except (OSError, ConnectionError):
                    pass
            time.sleep(0.2)
        self.stop()
        raise ConversionError("Không khởi động được LibreOffice (unoserver) để chuyển sang PDF")

    def stop(self) -> None:
        """Stop the server and its LibreOffice (only if this process started them)."""
        proc, self.proc = self.proc, None
        if proc is not None and self.owner == os.getpid():
            try:  # unoserver does not always stop LibreOffice on SIGTERM: then SIGKILL
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=3)
            except (ProcessLookupError, PermissionError):
                pass
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=5)
            try:  # what is left of its group (LibreOffice after the server exited)
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)
        self.port = 0

    def ensure(self) -> None:
        """Running, or started again (a dead one is restarted). A forked work-horse does not
        restart its worker's converter (it would outlive the job): it raises, the document is
        converted cold, and the worker restarts the converter before the next job."""
        if self.alive():
            return
        if self.proc is not None and self.owner != os.getpid():
            raise ConversionError("Bộ chuyển PDF của tiến trình xử lý đã dừng")
        if self.proc is not None:
            log.warning("unoserver on port %s died; restarting it", self.port)
        self.start()

    # -- work ----------------------------------------------------------------------------------

    def convert(self, docx: bytes) -> bytes:
        began = time.monotonic()
        pdf = UnoClient(port=str(self.port)).convert(indata=docx, convert_to="pdf")
        if not pdf:
            raise ConversionError("LibreOffice không tạo ra tệp PDF")
        log.info(
            "PDF: %d bytes from %d bytes of .docx in %.3f s (unoserver :%s)",
            len(pdf),
            len(docx),
            time.monotonic() - began,
            self.port,
        )
        return bytes(pdf)


def _proxy(port: int):  # noqa: ANN202
    from xmlrpc.client import ServerProxy

    return ServerProxy(f"http://127.0.0.1:{port}", allow_none=True)


_converter: Converter | None = None
_uno: bool | None = None


def converter() -> Converter | None:
    """This process's converter, started if needed; None without python3-uno."""
    global _converter, _uno
    _soffice()
    if _uno is None:
        _uno = _has_uno()
    if not _uno:
        return None
    with _lock:
        if _converter is None:
            _converter = Converter()
            atexit.register(stop)
        _converter.ensure()
        return _converter


def stop() -> None:
    """Stop this process's converter (worker shutdown, process exit)."""
    global _converter
    with _lock:
        if _converter is not None:
            _converter.stop()
            _converter = None


def _convert_cold(docx: bytes, timeout: float) -> bytes:
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kehoach-pdf-") as tmp:
        src = Path(tmp) / "document.docx"
        src.write_bytes(docx)
        try:
            subprocess.run(
                [
                    _soffice(),
                    "--headless",
                    "--norestore",
                    f"-env:UserInstallation=file://{tmp}/profile",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    tmp,
                    str(src),
                ],
                capture_output=True,
                timeout=timeout,
                check=True,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            raise ConversionError(f"LibreOffice không chuyển được văn bản sang PDF: {e}") from e
        dst = Path(tmp) / "document.pdf"
        if not dst.exists() or dst.stat().st_size == 0:
            raise ConversionError("LibreOffice không tạo ra tệp PDF")
        log.warning(
            "PDF by a fresh soffice process (no warm converter) in %.3f s",
            time.monotonic() - began,
        )
        return dst.read_bytes()


def is_large(docx: bytes) -> bool:
    """Whether the document's text is beyond what the warm converter's timeout allows."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as z:
            return z.getinfo("word/document.xml").file_size > LARGE_XML
    except (zipfile.BadZipFile, KeyError):
        return False


def docx_to_pdf(docx: bytes, timeout: float = 120.0) -> bytes:
    """Convert .docx bytes to PDF bytes with this process's warm converter (see module doc); a
    large document (:func:`is_large`) by a soffice process of its own, with a long timeout."""
    if is_large(docx):
        log.info("large document (%d kB): its own soffice process", len(docx) // 1024)
        return _convert_cold(docx, max(timeout, LARGE_TIMEOUT))
    try:
        conv = converter()
    except ConversionError as exc:
        log.warning("no warm converter (%s): one soffice process for this document", exc)
        conv = None
    if conv is None:
        return _convert_cold(docx, timeout)
    try:
        return conv.convert(docx)
    except (OSError, ConnectionError) as exc:  # died mid-way: once more on a fresh one
        log.warning("unoserver failed (%s); restarting it", exc)
        try:
            with _lock:
                conv.ensure()
        except ConversionError:
            return _convert_cold(docx, timeout)
        return conv.convert(docx)
    except ConversionError:
        raise
    except Exception as exc:  # xmlrpc Fault: LibreOffice could not read or write it
        raise ConversionError(f"LibreOffice báo lỗi: {exc}") from exc
