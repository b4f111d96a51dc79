"""Security headers, cookies, login that tells nothing, no open redirect."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app import create_app
from tests.web.conftest import PASSWORD


@pytest.fixture
def user(make_agency, make_user, db):  # noqa: ANN001, ANN201
    u = make_user("reporter.a", make_agency("A-TV"), ["reporter"])
    db.session.commit()
    return u


@pytest.mark.parametrize("url", ["/auth/login", "/health", "/", "/plans/", "/khong-co"])
def test_headers_on_every_response(client, url) -> None:  # noqa: ANN001
    resp = client.get(url)
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"]


def test_session_cookie_flags(client, user) -> None:  # noqa: ANN001
    resp = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
    cookie = "; ".join(resp.headers.getlist("Set-Cookie"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_secure_cookie_configurable(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("KEHOACH_SESSION_COOKIE_SECURE", "true")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_password_is_hashed(user) -> None:  # noqa: ANN001
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt", "pbkdf2"))


def test_login_does_not_reveal_username(client, user, monkeypatch) -> None:  # noqa: ANN001
    from werkzeug import security

    calls = []
    real = security.check_password_hash
    monkeypatch.setattr(
        "app.models.agency.check_password_hash", lambda *a: calls.append(1) or real(*a)
    )
    known = client.post("/auth/login", data={"username": user.username, "password": "sai-mk"})
    n_known = len(calls)
    unknown = client.post("/auth/login", data={"username": "khong-co-ai", "password": "sai-mk"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: r.get_data(as_text=True).replace(user.username, "khong-co-ai")  # noqa: E731
    assert strip(known) == strip(unknown)
    assert len(calls) - n_known == n_known >= 1  # same work: no timing oracle


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/%5Cevil.example",
    ],
)
def test_no_open_redirect_after_login(client, user, target) -> None:  # noqa: ANN001
    resp = client.post(
        "/auth/login?next=" + target.replace("%", "%25"),
        data={"username": user.username, "password": PASSWORD},
    )
    assert resp.status_code == 302
    loc = resp.headers["Location"]
    assert urlsplit(loc).netloc in ("", "localhost") and not loc.startswith("//"), loc
    assert "\\" not in loc, loc


@pytest.mark.parametrize("ref", ["https://evil.example/x", "//evil.example/", "/\\evil.example/"])
def test_no_open_redirect_from_language_switch(client, ref) -> None:  # noqa: ANN001
    resp = client.post("/auth/lang/en", headers={"Referer": ref})
    loc = resp.headers["Location"]
    assert urlsplit(loc).netloc in ("", "localhost") and not loc.startswith("//"), loc
    assert "\\" not in loc, loc


def test_next_within_site_is_kept(client, user) -> None:  # noqa: ANN001
    resp = client.post(
        "/auth/login?next=/plans/", data={"username": user.username, "password": PASSWORD}
    )
    assert resp.headers["Location"].endswith("/plans/")
