"""``python -m worker [--burst]``: an RQ worker running inside one app created at start.

Everything a job needs is made once here, before RQ forks a work-horse per job: the app, docxtpl
and the jobs module imported, and this worker's own PDF converter started (unoserver with its own
LibreOffice, worker/convert.py): checked and restarted if it died before each job, stopped when
the worker stops. Several workers run several converters. ``kehoach worker`` runs this module.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kehoach worker")
    parser.add_argument("--burst", action="store_true", help="run the queued jobs, then stop")
    args = parser.parse_args(argv)

    import docxtpl  # noqa: F401
    from redis import Redis
    from rq import Queue, Worker

    class ConvertingWorker(Worker):
        """An RQ worker that keeps its PDF converter running between jobs."""

        def execute_job(self, job, queue):  # noqa: ANN001, ANN202
            try:
                convert.converter()  # restarted here if it died; the fork inherits it
            except convert.ConversionError as exc:
                print(f"Cảnh báo: bộ chuyển PDF chưa sẵn sàng: {exc}", file=sys.stderr)
            return super().execute_job(job, queue)

    from app import create_app
    from app.extensions import db
    from worker import convert, jobs

    app = create_app()
    with app.app_context():
        url = app.config.get("REDIS_URL")
        if not url:
            print("Chưa cấu hình REDIS_URL.", file=sys.stderr)
            return 2
        conn = Redis.from_url(url)
        jobs.set_app(app)
        try:
            convert.converter()
        except convert.ConversionError as exc:  # jobs retry the start and report it per document
            print(f"Cảnh báo: chưa khởi động được LibreOffice: {exc}", file=sys.stderr)
        db.engine.dispose()  # no pooled connection is shared with the forks
        queue = Queue(app.config["RQ_QUEUE"], connection=conn)
        # After a crash the dead worker's scheduler lock lives ~61 s; a restarted worker takes the
        # scheduling over at its next maintenance run, which an idle worker reaches only when its
        # blocking dequeue times out (worker_ttl - 15 s). RQ's defaults (600 s, 420 s) would leave
        # scheduled reminders waiting up to ten minutes; these keep it near a minute and a half.
        interval = int(app.config.get("WORKER_MAINTENANCE_INTERVAL") or 30)
        ttl = int(app.config.get("WORKER_TTL") or 45)
        try:
            ConvertingWorker(
                [queue], connection=conn, maintenance_interval=interval, worker_ttl=ttl
            ).work(burst=args.burst, with_scheduler=True)
        finally:
            convert.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
