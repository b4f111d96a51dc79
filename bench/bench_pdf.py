"""PDF conversion: our warm converters (unoserver, worker/convert.py) against ONE plain
``soffice --convert-to pdf`` call, for the same 20 documents, in the same run.

    python bench/bench_pdf.py [converters]

"ours": each document rendered (docxtpl) and handed to a warm converter while the next one
renders; ``converters`` warm converters (default: the CPU count, as with one RQ worker per
core), started and warmed before the timing (a worker starts its converter once).
"plain": the 20 .docx files, already rendered, converted by one ``soffice --headless
--convert-to pdf`` call (its profile made beforehand, so the first-start cost is not counted).
Prints seconds per document for both and the ratio. Goal: ours ≥ 2× faster, never slower.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.documents import samples  # noqa: E402
from worker import convert  # noqa: E402
from worker.contexts import (  # noqa: E402
    consolidated_context,
    plan_context,
    reminder_context,
    report_context,
)
from worker.render import render_docx  # noqa: E402

TEMPLATES = ROOT / "templates"
N = 20


def documents() -> list[tuple[str, dict]]:
    """20 documents of every kind (template name, context)."""
    cons, agencies = samples.consolidated_sample(30)
    kinds = [
        ("plan", plan_context(samples.TRA_VINH, samples.AGENCIES, 5, date(2024, 11, 5))),
        ("plan", plan_context(samples.NINH_THUAN, samples.AGENCIES, None, None)),
        ("report", report_context(samples.REPORT, samples.AGENCIES, 3, date(2025, 1, 2))),
        ("consolidated", consolidated_context(cons, agencies, 7, date(2025, 1, 6))),
        ("reminder", reminder_context(samples.REMINDER, samples.AGENCIES, 2, date(2024, 1, 2))),
    ]
    return [kinds[i % len(kinds)] for i in range(N)]


def ours(docs: list[tuple[str, dict]], converters: list[convert.Converter]) -> float:
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(converters)) as pool:
        futures = []
        for i, (kind, ctx) in enumerate(docs):
            data = render_docx(TEMPLATES / f"{kind}.docx", ctx)  # renders while others convert
            futures.append(pool.submit(converters[i % len(converters)].convert, data))
        pdfs = [f.result() for f in futures]
    elapsed = time.monotonic() - began
    assert all(p.startswith(b"%PDF") for p in pdfs)
    return elapsed


def plain(files: list[Path], out: Path, profile: Path) -> float:
    cmd = [
        shutil.which("soffice") or "soffice",
        "--headless",
        "--norestore",
        f"-env:UserInstallation=file://{profile}",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
    ]
    began = time.monotonic()
    subprocess.run([*cmd, *map(str, files)], check=True, capture_output=True)
    elapsed = time.monotonic() - began
    assert len(list(out.glob("*.pdf"))) == len(files)
    return elapsed


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv else (os.cpu_count() or 1)
    docs = documents()
    with tempfile.TemporaryDirectory(prefix="kehoach-bench-pdf-") as tmp:
        root = Path(tmp)
        os.environ["KEHOACH_CONVERT_DIR"] = str(root / "convert")
        files = []
        for i, (kind, ctx) in enumerate(docs):
            f = root / "in" / f"{i:02d}-{kind}.docx"
            f.parent.mkdir(exist_ok=True)
            f.write_bytes(render_docx(TEMPLATES / f"{kind}.docx", ctx))
            files.append(f)
        # plain: its profile made first (a user's soffice has one), then the timed call
        plain(files[:1], root / "warm-out", root / "plain-profile")
        converters = [convert.Converter() for _ in range(count)]
        try:
            for c in converters:  # started and warmed, as a worker does before its jobs
                c.start()
                c.convert(files[0].read_bytes())
            t_ours = ours(docs, converters)
        finally:
            for c in converters:
                c.stop()
        t_plain = plain(files, root / "out", root / "plain-profile")
    per_ours, per_plain = t_ours / N, t_plain / N
    print(f"{N} documents, {count} warm converter(s)")
    print(f"ours  (render + unoserver): {t_ours:6.2f} s  = {per_ours:.3f} s per document")
    print(f"plain (one soffice call):   {t_plain:6.2f} s  = {per_plain:.3f} s per document")
    print(f"ratio plain/ours: {per_plain / per_ours:.2f}x (goal ≥ 2, never < 1)")


if __name__ == "__main__":
    main(sys.argv[1:])
