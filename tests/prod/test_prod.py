"""The production command (scripts/prod.sh: honcho → gunicorn + 2 RQ workers, each with its own
converter) against this machine's PostgreSQL and Redis, in a private database and queue on a free
port. The web process and the workers get different instance folders and share only PostgreSQL
and Redis. One report goes from submission to a released consolidated report through HTTP, the
document is downloaded, and everything stops with no process left behind."""

from __future__ import annotations

import io
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from docx import Document as Docx

from tests.conftest import PG_ADMIN_URL, REDIS_TEST_URL, ROOT
from tests.prod.browserless import User

pytestmark = pytest.mark.libreoffice


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ours(marker: str) -> list[int]:
    """Processes whose environment carries ``marker`` (everything the command started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.fixture
def database() -> str:
    name = f"kehoach_prod_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg", database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_production_command_end_to_end(database, tmp_path) -> None:  # noqa: ANN001, PLR0915
    port = _free_port()
    marker = f"kehoach-prod-{secrets.token_hex(4)}"
    queue = marker
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KEHOACH_")},
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_TEST_URL,
        "KEHOACH_RQ_QUEUE": queue,
        "KEHOACH_SECRET_KEY": secrets.token_hex(32),
        "KEHOACH_INSTANCE": str(tmp_path / "instance"),
        "KEHOACH_SKIP_SETUP": "1",
        "KEHOACH_PROD_TEST_MARKER": marker,
        "WEB_CONCURRENCY": "2",
        "TMPDIR": str(tmp_path),
    }
    env.pop("KEHOACH_CONVERT_DIR", None)
    # the demo data first (one command, as an operator would load it)
    subprocess.run(
        [str(ROOT / ".venv/bin/kehoach"), "init-db"], env=env, cwd=ROOT, check=True, timeout=120
    )
    subprocess.run(
        [str(ROOT / ".venv/bin/kehoach"), "demo"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,
        capture_output=True,
    )
    log = open(tmp_path / "prod.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        ["bash", str(ROOT / "scripts/prod.sh"), "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        ready = None
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "prod.log").read_text()[-3000:]
            try:
                ready = requests.get(base + "/ready", timeout=30)
                # ready as soon as one worker takes jobs; this test waits for both of them
                checks = ready.json().get("checks", {}) if ready.status_code == 200 else {}
                if "2 worker" in checks.get("workers", {}).get("detail", "") and (
                    "2/2 worker" in checks.get("converter", {}).get("detail", "")
                ):
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        assert ready is not None and ready.status_code == 200, (
            ready.text if ready is not None else "",
            (tmp_path / "prod.log").read_text()[-3000:],
        )
        checks = ready.json()["checks"]
        assert checks["workers"]["ok"] and "2 worker" in checks["workers"]["detail"]
        assert checks["converter"]["ok"] and "2/2 worker" in checks["converter"]["detail"], (
            checks,
            (tmp_path / "prod.log").read_text()[-3000:],
        )

        # who is who in the demo data (placed relative to today, see app/demo.py): in the yearly
        # Ninh Thuận plan last year's round is still open past its deadline (so it can be closed)
        # and some agencies have not reported in it yet
        engine = sa.create_engine(database)
        with engine.connect() as conn:
            plan_id, standing = conn.execute(
                sa.text(
                    "SELECT p.id, a.code FROM plan p JOIN agency a ON a.id = p.standing_agency_id "
                    "WHERE p.code = 'ninh-thuan-2023-2028-truyen-thong-nhan-quyen'"
                )
            ).one()
            reporter = conn.execute(
                sa.text(
                    'SELECT u.username, a.code, rp.id AS period_id FROM "user" u '
                    "JOIN agency a ON a.id = u.agency_id "
                    "JOIN assignment s ON s.agency_id = a.id AND s.plan_id = :p "
                    "JOIN reporting_period rp ON rp.plan_id = :p AND rp.status = 'open' "
                    "AND rp.due_on < CURRENT_DATE "
                    "WHERE u.username LIKE 'baocao.%' AND NOT EXISTS (SELECT 1 FROM report r "
                    "WHERE r.agency_id = u.agency_id AND r.period_id = rp.id) "
                    "ORDER BY rp.id, u.id LIMIT 1"
                ),
                {"p": plan_id},
            ).one()
        engine.dispose()
        period_id = reporter.period_id
        password = "kehoach-demo"
        agency = reporter.code.lower()
        standing = standing.lower()

        user = User(base)
        # the agency's reporter submits, its leader approves
        user.login(reporter.username, password)
        user.get("/inbox")
        user.press("Bắt đầu báo cáo", action=f"/periods/{period_id}/start")
        assert "/reports/" in user.url and user.url.endswith("/edit")
        report_url = user.url.rsplit("/edit", 1)[0]
        user.press("Trình lãnh đạo", {"has_training": "no", "exhibitions": "4321"})
        user.login(f"lanhdaocq.{agency}", password)
        user.get(report_url)
        user.press("Duyệt và gửi")
        # the standing agency's specialist accepts it, closes the round, consolidates
        user.login(f"chuyenvien.{standing}", password)
        user.get(report_url)
        user.press("Chấp nhận")
        user.get(f"/plans/{plan_id}")
        user.press("Khóa sổ kỳ báo cáo", action=f"/plans/periods/{period_id}/close")
        user.get(f"/periods/{period_id}/consolidation")
        assert "4.321" in user.page or "4321" in user.page
        user.press("Tạo báo cáo tổng hợp")
        doc_url = user.url
        assert "/documents/" in doc_url

        def rendered() -> dict:
            """Wait for a worker to render the current version (signed = reviewed: the leader
            signs the file they can open)."""
            deadline = time.monotonic() + 180
            while True:
                status = user.http.get(doc_url + "/status.json", timeout=30).json()
                if status["state"] == "done" and status["docx"] and status["pdf"]:
                    return status
                assert status["state"] != "failed", status
                assert time.monotonic() < deadline, status
                time.sleep(1)

        rendered()
        user.get(doc_url)
        user.press("Trình ký")
        rendered()
        user.login(f"lanhdao.{standing}", password)
        user.get(doc_url)
        user.press("Ký")
        rendered()
        user.login(f"vanthu.{standing}", password)
        user.get(doc_url)
        page = user.press("Cấp số và phát hành")
        assert "Đã cấp số" in page and "/BC-" in page

        # a worker renders the released version; the web process serves it from PostgreSQL
        rendered()
        docx = user.http.get(doc_url + "/file/docx", timeout=60)
        assert docx.status_code == 200 and docx.content.startswith(b"PK")
        word = Docx(io.BytesIO(docx.content))
        text = "\n".join(p.text for p in word.paragraphs)
        cells = "\n".join(c.text for t in word.tables for r in t.rows for c in r.cells)
        assert "BÁO CÁO" in text and "Số: 01/BC-" in text + cells
        assert "4.321" in cells or "4321" in cells
        pdf = user.http.get(doc_url + "/file/pdf", timeout=60)
        assert pdf.content.startswith(b"%PDF")

        # shared nothing: no generated file on any host's disk, every one in PostgreSQL
        instance = tmp_path / "instance"
        folders = sorted(p.name for p in instance.iterdir())
        assert "web" in folders and len([f for f in folders if f.startswith("worker-")]) == 2
        on_disk = [p for p in instance.rglob("*") if p.suffix in (".docx", ".pdf")]
        assert on_disk == []
        # one JSON line per request in the log, with its user and query count
        lines = [
            json.loads(line.split("| ", 1)[-1])
            for line in (tmp_path / "prod.log").read_text().splitlines()
            if '"event": "request"' in line
        ]
        released = [
            x
            for x in lines
            if x["route"] == "/documents/<int:doc_id>/action" and x["user"] == f"vanthu.{standing}"
        ]
        assert released and released[-1]["status"] == 302 and released[-1]["queries"] > 0
        assert any(
            '"event": "job"' in line for line in (tmp_path / "prod.log").read_text().splitlines()
        )
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)  # honcho: stop every process it started
        try:
            code = proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            code = None
        log.close()
        deadline = time.monotonic() + 30
        while _ours(marker) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = _ours(marker)
        for pid in left:  # never leave them running, even when the test fails
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert left == [], f"processes left behind: {left}"
    assert code is not None, "honcho did not stop"
