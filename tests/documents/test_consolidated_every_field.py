"""The consolidated report carries every field of the form, each by its rule, with the figures
of the consolidation page (issue 11 point 6): yes/no counts, choice tallies, the formula value
against its 90 % target, the activities as a table; and the number formatting is one (point 7).
Real RQ, real LibreOffice, both databases."""

from __future__ import annotations

import io
from datetime import date

from docx import Document as Docx
from sqlalchemy import select

from app.models import Document, Role
from app.services import clock, consolidation, documents, plans, reports
from tests.documents.test_signed_is_reviewed import paragraphs
from tests.files import stored
from tests.services.test_plan_lifecycle import issue, load_plan, report_and_submit
from tests.web.conftest import login
from tests.worker.test_jobs import fresh, queued, run_queue  # noqa: F401


def table_rows(data: bytes) -> list[list[str]]:
    out = []
    for t in Docx(io.BytesIO(data)).tables:
        for row in t.rows:
            out.append([c.text for c in row.cells])
    return out


def test_tra_vinh_counts_tallies_and_activities(app, db, queued, people, client):  # noqa: ANN001, F811
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    clock.set_now(date(2024, 12, 20))
    period = plan.periods[0]
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    agencies = [a.agency for a in plan.reporting_assignments[:3]]
    answers = [
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
        },
        {"banners": 0, "slogans_used": False},
    ]
    for agency, data in zip(agencies, answers, strict=True):
        r = report_and_submit(plan, period, agency, people, data)
        reports.transition(r, "accept", specialist)
    db.session.commit()
    plans.close_round(period, specialist, today=date(2025, 1, 8))
    clock.set_now(date(2025, 1, 8))
    doc = consolidation.draft_consolidated_report(period, specialist)
    db.session.commit()
    run_queue(queued)
    doc = fresh(db, doc.id)
    data = stored(app, doc.docx_path)
    text = "\n".join(paragraphs(data))
    # sums, as on the page: 1.234 with the thousands dot (one formatting module)
    assert "- Số băng rôn, áp phích, biểu ngữ đã treo: 1.234 cái;" in text
    # yes/no counts
    assert (
        "- Có sử dụng các khẩu hiệu theo mục II.5 của Kế hoạch không? "
        "Có: 2 cơ quan, đơn vị; Không: 1 cơ quan, đơn vị;" in text
    )
    # choice tallies
    assert "+ Bảo đảm quyền con người cho tất cả mọi người: 2 cơ quan, đơn vị;" in text
    assert (
        "+ Việt Nam chung sức cùng cộng đồng quốc tế thúc đẩy và bảo vệ quyền con người: "
        "1 cơ quan, đơn vị;" in text
    )
    # repeating rows as a table, with the agency, the choice label, the date and a total row
    rows = table_rows(data)
    first = agencies[0].short_name or agencies[0].name
    assert any(
        r[1:4] == [first, "02/12/2024", "Treo băng rôn, áp phích, biểu ngữ"] and "1.500 người" in r
        for r in rows
    ), rows
    assert any("Treo băng rôn <b>" in r for r in rows)
    assert any(r[1] == "Cộng" and "2.050" in r for r in rows), rows
    # text listed by agency
    assert f"- {first}: Thiếu kinh phí in ấn." in text

    # the consolidation page shows the same figures
    login(client, specialist)
    page = client.get(f"/periods/{period.id}/consolidation").get_data(as_text=True)
    assert "1.234" in page and "Treo băng rôn &lt;b&gt;" in page and "2.050" in page


def test_ninh_thuan_formula_value_against_its_target(app, db, queued, people, client):  # noqa: ANN001, F811
    plan = load_plan("ninh-thuan-2023-2028.yaml")
    db.session.commit()
    clock.set_now(date(2022, 12, 28))
    issue(plan, people, date(2022, 12, 28))
    clock.set_now(date(2023, 12, 18))
    period = plan.periods[0]
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    for n, a in enumerate(plan.reporting_assignments[:3]):
        r = report_and_submit(
            plan,
            period,
            a.agency,
            people,
            {
                "has_training": n != 2,
                "fake_news_detected": 10,
                "fake_news_handled": 9 - n,
                "spokesperson_rate": 100,
                "training_sessions": 2,
            },
        )
        reports.transition(r, "accept", specialist)
    db.session.commit()
    plans.close_round(period, specialist, today=date(2024, 1, 5))
    clock.set_now(date(2024, 1, 5))
    doc = consolidation.draft_consolidated_report(period, specialist)
    db.session.commit()
    run_queue(queued)
    text = "\n".join(paragraphs(stored(app, fresh(db, doc.id).docx_path)))
    # 24 handled of 30 detected = 80 %, against the 90 % target: 88,89 % of it
    assert (
        "- Tỷ lệ tin giả, tin xấu độc đã xử lý trên số đã phát hiện: 80% "
        "(mục tiêu: 90%; đạt 88,89%)" in text
    ), text
    assert "Có: 2 cơ quan, đơn vị; Không: 1 cơ quan, đơn vị" in text
    assert "(Kèm theo Báo cáo số /BC-" in text  # the appendix of the draft: no number yet
    documents.transition(fresh(db, doc.id), "request_signature", specialist)
    db.session.commit()
    documents.transition(fresh(db, doc.id), "sign", people(plan.standing_agency, Role.SIGNER))
    db.session.commit()
    documents.transition(fresh(db, doc.id), "release", people(plan.standing_agency, Role.CLERK))
    db.session.commit()
    run_queue(queued)
    doc = fresh(db, doc.id)
    released = "\n".join(paragraphs(stored(app, doc.docx_path)))
    # the printed number is the register's everywhere, the appendix's reference too
    assert f"(Kèm theo Báo cáo số {doc.symbol} ngày 05 tháng 01 năm 2024 của" in released
    assert "/BC-" not in released.replace(doc.symbol, "")
    login(client, specialist)
    page = client.get(f"/periods/{period.id}/consolidation").get_data(as_text=True)
    assert "88,89%" in page and "80" in page


def test_the_agencys_own_report_document_is_reachable_and_numbered(app, db, people, client):  # noqa: ANN001
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    clock.set_now(date(2024, 12, 20))
    agency = plan.reporting_assignments[0].agency
    r = report_and_submit(plan, plan.periods[0], agency, people, {"banners": 3})
    db.session.commit()
    reporter = people(agency, Role.REPORTER)
    login(client, reporter)
    page = client.get(f"/reports/{r.id}").get_data(as_text=True)
    assert f'action="/reports/{r.id}/document"' in page and "Soạn văn bản báo cáo" in page
    resp = client.post(f"/reports/{r.id}/document")
    assert resp.status_code == 302
    doc = db.session.scalar(select(Document).where(Document.report_id == r.id))
    assert doc.kind == "report" and resp.headers["Location"].endswith(f"/documents/{doc.id}")
    page = client.get(f"/reports/{r.id}").get_data(as_text=True)
    assert f"/documents/{doc.id}" in page  # the report page links its document
    documents.transition(doc, "request_signature", reporter)
    documents.transition(doc, "sign", people(agency, Role.AGENCY_LEADER))
    documents.transition(doc, "release", people(agency, Role.CLERK))
    db.session.commit()
    assert doc.symbol == f"01/BC-{agency.abbreviation}"
