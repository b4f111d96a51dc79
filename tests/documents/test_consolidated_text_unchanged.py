"""The consolidated report prints the same text, word for word, for a fixed world: every field of
the Trà Vinh form (sums, yes/no counts, choice tallies, repeating rows, texts), reports accepted
on time and late, one submitted but not accepted, the others missing. Read as a user reads it:
the .docx opened with python-docx (every paragraph of the header, body and tables), and with
the per-agency figures in the spreadsheet annex (openpyxl) when the report is "large".

The expected text (``tests/data/documents/consolidated-*.txt``) was written by main at 42df4ac,
before the consolidation was stored in its slimmer form and the status module read plain rows:
speed work must not change a word. The document is made three ways — from the consolidation
just recorded (the worker's draft), from the stored row read back from the database, and from
a row stored in the first format (documents drafted before: they must render the same).
``KEHOACH_WRITE_EXPECTED=1`` rewrites the files (only on purpose, after reading the diff).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.models import Consolidation, Role
from app.services import clock, consolidation, plans, reports
from tests.documents.test_signed_is_reviewed import paragraphs
from tests.services.test_plan_lifecycle import issue, load_plan, report_and_submit
from worker import context, contexts
from worker.annex import render_xlsx
from worker.render import render_docx

EXPECTED = Path(__file__).resolve().parents[1] / "data" / "documents"

ANSWERS = [
    {
        "banners": 1200,
        "slogans_used": True,
        "slogans_chosen": ["kh1", "kh2"],
        "activities": [
            {
                "date": "2024-12-02",
                "form": "bang_ron",
                "content": "Treo băng rôn <b>",
                "place": "Phường 1",
                "participants": 1500,
            },
            {
                "date": "2024-12-05",
                "form": "to_roi",
                "content": "Phát tờ rơi",
                "place": "Chợ",
                "participants": 300,
            },
        ],
        "difficulties": "Thiếu kinh phí in ấn.",
    },
    {
        "banners": 34,
        "slogans_used": True,
        "slogans_chosen": ["kh1"],
        "activities": [
            {
                "date": "2024-12-09",
                "form": "tuyen_truyen_mieng",
                "content": "Nói chuyện chuyên đề",
                "place": "Hội trường",
                "participants": 250,
            },
        ],
        "difficulties": "Cần thêm tài liệu.\nĐề nghị hướng dẫn cách báo cáo.",
    },
    {"banners": 0, "slogans_used": False},
    {"banners": 7, "slogans_used": True, "slogans_chosen": ["kh2"]},  # submitted late
    {"banners": 51, "slogans_used": False},  # submitted, never accepted
]


def _world(db, people):  # noqa: ANN001, ANN202
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    period = plan.periods[0]
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    agencies = [a.agency for a in plan.reporting_assignments[: len(ANSWERS)]]
    for i, (agency, data) in enumerate(zip(agencies, ANSWERS, strict=True)):
        clock.set_now(date(2025, 1, 6) if i == 3 else date(2024, 12, 20))  # due 2025-01-01
        r = report_and_submit(plan, period, agency, people, data)
        if i < 4:
            reports.transition(r, "accept", specialist)
    db.session.commit()
    clock.set_now(date(2025, 1, 8))  # closed after the due date: the missing ones are overdue
    plans.close_round(period, specialist, today=date(2025, 1, 8))
    doc = consolidation.draft_consolidated_report(period, specialist)
    db.session.commit()
    return period, doc


def _printed(doc) -> list[str]:  # noqa: ANN001
    """The document's text as the worker makes it (context, annex and its digest, .docx), and
    the annex's cells when there is one."""
    ctx = dict(context.build(doc))
    out: list[str] = []
    if ctx.get("annex"):
        annex = render_xlsx(ctx)
        contexts.set_annex_digest(ctx, hashlib.sha256(annex).hexdigest())
        wb = load_workbook(io.BytesIO(annex), data_only=True)
        for ws in wb.worksheets:
            out.append(f"== {ws.title}")
            out += [
                " | ".join("" if v is None else str(v) for v in row)
                for row in ws.iter_rows(values_only=True)
            ]
    data = render_docx(context.template_for(doc.agency_id, doc.kind), ctx)
    return paragraphs(data) + out


@pytest.mark.parametrize("annexed", [False, True], ids=["table", "annex"])
def test_the_consolidated_report_prints_the_same_text(app, db, people, monkeypatch, annexed):  # noqa: ANN001, ANN201
    if annexed:
        monkeypatch.setattr(contexts, "ANNEX_ROWS", 5)
    period, doc = _world(db, people)
    expected_file = EXPECTED / f"consolidated-{'annex' if annexed else 'table'}.txt"

    made = []
    consolidation.record(period, None)  # as the worker's job: recorded, then built
    made.append(_printed(doc))
    db.session.commit()
    db.session.expire_all()  # the stored row read back from the database
    made.append(_printed(doc))
    row = db.session.scalar(select(Consolidation).where(Consolidation.period_id == period.id))
    assert row.results["format"] == consolidation.STORED_FORMAT  # kept slim
    assert "agencies" not in row.results["fields"][0]
    first_format = dict(consolidation.from_stored(row.results))
    first_format.pop("by_name")  # the first format: a dict per field and agency
    assert "format" not in first_format
    row.results = json.loads(json.dumps(first_format))
    db.session.commit()
    db.session.expire_all()
    made.append(_printed(doc))

    if os.environ.get("KEHOACH_WRITE_EXPECTED"):
        expected_file.parent.mkdir(parents=True, exist_ok=True)
        expected_file.write_text("\n".join(made[0]) + "\n", encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    for text in made:
        assert text == expected
