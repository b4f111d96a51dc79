"""kehoach: run a Vietnamese administrative plan from issue to consolidated report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_babel import gettext, refresh
from flask_login import user_loaded_from_cookie

from app.config import MIGRATIONS_DIR, Config, database_url_from_env, instance_path_default
from app.extensions import babel, csrf, db, limiter, login_manager
from app.services import plans as _plans  # noqa: F401  (connects the app.signals receivers)
from app.ui import N_


def select_locale() -> str:
    from flask import current_app, has_request_context, session

    if not has_request_context():  # CLI, worker: the primary language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    lang = session.get("lang")
    if isinstance(lang, str) and lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(test_config: dict[str, Any] | None = None, *, migrations: bool = True) -> Flask:
    """The application factory. ``test_config`` overrides everything else. ``migrations=False``
    (the web server's entry point, ``app.wsgi``): Flask-Migrate is not attached, so Alembic is
    never imported by a process that only serves pages."""
    app = Flask(__name__, instance_path=instance_path_default(), instance_relative_config=True)
    app.config.from_object(Config)
    app.config.from_prefixed_env("KEHOACH")
    if url := database_url_from_env():
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url := os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = url
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////") and ":memory:" not in uri:
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
            Path(app.instance_path) / uri[len("sqlite:///") :]
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
            "connect_args": {"timeout": 30},
        }

    db.init_app(app)
    if migrations:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Vui lòng đăng nhập để tiếp tục.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "warning"

    from app import lists, models  # noqa: F401  (register the tables and the kh_fold function)
    from app.services import facts  # noqa: F401  (the hook raising a period's facts version)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from sqlalchemy import event

        with app.app_context():

            @event.listens_for(db.engine, "connect")
            def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA journal_mode=WAL")
                cur.close()

    @login_manager.user_loader
    def load_user(user_id: str):  # noqa: ANN202
        """The user of a session or remember-me cookie, if its session version is current."""
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload

        from app.models import User

        ident, _sep, version = str(user_id).partition(":")
        if not ident.isdigit() or not version.isdigit() or len(ident) > 18:
            return None
        # with their agency: every page's header shows it (one statement, not two)
        user = db.session.scalar(
            select(User).where(User.id == int(ident)).options(joinedload(User.agency))
        )
        if user is None or str(user.session_version or 1) != version:
            return None
        return user

    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = limiter_storage(app.config.get("REDIS_URL"))
    limiter.init_app(app)

    @user_loaded_from_cookie.connect_via(app)
    def _renew_remember(_sender, user=None) -> None:  # noqa: ANN001
        """A remember-me cookie that signed someone in is issued again (fresh expiry); it stays
        bound to the session version, so logout or a password change ends it."""
        from flask import session

        session["_remember"] = "set"

    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.main import bp as main_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp)

    from app.consolidation import bp as consolidation_bp
    from app.dashboard import bp as dashboard_bp
    from app.documents import bp as documents_bp
    from app.editor import bp as editor_bp
    from app.plans import bp as plans_bp
    from app.reports import bp as reports_bp

    for blueprint in (
        plans_bp,
        reports_bp,
        documents_bp,
        consolidation_bp,
        editor_bp,
        dashboard_bp,
    ):
        app.register_blueprint(blueprint)

    from app import cli, inputs, observability, ui, web

    cli.init_app(app)
    web.init_app(app)
    inputs.init_app(app)
    ui.init_app(app)
    observability.init_app(app)

    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from app.api import API_PREFIX, create_api

    api = create_api(app)
    app.extensions["kehoach_api"] = api
    app.wsgi_app = DispatcherMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, {API_PREFIX: api}
    )
    if proxies := int(app.config.get("PROXIES") or 0):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind ``proxies`` reverse proxies: trust their X-Forwarded-For/Proto/Host/Prefix.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )

    @app.before_request
    def _lang() -> None:
        refresh()  # select per request, even where an app context outlives one (tests, CLI)
        g.lang = select_locale()
        _ = request

    return app


def limiter_storage(redis_url: str | None) -> str:
    """Flask-Limiter's storage for the app's Redis: the same server, in the ``limits`` library's
    spelling (a socket is ``redis+unix://``, as the embedded Redis of ``kehoach serve`` is)."""
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url
