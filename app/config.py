"""Default configuration. Every key can be overridden by an environment variable prefixed
``KEHOACH_`` (``KEHOACH_SECRET_KEY``), and the two servers by ``DATABASE_URL`` and ``REDIS_URL``."""

from __future__ import annotations

import os
from pathlib import Path


class Config:
    SECRET_KEY = "dev-only-change-me"
    SQLALCHEMY_DATABASE_URI = "sqlite:///kehoach.sqlite3"  # relative to the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL: str | None = None  # None: no queue configured (jobs run only when a worker exists)
    RQ_QUEUE = "kehoach"
    FILES_DIR: str | None = None  # defaults to <instance>/files
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    UPLOAD_EXTENSIONS = ("pdf", "docx", "doc", "jpg", "jpeg", "png", "xlsx")
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a form token lasts a working day
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600  # "remember me": two weeks, revoked with the session
    # login throttling (Flask-Limiter syntax); only failed attempts count
    LOGIN_LIMIT_ACCOUNT = "10 per 15 minutes"
    LOGIN_LIMIT_ADDRESS = "50 per 15 minutes"
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI: str | None = None  # None: REDIS_URL, else in-process memory
    RATELIMIT_KEY_PREFIX = "kehoach-limits"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True behind HTTPS (KEHOACH_SESSION_COOKIE_SECURE=true)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    PER_PAGE = 20
    CALENDAR_CULTURE_DAY = (
        True  # 24/11 Ngày Văn hóa Việt Nam as a day off (KEHOACH_CALENDAR_CULTURE_DAY=false)
    )
    # Digital signing (app.services.signing_keys): the key that encrypts the stored PKCS#12 keys
    # (None: derived from SECRET_KEY; set it so a new SECRET_KEY does not lose them), and an
    # RFC 3161 timestamp server (None: PAdES B-B; set: B-T).
    KEY_ENCRYPTION_KEY: str | None = None
    TIMESTAMP_URL: str | None = None
    # Revocation checking uses the CRLs/OCSP responses the admin uploads and those a PDF
    # carries; set True to let validation also fetch them over the network (off: no network).
    REVOCATION_FETCH = False
    # edXML exchange folder an adapter writes incoming packets to (None: no periodic job), and
    # how often the worker's scheduler reads it (seconds).
    EDXML_INBOX: str | None = None
    EDXML_POLL_SECONDS = 300
    # Number of reverse proxies in front whose X-Forwarded-* headers are trusted (0: none).
    PROXIES = 0


def database_url_from_env() -> str | None:
    """DATABASE_URL as given, with the ``postgres://`` scheme some hosts use made explicit."""
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


#: The Alembic migrations (``kehoach init-db``, ``flask db …``).
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def instance_path_default() -> str:
    return str(Path(os.environ.get("KEHOACH_INSTANCE", Path.cwd() / "instance")).resolve())
