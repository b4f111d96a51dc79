from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.auth import bp
from app.auth.forms import LoginForm
from app.extensions import db
from app.models import User

_DUMMY_HASH = "scrypt:32768:8:1$kehoach$" + "0" * 128


@bp.route("/login", methods=["GET", "POST"])
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
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(gettext("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


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
