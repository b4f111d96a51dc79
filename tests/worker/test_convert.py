"""The PDF converter on unoserver: one per process under the installation's folder, restarted
when it dies, gone when its process stops or is killed. Real LibreOffice, no mocks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from tests.documents import samples
from worker import convert
from worker.contexts import plan_context
from worker.render import render_docx

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def _docx() -> bytes:
    ctx = plan_context(samples.TRA_VINH, samples.AGENCIES, 5, date(2024, 11, 5))
    return render_docx(TEMPLATES / "plan.docx", ctx)


def _processes_using(folder: Path) -> list[str]:
    """Live processes whose command line names ``folder`` (the converter's profile)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().split(") ", 1)[1][:1]
        except OSError:
            continue
        if str(folder) in args and state != "Z":
            found.append(f"{proc.name} {args[:200]}")
    return found


def _wait_gone(folder: Path, seconds: float = 15) -> list[str]:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        left = _processes_using(folder)
        if not left:
            return []
        time.sleep(0.3)
    return _processes_using(folder)


def test_own_converter_restarted_when_it_dies_and_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("KEHOACH_CONVERT_DIR", str(tmp_path / "convert"))
    conv = convert.Converter()
    try:
        conv.start()
        folder = conv.folder
        assert folder is not None and folder.parent == tmp_path / "convert"
        assert (folder / "profile").is_dir()  # its own LibreOffice profile, not /tmp shared
        assert conv.convert(_docx()).startswith(b"%PDF")
        other = convert.Converter()
        assert other.port != conv.port or other.proc is None
        os.killpg(conv.proc.pid, signal.SIGKILL)  # LibreOffice and the server die
        conv.proc.wait()
        assert not conv.alive()
        conv.ensure()  # restarted on new ports
        assert conv.alive() and conv.folder != folder
        assert conv.convert(_docx()).startswith(b"%PDF")
        assert _wait_gone(folder) == []
    finally:
        last = conv.folder
        conv.stop()
    assert _wait_gone(last) == [] and not last.exists()


def test_converter_dies_with_a_killed_owner(tmp_path):
    """A worker killed with SIGKILL takes its converter and its LibreOffice with it."""
    folder = tmp_path / "convert"
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from worker import convert; c = convert.converter(); "
            "print(c.folder, flush=True); time.sleep(600)",
        ],
        cwd=ROOT,
        env={**os.environ, "KEHOACH_CONVERT_DIR": str(folder)},
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        line = owner.stdout.readline().decode().strip()
        assert line.startswith(str(folder)), line
        assert _processes_using(Path(line))  # the server and LibreOffice run
    finally:
        os.killpg(owner.pid, signal.SIGKILL)  # only the owner's group: not the converter's
        owner.wait()
    assert _wait_gone(Path(line)) == []


def test_docx_to_pdf_logs_the_time(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("KEHOACH_CONVERT_DIR", str(tmp_path / "convert"))
    convert.stop()
    try:
        with caplog.at_level("INFO", logger="worker.convert"):
            assert convert.docx_to_pdf(_docx()).startswith(b"%PDF")
        assert any("PDF:" in r.getMessage() and " s " in r.getMessage() for r in caplog.records)
    finally:
        convert.stop()
