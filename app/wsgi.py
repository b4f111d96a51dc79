"""The WSGI entry point of production servers: ``gunicorn -c deploy/gunicorn.conf.py app.wsgi:app``.

Configuration comes from the environment (``DATABASE_URL``, ``REDIS_URL``, ``KEHOACH_*``); see the
README's "Production" section. Forwarded headers of a reverse proxy are trusted when
``KEHOACH_PROXIES`` (the number of proxies in front) is set: see :func:`app.create_app`.
"""

from __future__ import annotations

from app import create_app

app = create_app()
