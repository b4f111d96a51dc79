"""The benchmark's seed (COPY) builds a consistent database the app serves: a small size."""

from __future__ import annotations

import os
import secrets
import sys

import sqlalchemy as sa

from tests.conftest import PG_ADMIN_URL, ROOT

sys.path.insert(0, str(ROOT / "bench"))
import seed  # noqa: E402


def test_seed_makes_plans_agencies_reports_and_documents() -> None:
    name = f"kehoach_seed_{os.getpid()}_{secrets.token_hex(3)}"
    url = seed.create_database(PG_ADMIN_URL, name)
    try:
        info = seed.seed(url, 3, 7)
        assert info["report"] == 3 * 7 and info["assignment"] >= 3 * 7
        assert info["register_entry"] == 3 + 1  # a plan each, one consolidated report
        from app import create_app

        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "TESTING": True,
                "SECRET_KEY": "t",
                "WTF_CSRF_ENABLED": False,
            }
        )
        client = app.test_client()
        page = client.get("/auth/login")
        assert page.status_code == 200
        resp = client.post(
            "/auth/login",
            data={"username": "bench.chuyenvien", "password": seed.PASSWORD},
        )
        assert resp.status_code == 302
        plan = client.get(f"/plans/{info['plan_id']}")
        assert plan.status_code == 200 and "đợt thử 2" in plan.get_data(as_text=True)
        cons = client.get(f"/periods/{info['period_id']}/consolidation")
        assert cons.status_code == 200
        with app.app_context():
            from app.extensions import db

            engine = db.engine
            with engine.connect() as c:
                next_id = c.execute(
                    sa.text("SELECT nextval(pg_get_serial_sequence('report','id'))")
                )
                assert next_id.scalar() > info["report"]
            db.engine.dispose()
    finally:
        seed.drop_database(PG_ADMIN_URL, name)
