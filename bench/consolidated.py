"""The consolidated report end to end — query, context, render — against bare docxtpl, at 100,
1,000 and 10,000 agencies, on PostgreSQL seeded by bench/seed.py (1 plan × N agencies).

    python bench/consolidated.py [100,1000,10000]

Two documents per size:
- "table": every agency's row in the document itself (the annex threshold
  ``worker.contexts.ANNEX_ROWS`` lifted), the measure of issue 16;
- "annex": what the worker makes (above ``ANNEX_ROWS`` agencies the per-agency figures go to a
  spreadsheet annex, ``worker.annex``); its "bare" is docxtpl on the same body context plus a
  bare openpyxl write-only workbook of the same annex rows (no styles). At 100 agencies both are
  the same document.
Peak memory (``peak MB``): a fresh process does the end-to-end job once (consolidate, context,
render, as the worker's work-horse) and reports the resident memory it added and its
high-water mark (VmHWM), after the timings.

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

import hashlib
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import seed  # noqa: E402

ANNEX_ROWS = 200  # worker.contexts.ANNEX_ROWS, as shipped

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
)


def _vm(field: str) -> float:
    """A field of /proc/self/status in MB (VmRSS: resident now, VmHWM: its high-water mark)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_process(url: str, period_id: int, doc_id: int, user_id: int, annexed: bool) -> None:
    """In a fresh process (``--peak``): do the end-to-end job once, as the worker's work-horse
    does, and print the resident memory it added (VmHWM − VmRSS before) and its high-water
    mark, in MB (lxml's and docxtpl's memory is malloc'd outside Python: tracemalloc would not
    see it)."""
    from app import create_app
    from app.extensions import db
    from app.models import Document, ReportingPeriod, User
    from app.services import consolidation
    from worker import context, contexts
    from worker.annex import render_xlsx
    from worker.contexts import set_annex_digest
    from worker.render import render_docx

    contexts.ANNEX_ROWS = ANNEX_ROWS if annexed else 10**9
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "b"})
    with app.app_context():
        before = _vm("VmRSS")
        consolidation.consolidate_period(
            db.session.get(ReportingPeriod, period_id), db.session.get(User, user_id)
        )
        db.session.flush()
        d = db.session.get(Document, doc_id)
        c = context.build(d)
        if c.get("annex"):
            set_annex_digest(c, hashlib.sha256(render_xlsx(c)).hexdigest())
        render_docx(context.template_for(d.agency_id, d.kind), c)
        db.session.rollback()
        print(f"{_vm('VmHWM') - before:.0f} {_vm('VmHWM'):.0f}")


def one_size(
    n: int, repeats: int, annexed: bool
) -> tuple[float, float, float, float, float | None, str]:
    from docxtpl import DocxTemplate
    from openpyxl import Workbook
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Document, ReportingPeriod, User
    from app.services import consolidation
    from worker import context, contexts
    from worker.annex import render_xlsx
    from worker.contexts import set_annex_digest
    from worker.render import render_docx

    contexts.ANNEX_ROWS = ANNEX_ROWS if annexed else 10**9

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
                c = context.build(d)
                if c.get("annex"):  # as worker.jobs._produce: the annex, its digest, the body
                    set_annex_digest(c, hashlib.sha256(render_xlsx(c)).hexdigest())
                data = render_docx(context.template_for(d.agency_id, d.kind), c)
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
                if ctx.get("annex"):  # the same rows written by bare openpyxl
                    wb = Workbook(write_only=True)
                    for section in ctx["annex"]["sections"]:
                        ws = wb.create_sheet(section["sheet"])
                        ws.append([c["label"] for c in section["columns"]])
                        for row in section["rows"] + section["totals"]:
                            ws.append(row)
                    wb.save(io.BytesIO())
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
            if annexed or n <= 100:  # the table in the body: minutes to an hour (README)
                from worker.convert import docx_to_pdf

                docx_to_pdf(data)  # warm
                t = time.perf_counter()
                docx_to_pdf(data)
                pdf_ms = (time.perf_counter() - t) * 1000
            db.session.remove()
            db.engine.dispose()
            out = subprocess.run(
                [sys.executable, __file__, "--peak", url, str(period_id), str(doc_id)]
                + [str(user_id), "1" if annexed else "0"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            peak_mb = f"{out[-2]}/{out[-1]}"
            db.engine.dispose()
        return (
            statistics.median(ours),
            statistics.median(plain),
            statistics.median(ours_cpu),
            statistics.median(plain_cpu),
            pdf_ms,
            peak_mb,
        )
    finally:
        seed.drop_database(ADMIN_URL, name)


def main() -> None:
    if sys.argv[1:2] == ["--peak"]:
        a = sys.argv[2:]
        peak_process(a[0], int(a[1]), int(a[2]), int(a[3]), a[4] == "1")
        return
    sizes = [int(x) for x in (sys.argv[1] if len(sys.argv) > 1 else "100,1000,10000").split(",")]
    print(
        f"{'agencies':>9} {'document':>8} {'e2e ms':>8} {'bare ms':>8} {'ratio':>6} "
        f"{'ms/agency':>10} {'CPU e2e':>8} {'CPU bare':>9} {'CPU ratio':>10} {'PDF ms':>8} "
        f"{'peak MB':>8}"
    )
    for n in sizes:
        for annexed in (False, True):  # peak MB: added by the job / the process's high-water
            if annexed and n <= ANNEX_ROWS:
                continue  # the same document as "table"
            ours, plain, ours_cpu, plain_cpu, pdf, peak = one_size(
                n, 3 if n < 10000 else 1, annexed
            )
            pdf_text = f"{pdf:.0f}" if pdf is not None else "–"
            print(
                f"{n:>9} {'annex' if annexed else 'table':>8} {ours:>8.0f} {plain:>8.0f} "
                f"{ours / plain:>6.2f} {ours / n:>10.2f} {ours_cpu:>8.0f} {plain_cpu:>9.0f} "
                f"{ours_cpu / plain_cpu:>10.2f} {pdf_text:>8} {peak:>8}",
                flush=True,
            )


if __name__ == "__main__":
    main()
