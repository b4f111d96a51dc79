"""Every document kind of both example plans, from the database through the real templates and
the real LibreOffice, read page by page as a leader would (tests/documents/pages.py).

Set ``KEHOACH_PAGES_DIR`` to keep the PDFs (then ``pdftoppm -png`` them to look at the pages).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest

from app.models import Document, Role
from app.services import clock, documents, plans, reports
from tests.documents import samples
from tests.documents.pages import layout_problems, pdf_pages
from tests.services.test_plan_lifecycle import (
    VN,
    issue,
    load_plan,
    release_consolidated,
    report_and_submit,
)
from worker import context as wctx
from worker.contexts import consolidated_context
from worker.convert import docx_to_pdf
from worker.render import render_docx

KEEP = os.environ.get("KEHOACH_PAGES_DIR")
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _pdf(doc: Document, name: str) -> tuple[bytes, dict]:
    ctx = wctx.build(doc)
    pdf = docx_to_pdf(render_docx(wctx.template_for(doc.agency_id, doc.kind), ctx))
    if KEEP:
        Path(KEEP).mkdir(parents=True, exist_ok=True)
        (Path(KEEP) / f"{name}.pdf").write_bytes(pdf)
    return pdf, ctx


def _sign_and_release(doc: Document, people) -> None:  # noqa: ANN001
    from app.extensions import db
    from app.models import User

    agency = doc.agency
    drafter = db.session.get(User, doc.created_by_id)  # only the drafter sends for signature
    documents.transition(doc, "request_signature", drafter)
    documents.transition(doc, "sign", people(agency, Role.SIGNER))
    documents.transition(doc, "release", people(agency, Role.CLERK))


PLANS = {
    "tv": (
        "tra-vinh-2024.yaml",
        date(2024, 11, 5),
        {"banners": 12, "slogans_used": True, "articles": 2, "difficulties": "Kinh phí ít."},
        datetime(2024, 12, 20, 10, tzinfo=VN),
        date(2025, 1, 8),
    ),
    "nt": (
        "ninh-thuan-2023-2028.yaml",
        date(2022, 12, 28),
        {
            "has_training": True,
            "fake_news_detected": 10,
            "fake_news_handled": 9,
            "spokesperson_rate": 100,
            "training_sessions": 2,
        },
        datetime(2023, 12, 18, 10, tzinfo=VN),
        date(2024, 1, 5),
    ),
}


def _documents(db, people, which: str) -> dict[str, Document]:  # noqa: ANN001
    """Drafts and released copies of every kind for one example plan."""
    file, issued, answers, reported, closed = PLANS[which]
    plan = load_plan(file)
    db.session.commit()
    clock.set_now(issued)
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    out = {
        "plan-draft": documents.create_document(
            "plan", plan.issuer, plan.title, specialist, plan=plan
        )
    }
    out["plan"] = issue(plan, people, issued)
    period = plan.periods[0]
    agency = plan.reporting_assignments[0].agency
    clock.set_now(reported)
    r = report_and_submit(plan, period, agency, people, answers)
    reports.transition(r, "accept", specialist)
    out["report-draft"] = documents.create_document(
        "report",
        agency,
        "Báo cáo",
        people(agency, Role.REPORTER),
        plan=plan,
        period=period,
        report=r,
    )
    out["report"] = documents.create_document(
        "report",
        agency,
        "Báo cáo",
        people(agency, Role.REPORTER),
        plan=plan,
        period=period,
        report=r,
    )
    _sign_and_release(out["report"], people)
    clock.set_now(closed)  # past the deadline: the others are reminded
    for kind in ("reminder-draft", "reminder"):
        out[kind] = documents.create_document(
            "reminder",
            plan.standing_agency,
            "Đôn đốc",
            specialist,
            plan=plan,
            period=period,
            unit_abbr="TH",
        )
    _sign_and_release(out["reminder"], people)
    plans.close_round(period, specialist, today=closed)
    out["consolidated"] = release_consolidated(period, people)
    db.session.commit()
    return out


@pytest.mark.parametrize("which", sorted(PLANS))
def test_every_kind_reads_right_page_by_page(db, people, which):  # noqa: ANN001
    docs = _documents(db, people, which)
    problems, texts = {}, {}
    for name, doc in docs.items():
        pdf, ctx = _pdf(doc, f"{which}-{name}")
        texts[name] = " ".join(" ".join(pdf_pages(pdf)).split())
        found = layout_problems(pdf, ctx, draft=name.endswith("-draft"))
        if found:
            problems[name] = found
    assert problems == {}
    report_to = {
        "tv": "Cơ quan Thường trực Ban Chỉ đạo về Nhân quyền tỉnh (Công an tỉnh)",
        "nt": "Ủy ban nhân dân tỉnh (thông qua Sở Thông tin và Truyền thông)",
    }[which]
    assert f"gửi báo cáo kết quả thực hiện về {report_to}" in texts["reminder"]
    standing = docs["consolidated"].agency
    missing = texts["consolidated"].split("Chưa báo cáo (", 1)[1].split(". ", 1)[0]
    assert (standing.short_name or standing.name) not in missing  # not in its own list


def test_sixty_agency_consolidation_reads_right(tmp_path):
    cons, agencies = samples.consolidated_sample(60)
    ctx = consolidated_context(cons, agencies, 7, date(2025, 1, 6))
    pdf = docx_to_pdf(render_docx(TEMPLATES / "consolidated.docx", ctx))
    if KEEP:
        (Path(KEEP) / "consolidated-60.pdf").write_bytes(pdf)
    assert layout_problems(pdf, ctx, draft=False) == []
    assert len(pdf_pages(pdf)) <= 8
