"""Consolidated report for 10, 100 and 1,000 agencies: our pipeline against bare docxtpl.

    python bench/bench_documents.py [repeats]

"ours" = consolidated_context() + render_docx() (clean_text on every string, StrictUndefined);
"bare" = DocxTemplate(...).render(ctx, autoescape=True); save, on the same template with the
context built once outside the timing. Prints medians (ms), the ratio and the cost per agency.
Goal: ratio within 1.3× and linear in agencies.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docxtpl import DocxTemplate  # noqa: E402

from tests.documents.samples import consolidated_sample  # noqa: E402
from worker.contexts import consolidated_context  # noqa: E402
from worker.render import render_docx  # noqa: E402

TEMPLATE = (ROOT / "templates" / "consolidated.docx").read_bytes()


def ours(doc: dict, agencies: dict) -> bytes:
    return render_docx(TEMPLATE, consolidated_context(doc, agencies, 7, date(2025, 1, 6)))


def bare(ctx: dict) -> bytes:
    tpl = DocxTemplate(io.BytesIO(TEMPLATE))
    tpl.render(ctx, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(repeats: int = 15) -> None:
    warm_doc, warm_agencies = consolidated_sample(10)
    ours(warm_doc, warm_agencies)  # warm imports and caches on both sides
    bare(consolidated_context(warm_doc, warm_agencies, 7, date(2025, 1, 6)))
    print(f"{'agencies':>8} {'ours ms':>9} {'bare ms':>9} {'ratio':>6} {'ours ms/agency':>15}")
    rows = []
    for n in (10, 100, 1000):
        doc, agencies = consolidated_sample(n)
        ctx = consolidated_context(doc, agencies, 7, date(2025, 1, 6))
        reps = repeats if n < 1000 else max(5, repeats // 2)
        o = median_ms(lambda d=doc, a=agencies: ours(d, a), reps)
        b = median_ms(lambda c=ctx: bare(c), reps)
        rows.append((n, o, b))
        print(f"{n:>8} {o:>9.1f} {b:>9.1f} {o / b:>6.2f} {o / n:>15.3f}")
    (n1, o1, _), (n3, o3, _) = rows[0], rows[-1]
    print(f"marginal cost per agency (10 → 1000): {(o3 - o1) / (n3 - n1):.3f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
