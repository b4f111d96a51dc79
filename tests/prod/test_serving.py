"""Production serving: the gunicorn configuration, the Procfile, the systemd units and ProxyFix."""

from __future__ import annotations

import runpy
from pathlib import Path

from flask import request

from app import create_app

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_config_reads_the_environment(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("KEHOACH_TIMEOUT", "45")
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["bind"] == ["127.0.0.1:8123"]
    assert conf["workers"] == 3 and conf["timeout"] == 45
    assert conf["graceful_timeout"] > 0 and conf["preload_app"] is False
    assert conf["forwarded_allow_ips"] == "127.0.0.1"


def test_procfile_and_units_run_the_same_processes() -> None:
    procfile = dict(
        line.split(":", 1)
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(procfile) == {"web", "worker"}
    assert "gunicorn -c deploy/gunicorn.conf.py app.wsgi:app" in procfile["web"]
    assert "python -m worker" in procfile["worker"]
    web = (ROOT / "deploy/systemd/kehoach-web.service").read_text()
    worker = (ROOT / "deploy/systemd/kehoach-worker@.service").read_text()
    assert "gunicorn -c deploy/gunicorn.conf.py app.wsgi:app" in web
    assert "ExecReload=/bin/kill -s HUP $MAINPID" in web
    assert "python -m worker" in worker


def test_forwarded_headers_are_trusted_only_when_configured(tmp_path) -> None:  # noqa: ANN001
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "kehoach.tinh.gov.vn",
        "X-Forwarded-For": "203.0.113.9",
    }
    for proxies, expected in (
        (0, "http://localhost/health 127.0.0.1"),
        (1, "https://kehoach.tinh.gov.vn/health 203.0.113.9"),
    ):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "PROXIES": proxies,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}",
            }
        )
        app.view_functions["main.health"] = lambda: f"{request.url} {request.remote_addr}"
        resp = app.test_client().get("/health", headers=headers)
        assert resp.get_data(as_text=True) == expected


def test_systemd_units_verify(tmp_path) -> None:  # noqa: ANN001
    """systemd-analyze accepts the units (paths pointed at this checkout)."""
    import shutil
    import subprocess

    assert shutil.which("systemd-analyze"), "systemd-analyze (package systemd) is required"
    for unit in (ROOT / "deploy" / "systemd").iterdir():
        text = unit.read_text().replace("/opt/kehoach", str(ROOT))
        (tmp_path / unit.name.replace("@.", "@1.")).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
