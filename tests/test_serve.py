"""``kehoach serve`` holds no database transaction while it serves (issue 10 item 8: it kept one
open for its whole life and blocked a schema change)."""

from __future__ import annotations

import secrets

from sqlalchemy import select, text

from app.models import Role, User
from tests.conftest import REDIS_TEST_URL


def test_serve_holds_no_transaction_while_serving(app, db, make_agency, make_user, monkeypatch):
    from app import demo

    a = make_agency("SNV-TV")
    make_user("quantri", a, [Role.ADMIN])
    db.session.commit()
    app.config.update(REDIS_URL=REDIS_TEST_URL, RQ_QUEUE=f"kehoach-test-{secrets.token_hex(4)}")
    # the demo data are the users made above (loading the full demo takes half a minute)
    monkeypatch.setattr(demo, "load_demo", lambda: None)
    monkeypatch.setattr("app.cli.init_db", lambda: None)  # the test schema is made by create_all
    seen: dict = {}

    def probe(host, port, application, **kw):  # noqa: ANN001, ANN003, ANN202
        """Stands in for the server loop: what the serving process holds at that moment."""
        from app.extensions import db as sdb

        seen["in_transaction"] = sdb.session().in_transaction()
        if sdb.engine.dialect.name == "postgresql":
            with sdb.engine.connect() as c:
                seen["idle_in_transaction"] = c.scalar(
                    text(
                        "select count(*) from pg_stat_activity where datname = current_database()"
                        " and state like 'idle in transaction%' and pid <> pg_backend_pid()"
                    )
                )
        # a request served now sees the users
        with application.test_client() as client:
            seen["login_page"] = client.get("/auth/login").status_code

    monkeypatch.setattr("werkzeug.serving.run_simple", probe)
    result = app.test_cli_runner().invoke(args=["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "kehoach-demo" in result.output  # the logins were listed (that query was the culprit)
    assert seen["in_transaction"] is False
    assert seen.get("idle_in_transaction", 0) == 0
    assert seen["login_page"] == 200
    assert db.session.scalar(select(User.username)) == "quantri"
