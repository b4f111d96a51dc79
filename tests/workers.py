"""The worker in the tests: a private queue on the real Redis (the ``queued`` fixture) worked
in the test's process (:func:`run_queue`), or worker processes — the project's worker
(``python -m app.cli worker``) or RQ's own forking worker — on the test app's database, the test
Redis, the test's queue and files."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker

from tests.conftest import REDIS_TEST_URL, ROOT
from worker import jobs


@pytest.fixture
def queued(app: Flask, tmp_path: Path) -> Iterator[Queue]:
    """The app wired to a private queue on the real Redis and a private files dir."""
    name = f"kehoach-test-{secrets.token_hex(4)}"
    app.config.update(REDIS_URL=REDIS_TEST_URL, RQ_QUEUE=name, FILES_DIR=str(tmp_path / "files"))
    conn = Redis.from_url(REDIS_TEST_URL)
    jobs.set_app(app)
    yield Queue(name, connection=conn)
    jobs._app = None
    for key in conn.scan_iter(f"rq:*{name}*"):
        conn.delete(key)


def run_queue(queue: Queue) -> bool:
    """Work the queue in the test's process until it is empty (jobs the jobs enqueue included);
    True if a job ran. Enough where every job was enqueued by a request that committed before
    the call and the page then only reads (the document pages poll ``status.json``, which
    enqueues nothing); a page whose script asks the server again, enqueuing again (the editor's
    document preview), needs :func:`run_queue_until`."""
    return bool(SimpleWorker([queue], connection=queue.connection).work(burst=True))


def run_queue_until(queue: Queue, done: Callable[[], bool], timeout: float = 60.0) -> None:
    """Work the queue, again and again, until ``done()`` (as a running worker would: a page
    that asks again while the first answer is being made gets its second answer too). Fails
    when ``done()`` still does not hold ``timeout`` s after the last job ran: a job slowed by a
    loaded machine (a LibreOffice starting) does not eat the page's time to fetch its answer."""
    end = time.monotonic() + timeout
    while True:
        if run_queue(queue):
            end = max(end, time.monotonic() + timeout)
        if done():
            return
        if time.monotonic() > end:
            raise AssertionError(f"not done {timeout} s after the last job ran")
        time.sleep(0.3)


def worker_env(app: Flask, queue_name: str, **extra: str) -> dict[str, str]:
    """The environment of a worker process for ``app`` on ``queue_name``; ``extra`` settings
    (``KEHOACH_…``) added or overriding (an instance folder of its own, for example)."""
    files = app.config["FILES_DIR"]
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": REDIS_TEST_URL,
        "KEHOACH_RQ_QUEUE": queue_name,
        "KEHOACH_FILES_DIR": files,
        "KEHOACH_INSTANCE": str(Path(files).parent / "instance"),
        **extra,
    }


def start_worker(
    app: Flask,
    queue_name: str,
    *,
    burst: bool = False,
    stdout: int | IO[bytes] = subprocess.PIPE,
    **extra: str,
) -> subprocess.Popen:
    """The project's worker (with ``burst``: until the queue is empty) in a session of its own:
    ``os.killpg(proc.pid, …)`` stops it and its work-horse. Its output and errors go to
    ``stdout``."""
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker", *(["--burst"] if burst else [])],
        cwd=ROOT,
        start_new_session=True,
        stdout=stdout,
        stderr=subprocess.STDOUT,
        env=worker_env(app, queue_name, **extra),
    )


def run_rq_burst(
    app: Flask, queue_name: str, *, before: str = "", after: str = "", timeout: float = 120
) -> str:
    """RQ's own forking ``Worker`` in a process of its own until the queue is empty, with the
    Python statements ``before`` and ``after`` run in that process around it; returns what it
    printed, and fails the test if the process failed."""
    code = (
        f"import sys; {before}"
        "from redis import Redis; from rq import Queue, Worker; "
        "c = Redis.from_url(sys.argv[1]); "
        "Worker([Queue(sys.argv[2], connection=c)], connection=c).work(burst=True); "
        f"{after}"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, REDIS_TEST_URL, queue_name],
        cwd=ROOT,
        timeout=timeout,
        capture_output=True,
        text=True,
        env=worker_env(app, queue_name),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
