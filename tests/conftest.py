"""Fixtures: ``app`` runs every database test on SQLite and on PostgreSQL (a fresh database per
test session, created on the server named by TEST_POSTGRES_URL). A missing PostgreSQL or Redis
is an error, never a skip."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from jinja2 import BytecodeCache

from app import create_app
from app.extensions import db as _db

pytest_plugins = ["tests.workers"]  # the ``queued`` fixture: a private queue on the real Redis

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = [
    b for b in os.environ.get("KEHOACH_TEST_DATABASES", "sqlite,postgresql").split(",") if b
]
PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
)
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
_TMP = Path(tempfile.mkdtemp(prefix="kehoach-tests-"))
_created_pg: list[str] = []
_schema_ready: set[str] = set()


def _pg_url() -> str:
    if not _created_pg:
        name = f"kehoach_t_{os.getpid()}_{secrets.token_hex(3)}"
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        except sa.exc.OperationalError as exc:  # pragma: no cover - environment
            pytest.fail(f"PostgreSQL is required for the tests ({PG_ADMIN_URL}): {exc}")
        finally:
            engine.dispose()
        _created_pg.append(name)
    return (
        sa.engine.make_url(PG_ADMIN_URL)
        .set(database=_created_pg[0])
        .render_as_string(hide_password=False)
    )


def database_url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{_TMP / 'test.sqlite3'}"
    if backend == "postgresql":
        return _pg_url()
    raise ValueError(backend)


def pytest_sessionfinish(session, exitstatus) -> None:  # noqa: ANN001
    for name in _created_pg:
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


class _SharedBytecodeCache(BytecodeCache):
    """Compiled page templates shared by the apps the tests create (one per test): Jinja would
    otherwise parse and compile every template again for each new app. Keyed by template name
    and source checksum, as Jinja's own bytecode caches."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:  # noqa: ANN001
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:  # noqa: ANN001
        self._code[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecodeCache()


def make_app(backend: str, create_schema: bool = True, **extra):  # noqa: ANN201
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": None,
        "FILES_DIR": str(_TMP / "files"),
        **extra,
    }
    config.setdefault("SQLALCHEMY_DATABASE_URI", None) or config.update(
        SQLALCHEMY_DATABASE_URI=database_url(backend)
    )
    app = create_app(config)
    app.jinja_env.bytecode_cache = _BYTECODE
    with app.app_context():
        if create_schema and backend not in _schema_ready:
            _db.drop_all()
            _db.create_all()
            _schema_ready.add(backend)
    return app


def _wipe(app) -> None:  # noqa: ANN001
    with app.app_context():
        _db.session.remove()
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        with _db.engine.begin() as conn:
            if _db.engine.dialect.name == "postgresql":
                conn.execute(
                    sa.text(
                        "TRUNCATE "
                        + ", ".join(f'"{t}"' for t in tables)
                        + " RESTART IDENTITY CASCADE"
                    )
                )
            else:
                for t in tables:
                    conn.execute(sa.text(f'DELETE FROM "{t}"'))
        _db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:  # noqa: ANN001
    return request.param


# A test that needs PostgreSQL (concurrent transactions, the strict backend for fuzzing) or one
# backend only (screenshots) is collected for PostgreSQL alone, never collected and skipped on
# SQLite. ``indirect``: the ``backend`` fixture (and its scope) gets the value.
postgresql_only = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def app(backend: str) -> Iterator:
    app = make_app(backend)
    from app.services import clock

    with app.app_context():
        yield app
    clock.set_now(None)
    _wipe(app)


@contextmanager
def shared_app(backend: str) -> Iterator:
    """An app whose data lives for several tests (a module's expensive set-up, made once per
    backend); wiped at the end. Tests use it through :func:`app_for_test`."""
    app = make_app(backend)
    try:
        yield app
    finally:
        from app.services import clock

        clock.set_now(None)
        _wipe(app)


@contextmanager
def app_for_test(app, now=None) -> Iterator:  # noqa: ANN001
    """One test on a shared app: its own app context and session, the clock at ``now``, and the
    app's configuration restored afterwards."""
    from app.services import clock

    saved = dict(app.config)
    clock.set_now(now)
    try:
        with app.app_context():
            yield app
            _db.session.remove()
    finally:
        clock.set_now(None)
        app.config.clear()
        app.config.update(saved)


@pytest.fixture
def db(app):  # noqa: ANN001, ANN201
    return _db


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    return app.test_client()


def add_agency(code: str, **kw):  # noqa: ANN003, ANN201
    """A new agency in the current app's session (flushed)."""
    from app.models import Agency

    kw.setdefault("name", f"Cơ quan {code}")
    kw.setdefault("abbreviation", code.split("-")[0])
    kw.setdefault("place", "Trà Vinh")
    kw.setdefault("level", "province")
    a = Agency(code=code, **kw)
    _db.session.add(a)
    _db.session.flush()
    return a


_password_hashes: dict[str, str] = {}


def add_user(username: str, agency, roles, password: str = "secret-pass"):  # noqa: ANN001, ANN201
    """A new user in the current app's session (flushed). Hashing a password costs ~0.1 s of CPU
    (scrypt), so each test password is hashed once, by ``User.set_password``, and the same real
    hash given to every user with that password: logging in checks it as for anyone."""
    from app.models import User

    u = User(username=username, full_name=username.title(), agency_id=agency.id)
    u.roles = roles
    if password not in _password_hashes:
        u.set_password(password)
        _password_hashes[password] = u.password_hash
    u.password_hash = _password_hashes[password]
    _db.session.add(u)
    _db.session.flush()
    return u


@pytest.fixture
def make_agency(db):  # noqa: ANN001, ANN201
    return add_agency


@pytest.fixture
def make_user(db):  # noqa: ANN001, ANN201
    return add_user


@pytest.fixture
def people(make_user):  # noqa: ANN001, ANN201
    """``people(agency, role)``: the one user of that role in that agency, made on first use."""
    made = {}

    def person(agency, role):  # noqa: ANN001, ANN202
        key = (agency.code, role)
        if key not in made:
            made[key] = make_user(f"{role}.{agency.code}".lower(), agency, [role])
            made[key].email = f"{role}.{agency.code}@example.vn".lower()
        return made[key]

    return person
