"""`kehoach serve` (the first README command) stops cleanly on Ctrl-C: web server, then the
worker, then the embedded Redis, with no traceback; the logins stay readable (logs in files)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return (
        Path(f"/proc/{pid}").exists()
        and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    )


def test_ctrl_c_stops_web_worker_and_redis_in_order(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env["KEHOACH_INSTANCE"] = str(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.5)
        else:
            raise AssertionError("kehoach serve did not answer")
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 2  # the worker and the embedded Redis
        time.sleep(2)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    stops = ["Đang dừng máy chủ web", "Đang dừng bộ xử lý nền", "Đang dừng Redis nhúng"]
    missing = [s for s in stops if s not in out]
    log = tmp_path / "worker.log"
    assert not missing, (out, log.read_text()[-3000:] if log.exists() else "")
    positions = [out.index(s) for s in stops]
    assert positions == sorted(positions), out
    assert out.rstrip().endswith("Đã dừng kehoach.")
    assert "Tài khoản mẫu" in out and "Chuyên viên – Công an tỉnh" in out
    # the worker's log and the web server's (its request lines too) went to their files, not
    # over the logins
    assert "Worker" not in out.split("Tài khoản mẫu")[1]
    assert (tmp_path / "worker.log").exists()
    assert "/auth/login" not in out, out
    assert '"route": "/auth/login"' in (tmp_path / "web.log").read_text()
    for pid in children:
        assert not _alive(int(pid)), pid
