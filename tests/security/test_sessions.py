"""Issue 10, finding 6 and the headers: sessions end on logout and password changes, remember-me
cookies with them; login is throttled per account and per address on the real Redis; passwords
follow NIST SP 800-63B; users change their own; no caching of signed-in pages; HSTS; no banner;
CSRF tokens expire."""

from __future__ import annotations

import html
import secrets
import time

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Role, User
from tests.conftest import REDIS_TEST_URL
from tests.security.sessions import separate_users
from tests.web.conftest import PASSWORD

# The throttling tests share the limiter's Redis keys (its storage reset() deletes them all): with
# pytest-xdist they run one after the other in one process.
pytestmark = pytest.mark.xdist_group("limiter")

NEW_PASSWORD = "sông Cổ Chiên mùa nước nổi"


@pytest.fixture
def user(app, make_agency, make_user, db):  # noqa: ANN001, ANN201
    separate_users(app)
    u = make_user("reporter.a", make_agency("A-TV"), [Role.REPORTER], password=PASSWORD)
    u.full_name = "Nguyễn Văn An"
    db.session.commit()
    return u


@pytest.fixture
def admin(make_agency, make_user, db):  # noqa: ANN001, ANN201
    a = make_user("quantri", make_agency("QT-TV"), [Role.ADMIN], password=PASSWORD)
    db.session.commit()
    return a


def _login(client, user, password=PASSWORD, remember=False):  # noqa: ANN001, ANN202
    data = {"username": user.username, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/auth/login", data=data)


def _signed_in(client) -> bool:  # noqa: ANN001
    return client.get("/plans/").status_code == 200


def _copy_cookies(src, dst, *names: str) -> None:  # noqa: ANN001
    for name in names:
        cookie = src.get_cookie(name)
        if cookie is not None:
            dst.set_cookie(name, cookie.value)


def test_a_copied_session_cookie_dies_at_logout(app, user) -> None:  # noqa: ANN001
    a, thief = app.test_client(), app.test_client()
    assert _login(a, user).status_code == 302
    _copy_cookies(a, thief, "session")
    assert _signed_in(thief)
    a.post("/auth/logout")
    assert not _signed_in(thief)


def test_remember_token_dies_at_logout(app, user) -> None:  # noqa: ANN001
    a = app.test_client()
    _login(a, user, remember=True)
    token = a.get_cookie("remember_token")
    assert token is not None
    only_token = app.test_client()
    only_token.set_cookie("remember_token", token.value)
    assert _signed_in(only_token)  # the cookie signs a browser in …
    a.post("/auth/logout")
    later = app.test_client()
    later.set_cookie("remember_token", token.value)
    assert not _signed_in(later)  # … until the user logs out anywhere
    assert not _signed_in(only_token)


def test_admin_password_reset_ends_every_session(app, db, user, admin) -> None:  # noqa: ANN001
    victim, adm = app.test_client(), app.test_client()
    _login(victim, user, remember=True)
    token = victim.get_cookie("remember_token").value
    _login(adm, admin)
    resp = adm.post(
        f"/quan-tri/nguoi-dung/{user.id}/mat-khau", data={"password": "đặt lại ngày 5 tháng 1"}
    )
    assert resp.status_code == 302
    assert not _signed_in(victim)
    by_token = app.test_client()
    by_token.set_cookie("remember_token", token)
    assert not _signed_in(by_token)


def test_user_changes_own_password_and_other_sessions_end(app, db, user) -> None:  # noqa: ANN001
    here, there = app.test_client(), app.test_client()
    _login(here, user)
    _login(there, user)
    page = here.get("/plans/").get_data(as_text=True)
    assert 'href="/auth/mat-khau"' in page  # the link in the top bar
    resp = here.post(
        "/auth/mat-khau",
        data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert resp.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(there)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "change_password"))
    assert _login(app.test_client(), user, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("12345678", "phải có từ 10 đến 128 ký tự"),
        ("1234567890", "quá phổ biến"),
        ("password2024", "quá phổ biến"),
        ("reporter.a-2025", "tên đăng nhập hoặc họ tên"),
        ("nguyen-van-an-1990", "tên đăng nhập hoặc họ tên"),
        ("aaaaaaaaaaaa", "quá đơn giản"),
    ],
)
def test_weak_passwords_are_refused_and_nothing_changes(app, db, user, new, message) -> None:  # noqa: ANN001
    c = app.test_client()
    _login(c, user)
    resp = c.post("/auth/mat-khau", data={"current": PASSWORD, "new": new, "confirm": new})
    assert resp.status_code == 200
    assert message in html.unescape(resp.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_wrong_current_password_is_refused(app, db, user) -> None:  # noqa: ANN001
    c = app.test_client()
    _login(c, user)
    resp = c.post(
        "/auth/mat-khau",
        data={"current": "sai-mat-khau", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert "Mật khẩu hiện tại không đúng." in resp.get_data(as_text=True)
    assert _signed_in(c)


def test_admin_cannot_create_a_user_with_the_username_as_password(app, db, admin) -> None:  # noqa: ANN001
    c = app.test_client()
    _login(c, admin)
    resp = c.post(
        "/quan-tri/nguoi-dung/them",
        data={
            "username": "tran.thi.b",
            "full_name": "Trần Thị B",
            "agency_id": str(admin.agency_id),
            "roles": ["reporter"],
            "password": "tran.thi.b123",
        },
    )
    assert "tên đăng nhập hoặc họ tên" in html.unescape(resp.get_data(as_text=True))
    assert db.session.scalar(select(User).where(User.username == "tran.thi.b")) is None


@pytest.fixture
def redis_limits(app):  # noqa: ANN001, ANN201
    """Throttling on the real Redis, under a key prefix of this test only."""
    from app.extensions import limiter

    prefix = f"kehoach-test-limits-{secrets.token_hex(4)}"
    app.config.update(RATELIMIT_STORAGE_URI=REDIS_TEST_URL, RATELIMIT_KEY_PREFIX=prefix)
    limiter.init_app(app)
    assert type(limiter.storage).__name__ == "RedisStorage"
    yield limiter
    limiter.storage.reset() if hasattr(limiter.storage, "reset") else None


def test_100_wrong_passwords_then_the_right_one_is_refused(app, user, redis_limits) -> None:  # noqa: ANN001
    c = app.test_client()
    codes = [_login(c, user, f"sai-{i}").status_code for i in range(100)]
    assert codes[:10] == [200] * 10  # refused with "wrong password" …
    assert set(codes[10:]) == {429}  # … then throttled
    resp = _login(c, user)
    assert resp.status_code == 429  # the right password does not get through either
    assert "Đăng nhập sai quá nhiều lần" in resp.get_data(as_text=True)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert _login(other, user).status_code == 429  # per account, from any address


def test_throttling_per_address(app, db, make_agency, make_user, redis_limits) -> None:  # noqa: ANN001
    separate_users(app)
    agency = make_agency("B-TV")
    users = [make_user(f"u{i}", agency, [Role.REPORTER], password=PASSWORD) for i in range(7)]
    db.session.commit()
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    codes = [_login(c, users[i // 9], "sai-mat-khau").status_code for i in range(60)]
    assert 429 in codes and codes.index(429) == 50  # 50 failures per address, any account
    assert _login(app.test_client(), users[6]).status_code == 302  # other addresses unaffected


def test_successful_logins_are_not_throttled(app, user, redis_limits) -> None:  # noqa: ANN001
    for _ in range(15):
        c = app.test_client()
        assert _login(c, user).status_code == 302


# -- headers -----------------------------------------------------------------------------------


def test_authenticated_pages_and_exports_are_not_stored(app, user) -> None:  # noqa: ANN001
    c = app.test_client()
    _login(c, user)
    for url in ("/plans/", "/", "/notifications"):
        resp = c.get(url)
        assert resp.headers["Cache-Control"] == "no-store", url
    assert c.get("/static/app.css").headers.get("Cache-Control") != "no-store"


def test_no_server_banner_and_hsts_behind_https(app, user) -> None:  # noqa: ANN001
    c = app.test_client()
    resp = c.get("/auth/login")
    assert "Werkzeug" not in resp.headers.get("Server", "")
    assert "Strict-Transport-Security" not in resp.headers
    app.config["SESSION_COOKIE_SECURE"] = True
    resp = c.get("/auth/login", base_url="https://localhost")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_csrf_tokens_expire(app, user) -> None:  # noqa: ANN001
    assert app.config["WTF_CSRF_TIME_LIMIT"] and app.config["WTF_CSRF_TIME_LIMIT"] <= 24 * 3600
    app.config.update(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=1)
    c = app.test_client()
    page = c.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {"username": user.username, "password": PASSWORD, "csrf_token": token}
    time.sleep(2.1)  # the token is now 2 s old (its time is in whole seconds): more than 1 s
    assert c.post("/auth/login", data=data).status_code == 400
    # the same token within a longer limit is accepted: it was refused for its age alone (a
    # fresh token under the 1 s limit would race a loaded machine's clock)
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    assert c.post("/auth/login", data=data).status_code == 302
