"""A worker whose LibreOffice could not start (a busy machine, a package still installing) tells
the readiness check so, keeps taking jobs, tries the converter again at its next maintenance run,
and the check says it is ready as soon as it is: an operator reading /ready is never told a
worker's converter is down for the rest of its life, nor that it works when it does not.

The worker is the real one (``kehoach worker``) on the real Redis; the converter's LibreOffice
is the real one behind a ``soffice`` on PATH that refuses to start while a flag file exists."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time

import pytest
from redis import Redis

from app.services import health
from tests.conftest import REDIS_TEST_URL, ROOT, postgresql_only

REAL_SOFFICE = "/usr/bin/soffice"


@postgresql_only
def test_a_converter_that_failed_to_start_is_retried_and_reported(app, tmp_path) -> None:  # noqa: ANN001
    queue = f"kh-conv-{os.getpid()}-{secrets.token_hex(4)}"
    app.config.update(REDIS_URL=REDIS_TEST_URL, RQ_QUEUE=queue)
    flag = tmp_path / "not-installed-yet"
    flag.touch()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "soffice"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'if [ -e "{flag}" ]; then echo "soffice: chưa cài xong" >&2; exit 1; fi\n'
        f'exec {REAL_SOFFICE} "$@"\n'
    )
    wrapper.chmod(0o755)
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": REDIS_TEST_URL,
        "KEHOACH_RQ_QUEUE": queue,
        "KEHOACH_WORKER_MAINTENANCE_INTERVAL": "2",
        "KEHOACH_INSTANCE": tempfile.mkdtemp(prefix="kh-worker-"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("KEHOACH_CONVERT_DIR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def wait_for(cond, timeout: float, what: str):  # noqa: ANN001, ANN202
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            got = cond()
            if got:
                return got
            time.sleep(0.5)
        pytest.fail(f"{what} (sau {timeout} s)\n{log.read_text(errors='replace')[-3000:]}")

    try:
        # the worker takes jobs (documents are converted cold meanwhile), its converter is down
        wait_for(lambda: health.check_workers().ok, 150, "the worker never started")
        down = health.check_converter()
        assert not down.ok
        assert down.detail.startswith("Không worker nào chuyển được văn bản sang PDF (")
        assert "python3-uno" in down.detail  # it tells the operator what to install
        assert "chưa worker nào báo trạng thái" not in down.detail  # the worker did report

        flag.unlink()  # LibreOffice now starts
        up = wait_for(
            lambda: (c := health.check_converter()).ok and c,
            150,
            "the worker never reported its converter once LibreOffice could start",
        )
        assert up.detail == "LibreOffice sẵn sàng ở 1/1 worker."
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        conn = Redis.from_url(REDIS_TEST_URL)
        keys = list(conn.scan_iter(f"*{queue}*"))
        if keys:
            conn.delete(*keys)
        app.config["REDIS_URL"] = None
