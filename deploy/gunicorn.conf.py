"""gunicorn configuration of kehoach (``gunicorn -c deploy/gunicorn.conf.py app.wsgi:app``).

Every value can be changed by an environment variable, so one file serves a laptop, the Procfile
and the systemd units:

- ``KEHOACH_BIND`` (default ``127.0.0.1:$PORT``, ``PORT`` default 8000): where to listen. Keep it on
  the loopback or a private address; the reverse proxy (nginx, Caddy…) faces the users.
- ``WEB_CONCURRENCY`` (default 2 × cores + 1, at most 8): worker processes.
- ``KEHOACH_THREADS`` (default 4): threads per worker (gthread), for slow clients and downloads.
- ``KEHOACH_TIMEOUT`` (default 60 s): a request running longer is killed and logged. Heavy work
  (documents, PDF) runs in the RQ workers, never in a request.
- ``KEHOACH_FORWARDED_ALLOW_IPS`` (default ``127.0.0.1``): the proxies whose X-Forwarded-* headers
  gunicorn believes; the app's ProxyFix (``KEHOACH_PROXIES``) does the same inside Flask.
- ``KEHOACH_ACCESS_LOG`` (default off): gunicorn's own access log (``-`` for stderr). The app
  already writes one JSON line per request (user, route, status, duration, query count) to
  stderr, so gunicorn's is off by default to avoid two lines per request.

Graceful reload (new code, no dropped request): ``kill -HUP <master pid>`` or ``systemctl reload
kehoach-web``; gunicorn starts new workers and lets the old ones finish their requests within
``graceful_timeout``. The app is not preloaded by default, so a reload picks up new code.

Memory (deploy/README.md "Memory"):

- ``KEHOACH_MAX_REQUESTS`` (default 1000, ± 10 %): a worker is replaced after that many requests.
- ``KEHOACH_PRELOAD`` (default off): ``1`` loads the app once in the master and forks the workers
  from it, sharing its memory; an upgrade then needs a restart, not a HUP.
"""

from __future__ import annotations

import gc
import multiprocessing
import os

_port = os.environ.get("PORT", "8000")
bind = [os.environ.get("KEHOACH_BIND") or f"127.0.0.1:{_port}"]
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "gthread"
threads = int(os.environ.get("KEHOACH_THREADS") or 4)
timeout = int(os.environ.get("KEHOACH_TIMEOUT") or 60)
graceful_timeout = int(os.environ.get("KEHOACH_GRACEFUL_TIMEOUT") or 30)
keepalive = 5
# Recycle a worker now and then (the jitter keeps the workers from restarting together), so a
# slow leak or a heap fragmented by large requests can never grow without bound.
max_requests = int(os.environ.get("KEHOACH_MAX_REQUESTS") or 1000)
max_requests_jitter = max_requests // 10
# KEHOACH_PRELOAD=1: the master imports the app once and forks the workers from it, so the
# imported code and data are shared (copy-on-write) instead of loaded again by every worker;
# the garbage collector is kept off in the master and its objects are frozen before each fork
# (gc.freeze) so that a worker's collections do not write to, and so copy, the shared pages.
# The price: HUP then restarts workers with the code already loaded, so an upgrade needs a
# restart (``systemctl restart kehoach-web``). Off by default: HUP reloads the code.
preload_app = os.environ.get("KEHOACH_PRELOAD", "").strip().lower() in ("1", "true", "yes", "on")
if preload_app:
    gc.disable()  # no collection in the master while the app loads: no holes in shared pages


def pre_fork(server, worker) -> None:  # noqa: ANN001
    if preload_app:
        gc.freeze()  # the master's objects: out of every collection, in the workers too


def post_fork(server, worker) -> None:  # noqa: ANN001
    gc.enable()


forwarded_allow_ips = os.environ.get("KEHOACH_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
limit_request_line = 8190
limit_request_fields = 100
errorlog = "-"
loglevel = os.environ.get("KEHOACH_LOG_LEVEL", "info").lower()
accesslog = os.environ.get("KEHOACH_ACCESS_LOG") or None
access_log_format = (
    '{"time":"%(t)s","remote":"%(h)s","method":"%(m)s","path":"%(U)s","status":%(s)s,'
    '"bytes":%(B)s,"duration_ms":%(M)s,"agent":"%(a)s"}'
)
proc_name = "kehoach-web"
# Where gunicorn keeps its heartbeat files: memory, not a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn ≥ 25 opens a control socket in $HOME by default, one path for every instance of the
# user: two deployments on one host would fight over it. Reload with HUP instead.
control_socket_disable = True
