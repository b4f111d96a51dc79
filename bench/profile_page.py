"""One page profiled: N requests of a page as one bench user, through the Flask test client on a
freshly seeded PostgreSQL database (bench/seed.py), timed and under cProfile.

    python bench/profile_page.py [--size 10x100] [--user bench.chuyenvien] [--path /documents/]
                                 [--requests 20] [--top 15]

``--path`` may be given several times (the pages are measured one after the other on the same
seeded database; ``--top 0`` prints no profile). Paths may name the seed's ``{plan_id}`` and
``{period_id}``.

Prints the code it runs (the ``app`` package's path), the mean time per request without and
with the profiler, the SQL statements of one request, and the functions with the most
cumulative time. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import seed  # noqa: E402

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="10x100")
    ap.add_argument("--user", default="bench.chuyenvien")
    ap.add_argument("--path", action="append")
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    plans, agencies = (int(x) for x in args.size.split("x"))
    name = f"kehoach_profile_{plans}x{agencies}_{os.getpid()}"
    url = seed.create_database(ADMIN_URL, name)
    try:
        info = seed.seed(url, plans, agencies)
        import app as app_pkg
        from app import create_app
        from app.extensions import db

        print(f"code: {Path(app_pkg.__file__).parent}; seeded {info}")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "TESTING": True,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
            }
        )
        client = app.test_client()
        r = client.post("/auth/login", data={"username": args.user, "password": seed.PASSWORD})
        assert r.status_code == 302, r.status_code
        for raw in args.path or ["/documents/"]:
            _measure(app, client, raw.format(**info), args)
        with app.app_context():
            db.engine.dispose()
    finally:
        seed.drop_database(ADMIN_URL, name)


def _measure(app, client, path: str, args: argparse.Namespace) -> None:  # noqa: ANN001
    from sqlalchemy import event

    from app.extensions import db

    t = time.perf_counter()
    assert client.get(path).status_code == 200  # warm-up (kept rows computed, if any)
    first = (time.perf_counter() - t) * 1000
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(*_a: object, **_k: object) -> None:
        statements.append(str(_a[2])[:100])

    event.listen(engine, "before_cursor_execute", count)
    client.get(path)
    event.remove(engine, "before_cursor_execute", count)
    t, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.requests):
        assert client.get(path).status_code == 200
    plain = (time.perf_counter() - t) * 1000 / args.requests
    cpu = (time.process_time() - cpu) * 1000 / args.requests
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for _ in range(args.requests):
        client.get(path)
    prof.disable()
    profiled = (time.perf_counter() - t) * 1000 / args.requests
    print(
        f"{path} as {args.user}, {args.requests} requests: {plain:.1f} ms per request, "
        f"{cpu:.1f} ms CPU ({profiled:.1f} ms under cProfile; first request {first:.0f} ms), "
        f"{len(statements)} SQL statements",
        flush=True,
    )
    if not args.top:
        return
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats("cumulative")
    stats.print_stats(r"(app|workflows)/", args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
