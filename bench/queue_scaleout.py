"""Queue scale-out: the time 1 and 2 RQ workers take to render N documents (.docx + PDF), each
worker with its own warm converter (worker/convert.py), on PostgreSQL and Redis.

    python bench/queue_scaleout.py [N=200] [--workers 1,2]

A private database (bench/seed.py: 1 plan x N agencies, one report each) and a private queue.
2 x N report documents are drafted without rendering, one set per worker count. For each
count the workers (``python -m worker``, the production worker) are started and waited for
until each reports its converter ready (start-up is not timed); then one set's N render
requests are committed at once and the time until every document is rendered (the render
state the document page polls) is taken. The workers are stopped (SIGTERM) after each count.
Prints seconds, documents per second and the speed-up over 1 worker; also each worker's peak
RSS (its own and its work-horses', from /proc). Goal: 2 workers >= 1.9x as fast as 1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import seed  # noqa: E402

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TIMEOUT = 1800.0  # s for one set


def _rss_kb(pid: int) -> int:
    """VmHWM (peak RSS) of ``pid`` in kB, 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def run(n: int, counts: list[int]) -> list[tuple[int, float, int]]:
    from redis import Redis
    from sqlalchemy import func, select

    from app import create_app
    from app.extensions import db
    from app.models import Agency, Document, DocumentKind, Report
    from app.services import documents, health

    pid = os.getpid()
    name = f"kehoach_bench_queue_{pid}"
    queue = f"kehoach-bench-queue-{pid}"
    url = seed.create_database(ADMIN_URL, name)
    redis = Redis.from_url(REDIS_URL)
    out: list[tuple[int, float, int]] = []
    with tempfile.TemporaryDirectory(prefix="kehoach-bench-queue-") as tmp:
        env = dict(
            os.environ,
            DATABASE_URL=url,
            REDIS_URL=REDIS_URL,
            KEHOACH_RQ_QUEUE=queue,
            KEHOACH_INSTANCE=tmp,
            KEHOACH_SECRET_KEY="bench-queue-secret",
        )
        try:
            seed.seed(url, 1, n)
            app = create_app(
                {
                    "SQLALCHEMY_DATABASE_URI": url,
                    "REDIS_URL": REDIS_URL,
                    "RQ_QUEUE": queue,
                    "SECRET_KEY": "bench-queue-secret",
                }
            )
            with app.app_context():
                reports = db.session.scalars(select(Report).order_by(Report.id)).all()[:n]
                sets: list[list[int]] = []
                for _ in counts:  # one set of N drafts per worker count, not rendered yet
                    ids = []
                    for r in reports:
                        agency = db.session.get(Agency, r.agency_id)
                        assert agency is not None
                        doc = documents.create_document(
                            DocumentKind.REPORT,
                            agency,
                            f"Báo cáo {agency.name}",
                            None,
                            plan=r.plan,
                            period=r.period,
                            report=r,
                            render=False,
                        )
                        ids.append(doc.id)
                    sets.append(ids)
                db.session.commit()
                for k, ids in zip(counts, sets, strict=True):
                    procs = [
                        subprocess.Popen(
                            [sys.executable, "-m", "worker"],
                            cwd=ROOT,
                            env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=open(Path(tmp) / f"worker-{k}-{i}.log", "w"),  # noqa: SIM115
                            start_new_session=True,
                        )
                        for i in range(k)
                    ]
                    peak: dict[int, int] = {}
                    try:
                        key = health.CONVERTER_KEY.format(queue=queue)
                        began = time.monotonic()
                        while redis.hlen(key) < k:  # every worker's converter warm
                            if time.monotonic() - began > 300:
                                raise RuntimeError("workers did not start")
                            time.sleep(0.5)
                        for doc_id in ids:
                            doc = db.session.get(Document, doc_id)
                            assert doc is not None
                            documents.request_render(doc)
                        began = time.monotonic()
                        db.session.commit()  # the N jobs are enqueued on commit
                        while True:
                            for p in procs:
                                for q in [p.pid, *_children(p.pid)]:
                                    peak[q] = max(peak.get(q, 0), _rss_kb(q))
                            db.session.rollback()
                            states = {
                                state: count
                                for state, count in db.session.execute(
                                    select(Document.render_state, func.count())
                                    .where(Document.id.in_(ids))
                                    .group_by(Document.render_state)
                                )
                            }
                            if states.get("failed"):
                                raise RuntimeError(f"a render failed: {states}")
                            if states.get("done", 0) == len(ids):
                                break
                            if time.monotonic() - began > TIMEOUT:
                                raise RuntimeError(f"not done in {TIMEOUT} s: {states}")
                            time.sleep(0.2)
                        elapsed = time.monotonic() - began
                    finally:
                        for p in procs:
                            p.send_signal(signal.SIGTERM)
                        for p in procs:
                            try:
                                p.wait(60)
                            except subprocess.TimeoutExpired:
                                os.killpg(p.pid, signal.SIGKILL)
                                p.wait()
                        redis.delete(health.CONVERTER_KEY.format(queue=queue))
                    out.append((k, elapsed, max(peak.values(), default=0)))
                    print(
                        f"{k} worker(s): {len(ids)} documents in {elapsed:.1f} s "
                        f"({len(ids) / elapsed:.2f}/s), peak RSS of a worker process "
                        f"{max(peak.values(), default=0) / 1024:.0f} MB",
                        flush=True,
                    )
                db.session.remove()
                db.engine.dispose()
        finally:
            for key in redis.scan_iter(f"rq:*{queue}*"):
                redis.delete(key)
            seed.drop_database(ADMIN_URL, name)
    return out


def main(argv: list[str]) -> None:
    n, counts = 200, [1, 2]
    args = list(argv)
    if "--workers" in args:
        i = args.index("--workers")
        counts = [int(x) for x in args[i + 1].split(",")]
        del args[i : i + 2]
    if args:
        n = int(args[0])
    rows = run(n, counts)
    base = next((t for k, t, _ in rows if k == 1), None)
    if base:
        for k, t, _ in rows:
            print(f"{k} worker(s): speed-up {base / t:.2f}x over 1")


if __name__ == "__main__":
    main(sys.argv[1:])
