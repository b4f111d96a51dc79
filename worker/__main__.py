"""``python -m worker [--burst]``: an RQ worker running inside one app created at start.

Everything a job needs is made once here, before RQ forks a work-horse per job: the app, docxtpl
and the jobs module imported, and this worker's own PDF converter started (unoserver with its own
LibreOffice, worker/convert.py): checked and restarted if it died before each job, stopped when
the worker stops (and killed with it). Several workers run several converters. ``kehoach worker``
runs this module.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from typing import Any

from rq import Worker

from worker.scheduler_lock import SCHEDULER_LOCK_TTL, release_stale_locks


def _stop(signum: int, _frame: object) -> None:
    # Until RQ installs its own handlers (warm shutdown), a stop request ends start-up cleanly,
    # through the ``finally`` that stops this worker's converter.
    raise SystemExit(128 + signum)


def _stop_private_converter() -> None:
    """Stop the converter this worker owns (unoserver and its LibreOffice), also when it is
    still starting."""
    from worker import convert

    convert.stop()


def _start_converter() -> tuple[bool, str]:
    """This worker's converter started (or found running): (working, what the check shows)."""
    from worker import convert

    try:
        warm = convert.converter() is not None
    except convert.ConversionError as exc:  # jobs retry the start and report it per document
        print(f"Cảnh báo: chưa khởi động được LibreOffice: {exc}", file=sys.stderr)
        return (False, str(exc))
    return (True, "LibreOffice sẵn sàng" if warm else "thiếu python3-uno (chậm)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kehoach worker")
    parser.add_argument("--burst", action="store_true", help="run the queued jobs, then stop")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        return _run(args)
    finally:
        _stop_private_converter()


def _run(args: argparse.Namespace) -> int:
    import docxtpl  # noqa: F401
    from redis import Redis
    from rq import Queue

    from app import create_app, observability
    from app.extensions import db
    from app.services import exchange, health
    from worker import jobs

    app = create_app()
    observability.configure_logging(app.config.get("LOG_LEVEL") or "INFO")
    with app.app_context():
        url = app.config.get("REDIS_URL")
        if not url:
            print("Chưa cấu hình REDIS_URL.", file=sys.stderr)
            return 2
        conn = Redis.from_url(url)
        jobs.set_app(app)
        converter = _start_converter()
        db.engine.dispose()  # no pooled connection is shared with the forks
        queue = Queue(app.config["RQ_QUEUE"], connection=conn)
        # After a crash the dead worker's scheduler lock lives until it has been silent for
        # SCHEDULER_TAKEOVER_AFTER seconds (RQ's own expiry, ~61 s, by default); a restarted worker
        # takes the scheduling over at start or at its next maintenance run, which an idle worker
        # reaches only when its blocking dequeue times out (worker_ttl - 15 s). RQ's defaults
        # (600 s, 420 s) would leave scheduled reminders waiting up to ten minutes; these keep it
        # near a minute and a half.
        interval = int(app.config.get("WORKER_MAINTENANCE_INTERVAL") or 30)
        ttl = int(app.config.get("WORKER_TTL") or 45)
        takeover = float(app.config.get("SCHEDULER_TAKEOVER_AFTER") or SCHEDULER_LOCK_TTL - 1)
        release_stale_locks(conn, [queue.name], takeover)
        worker = KehoachWorker(
            [queue],
            connection=conn,
            maintenance_interval=interval,
            worker_ttl=ttl,
            scheduler_takeover_after=takeover,
        )
        worker.converter_state = converter
        exchange.schedule_inbox()  # the exchange folder's periodic reading (EDXML_INBOX)
        health.report_converter(conn, queue.name, worker.name, *converter)
        try:
            worker.work(burst=args.burst, with_scheduler=True)
        finally:
            conn.hdel(health.CONVERTER_KEY.format(queue=queue.name), worker.name)
    return 0


class KehoachWorker(Worker):
    """RQ's worker, releasing before each maintenance run the scheduler locks of crashed workers
    (see ``worker.scheduler_lock``; RQ's maintenance then takes the scheduling over), and logging
    one JSON line per job (``kehoach.job``): name, id, status, duration, SQL queries."""

    def __init__(self, *args: Any, scheduler_takeover_after: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scheduler_takeover_after = scheduler_takeover_after
        self.converter_state: tuple[bool, str] = (False, "")

    def run_maintenance_tasks(self) -> None:
        own = self.scheduler.name if self.scheduler is not None else None
        release_stale_locks(
            self.connection, self.queue_names(), self.scheduler_takeover_after, keep=own
        )
        if not self.converter_state[0]:  # a converter that failed to start is tried again
            self._check_converter()
        super().run_maintenance_tasks()

    def execute_job(self, job: Any, queue: Any) -> Any:
        """Before forking the work-horse: this worker's converter running (restarted if it
        died); the fork converts through it."""
        self._check_converter()
        return super().execute_job(job, queue)

    def _check_converter(self) -> None:
        """This worker's converter running (started or restarted if needed), and the readiness
        check told its real state whenever it changed (a start that timed out on a busy machine
        is not reported as a failure for the worker's whole life)."""
        from app.services import health

        state = _start_converter()
        if state != self.converter_state:
            self.converter_state = state
            health.report_converter(self.connection, self.queue_names()[0], self.name, *state)

    def perform_job(self, job: Any, queue: Any) -> bool:
        from app import observability

        observability.reset_queries()
        started = time.perf_counter()
        ok = super().perform_job(job, queue)
        observability.log_job(
            job.func_name, job.id, "finished" if ok else "failed", started, observability.queries()
        )
        return bool(ok)


if __name__ == "__main__":
    sys.exit(main())
