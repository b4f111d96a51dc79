"""Where the consolidated report's end-to-end time goes, phase by phase (CPU of this process),
on PostgreSQL seeded by bench/seed.py (1 plan × N agencies, the per-agency table in the body as
``bench/consolidated.py``'s "table" measures it), and a cProfile of the whole.

    python bench/profile_consolidated.py 10000 [--keep] [--profile out.prof]

Phases: compute (status + adding up), store (JSON written, flushed), context (the stored row
read back and the document's context built), render (``render_docx``) and, apart, bare docxtpl
on the same context. Medians of 3 CPU times. ``--keep`` keeps the seeded database
(``kehoach_bench_prof_N``) for the next run.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
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
    n = int(sys.argv[1])
    keep = "--keep" in sys.argv
    prof_out = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else None
    import io

    import sqlalchemy as sa
    from docxtpl import DocxTemplate
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Document, ReportingPeriod, User
    from app.services import consolidation
    from worker import context, contexts
    from worker.render import render_docx

    contexts.ANNEX_ROWS = 10**9
    name = f"kehoach_bench_prof_{n}"
    url = (
        sa.engine.make_url(ADMIN_URL)
        .set(drivername="postgresql+psycopg", database=name)
        .render_as_string(hide_password=False)
    )
    engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        exists = c.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        have = exists.first() is not None
    engine.dispose()
    if not (keep and have):
        seed.create_database(ADMIN_URL, name)
        seed.seed(url, 1, n)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "b"})
    try:
        with app.app_context():
            doc = db.session.scalar(select(Document).where(Document.kind == "consolidated"))
            period_id, doc_id = doc.period_id, doc.id
            user_id = db.session.scalar(select(User.id).where(User.username == "bench.chuyenvien"))
            template = context.template_for(doc.agency_id, "consolidated")
            tbytes = template if isinstance(template, bytes) else Path(template).read_bytes()
            phases: dict[str, list[float]] = {}

            def timed(label: str, f, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
                c = time.process_time()
                out = f(*a, **kw)
                phases.setdefault(label, []).append((time.process_time() - c) * 1000)
                return out

            real_compute = consolidation.compute

            def compute(*a, **kw):  # noqa: ANN002, ANN003, ANN202
                return timed("compute", real_compute, *a, **kw)

            consolidation.compute = compute  # type: ignore[assignment]

            def once() -> dict:
                """What bench/consolidated.py's end-to-end does, phase by phase."""
                c = time.process_time()
                db.session.expire_all()
                p = db.session.get(ReportingPeriod, period_id)
                consolidation.consolidate_period(p, db.session.get(User, user_id))
                db.session.flush()
                phases.setdefault("consolidate", []).append((time.process_time() - c) * 1000)
                d = db.session.get(Document, doc_id)
                ctx = timed("context", context.build, d)
                timed("render", render_docx, template, ctx)
                timed("rollback", db.session.rollback)
                return ctx

            def bare(ctx: dict) -> None:
                tpl = DocxTemplate(io.BytesIO(tbytes))
                tpl.render(ctx, autoescape=True)
                tpl.save(io.BytesIO())

            ctx = once()  # warm
            for _ in range(3):
                ctx = once()
                timed("bare", bare, ctx)
            print(f"{n} agencies, CPU ms (median of 3):")
            for k, v in phases.items():
                print(f"  {k:>8}: {statistics.median(v[-3:]):8.0f}")
            nonrender = sum(
                statistics.median(phases[k][-3:]) for k in ("consolidate", "context", "rollback")
            )
            print(f"  non-render (consolidate, context, rollback): {nonrender:.0f}")
            if prof_out:
                pr = cProfile.Profile()
                pr.enable()
                once()
                pr.disable()
                pr.dump_stats(prof_out)
                pstats.Stats(pr).sort_stats("cumulative").print_stats(40)
    finally:
        with app.app_context():
            db.engine.dispose()
        if not keep:
            seed.drop_database(ADMIN_URL, name)


if __name__ == "__main__":
    main()
