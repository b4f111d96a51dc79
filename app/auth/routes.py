from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.auth import bp
from app.auth.forms import ChangePasswordForm, LoginForm
from app.extensions import db, limiter
from app.models import User
from app.services import audit, passwords

_DUMMY_HASH = "scrypt:32768:8:1$kehoach$" + "0" * 128


def _failed(response) -> bool:  # noqa: ANN001
    """Only a refused login counts against the limits (a success redirects)."""
    return response.status_code != 302


def _account_key() -> str:
    name = (request.form.get("username") or "").strip().lower()[:64]
    return "login-account:" + name


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
    scope="login-address",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    scope="login-account",
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None:  # the same hash work as for a known name: no timing oracle
            User(password_hash=_DUMMY_HASH).check_password(form.password.data)
        if user is None or not user.active or not user.check_password(form.password.data):
            form.password.errors.append(gettext("Tên đăng nhập hoặc mật khẩu không đúng."))
        else:
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang  # the language chosen before signing in stays
            login_user(user, remember=form.remember.data)
            target = request.args.get("next", "")
            if not target or urlsplit(target).netloc or not target.startswith("/"):
                target = url_for("main.index")
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    lang = session.get("lang")
    if current_user.is_authenticated:  # every session and remember-me cookie of the user ends
        current_user.revoke_sessions()
        db.session.commit()
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(gettext("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/mat-khau", methods=["GET", "POST"])
def change_password():
    """The signed-in user changes their own password; every other session of theirs ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.current.data):
            form.current.errors.append(gettext("Mật khẩu hiện tại không đúng."))
        else:
            problems = passwords.problems(form.new.data, user.username, user.full_name)
            if form.new.data == form.current.data:
                problems.append(gettext("Mật khẩu mới phải khác mật khẩu hiện tại."))
            if problems:
                form.new.errors.extend(problems)
            else:
                user.set_password(form.new.data)
                user.revoke_sessions()
                audit.record(user, user, "change_password", comment=user.username)
                db.session.commit()
                login_user(user)  # this browser stays signed in, with the new session version
                flash(
                    gettext("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất."), "success"
                )
                return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in ("vi", "en"):
        session["lang"] = code
    return redirect(_local_target(request.referrer) or url_for("main.index"))


def _local_target(url: str | None) -> str | None:
    """The path of ``url`` if it points into this site, else None (no open redirect)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")
