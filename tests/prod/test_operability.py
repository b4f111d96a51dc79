"""Operability: JSON request logs with query counts, readiness, the secret-key refusal, doctor."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

from click.testing import CliRunner
from sqlalchemy import event

from app import observability
from app.extensions import db as _db
from tests.conftest import REDIS_TEST_URL, ROOT
from tests.web.conftest import login


def _capture() -> tuple[io.StringIO, logging.Handler]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(observability.JSONFormatter())
    logging.getLogger("kehoach.request").addHandler(handler)
    return out, handler


def test_one_json_line_per_request_with_user_route_status_duration_queries(
    app,
    client,
    make_agency,
    make_user,
    db,  # noqa: ANN001
) -> None:
    app.config["REQUEST_LOG"] = True
    out, handler = _capture()
    counted = []
    user = make_user("chuyenvien.ca", make_agency("CA"), ["specialist"])
    db.session.commit()
    listener = lambda *a: counted.append(1)  # noqa: E731
    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        login(client, user)
        counted.clear()
        out.truncate(0), out.seek(0)
        assert client.get("/plans/").status_code == 200
        n_page = len(counted)
        client.get("/khong-co")
    finally:
        logging.getLogger("kehoach.request").removeHandler(handler)
        event.remove(_db.engine, "before_cursor_execute", listener)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 2
    page, missing = lines
    assert page["event"] == "request" and page["method"] == "GET"
    assert (page["route"], page["path"], page["status"]) == ("/plans/", "/plans/", 200)
    assert page["user"] == "chuyenvien.ca" and page["queries"] == n_page > 0
    assert isinstance(page["duration_ms"], float) and page["duration_ms"] > 0
    assert (missing["status"], missing["route"]) == (404, None)


def test_ready_names_what_is_missing(app, client, monkeypatch) -> None:  # noqa: ANN001
    resp = client.get("/ready")  # public: a load balancer has no session
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"] == {
        "ok": False,
        "detail": "Chưa cấu hình REDIS_URL: văn bản, nhắc hạn và thư sẽ không được xử lý.",
    }
    app.config.update(REDIS_URL=REDIS_TEST_URL, RQ_QUEUE=f"kehoach-ready-{os.getpid()}")
    body = client.get("/ready").get_json()
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["workers"]["ok"] is False
    assert "Không có worker nào nhận việc" in body["checks"]["workers"]["detail"]
    # schema made by create_all in the tests, not by the migrations
    assert "kehoach init-db" in body["checks"]["migrations"]["detail"]
    app.config["REDIS_URL"] = "redis://:hunter2@127.0.0.1:1/0"
    body = client.get("/ready").get_json()
    assert "hunter2" not in json.dumps(body) and body["checks"]["redis"]["ok"] is False


def test_doctor_says_in_vietnamese_what_is_wrong(app) -> None:  # noqa: ANN001
    app.config.update(SECRET_KEY="dev-only-change-me", REDIS_URL=None)
    result = CliRunner().invoke(app.cli, ["doctor"])
    assert result.exit_code == 1
    out = result.output
    assert "✘ Khóa bí mật: KEHOACH_SECRET_KEY chưa đặt hoặc đang là khóa mặc định" in out
    assert "✔ Cơ sở dữ liệu" in out
    assert "✘ Lược đồ: Cơ sở dữ liệu chưa có lược đồ" in out
    assert "✔ Lưu trữ tệp" in out
    assert "✘ Redis: Chưa cấu hình REDIS_URL" in out
    assert "Có 3 lỗi cần sửa" in out


def _wsgi(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import app.wsgi"],
        cwd=ROOT,
        env={k: v for k, v in {**os.environ, **env}.items() if v is not None},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_web_refuses_the_default_secret_key(tmp_path) -> None:  # noqa: ANN001
    base = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "KEHOACH_INSTANCE": str(tmp_path),
    }
    refused = _wsgi({**base, "KEHOACH_SECRET_KEY": None})
    assert refused.returncode == 3
    assert "TỪ CHỐI KHỞI ĐỘNG — KEHOACH_SECRET_KEY chưa đặt" in refused.stderr
    assert _wsgi({**base, "KEHOACH_SECRET_KEY": "dev-only-change-me"}).returncode == 3
    assert _wsgi({**base, "KEHOACH_SECRET_KEY": "0" * 64}).returncode == 0
    assert _wsgi({**base, "KEHOACH_SECRET_KEY": None, "KEHOACH_DEBUG": "true"}).returncode == 0
