"""The WSGI entry point of production servers: ``gunicorn -c deploy/gunicorn.conf.py app.wsgi:app``.

Configuration comes from the environment (``DATABASE_URL``, ``REDIS_URL``, ``KEHOACH_*``); see the
README's "Production" section. Forwarded headers of a reverse proxy are trusted when
``KEHOACH_PROXIES`` (the number of proxies in front) is set: see :func:`app.create_app`.
"""

from __future__ import annotations

import sys

from app import create_app
from app.services.health import default_secret

# Serving only: migrations run from the command line (``kehoach init-db``), so Alembic is not
# loaded into every worker (tests/prod/test_web_footprint.py).
app = create_app(migrations=False)

if default_secret(app) and not (app.debug or app.testing):
    # Refuse to serve: with the published default key anyone can forge a session cookie.
    sys.stderr.write(
        "kehoach: TỪ CHỐI KHỞI ĐỘNG — KEHOACH_SECRET_KEY chưa đặt hoặc là khóa mặc định. "
        "Đặt một khóa ngẫu nhiên (python3 -c 'import secrets; print(secrets.token_hex(32))') "
        "giống nhau trên mọi máy chủ web, rồi khởi động lại. / Refusing to start in production "
        "with the default secret key: set KEHOACH_SECRET_KEY.\n"
    )
    raise SystemExit(3)
