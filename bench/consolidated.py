"""The consolidated report end to end — query, context, render — against bare docxtpl, at 100,
1,000 and 10,000 agencies, on PostgreSQL seeded by bench/seed.py (1 plan × N agencies).

    python bench/consolidated.py [100,1000,10000]

"end to end" = consolidation.consolidate_period() (the reports and statuses read from the
database and summed) + worker.context.build() (the document's context from the database) +
render_docx(); what the worker does for a draft, PDF excluded (timed apart: LibreOffice).
"bare" = DocxTemplate(template).render(ctx, autoescape=True) + save, on the same template and the
context built once outside the timing. Medians of 3 after one warm-up run of each (1 run at
10,000, not warmed). Wall-clock and this process's CPU time are both printed: on a shared
machine the wall clock carries the other processes' load; the CPU time leaves out PostgreSQL's
own work.
"""

from __future__ import annotations

import io
import os
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


def one_size(n: int, repeats: int) -> tuple[float, float, float, float, float | None]:
    from docxtpl import DocxTemplate
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Document, ReportingPeriod, User
    from app.services import consolidation
    from worker import context
    from worker.render import render_docx

    name = f"kehoach_bench_cons_{n}_{os.getpid()}"
    url = seed.create_database(ADMIN_URL, name)
    try:
        info = seed.seed(url, 1, n)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "b"})
        with app.app_context():
            period = db.session.get(ReportingPeriod, info["consolidated_period_id"])
            doc = db.session.scalar(
                select(Document).where(
                    Document.kind == "consolidated", Document.period_id == period.id
                )
            )
            specialist = db.session.scalar(select(User).where(User.username == "bench.chuyenvien"))
            doc_id, period_id, user_id = doc.id, period.id, specialist.id
            template = context.template_for(doc.agency_id, "consolidated")
            template_bytes = (
                template if isinstance(template, bytes) else Path(template).read_bytes()
            )

            def end_to_end() -> bytes:
                db.session.expire_all()
                p = db.session.get(ReportingPeriod, period_id)
                consolidation.consolidate_period(p, db.session.get(User, user_id))
                db.session.flush()
                d = db.session.get(Document, doc_id)
                data = render_docx(context.template_for(d.agency_id, d.kind), context.build(d))
                db.session.rollback()
                return data

            ctx = None

            def built() -> dict:
                p = db.session.get(ReportingPeriod, period_id)
                consolidation.consolidate_period(p, db.session.get(User, user_id))
                db.session.flush()
                c = context.build(db.session.get(Document, doc_id))
                db.session.rollback()
                return c

            ctx = built()

            def bare() -> bytes:
                tpl = DocxTemplate(io.BytesIO(template_bytes))
                tpl.render(ctx, autoescape=True)
                out = io.BytesIO()
                tpl.save(out)
                return out.getvalue()

            if n < 10000:  # warm: Babel's locale data, the template's first parse
                end_to_end()
                bare()
            ours, plain, ours_cpu, plain_cpu = [], [], [], []
            for _ in range(repeats):
                t, c = time.perf_counter(), time.process_time()
                data = end_to_end()
                ours.append((time.perf_counter() - t) * 1000)
                ours_cpu.append((time.process_time() - c) * 1000)
                t, c = time.perf_counter(), time.process_time()
                bare()
                plain.append((time.perf_counter() - t) * 1000)
                plain_cpu.append((time.process_time() - c) * 1000)
            pdf_ms = None
            if n <= 1000:
                from worker.convert import docx_to_pdf

                docx_to_pdf(data)  # warm
                t = time.perf_counter()
                docx_to_pdf(data)
                pdf_ms = (time.perf_counter() - t) * 1000
            db.session.remove()
            db.engine.dispose()
        return (
            statistics.median(ours),
            statistics.median(plain),
            statistics.median(ours_cpu),
            statistics.median(plain_cpu),
            pdf_ms,
        )
    finally:
        seed.drop_database(ADMIN_URL, name)


def main() -> None:
    sizes = [int(x) for x in (sys.argv[1] if len(sys.argv) > 1 else "100,1000,10000").split(",")]
    rows = []
    print(
        f"{'agencies':>9} {'end-to-end ms':>14} {'bare ms':>9} {'ratio':>6} {'ms/agency':>10} "
        f"{'CPU e2e ms':>11} {'CPU bare ms':>12} {'CPU ratio':>10} {'PDF ms':>8}"
    )
    for n in sizes:
        ours, plain, ours_cpu, plain_cpu, pdf = one_size(n, 3 if n < 10000 else 1)
        rows.append((n, ours, plain))
        pdf_text = f"{pdf:.0f}" if pdf is not None else "–"
        print(
            f"{n:>9} {ours:>14.0f} {plain:>9.0f} {ours / plain:>6.2f} {ours / n:>10.2f} "
            f"{ours_cpu:>11.0f} {plain_cpu:>12.0f} {ours_cpu / plain_cpu:>10.2f} {pdf_text:>8}",
            flush=True,
        )


if __name__ == "__main__":
    main()
