"""The document worker: real RQ on the real Redis, real LibreOffice, both databases."""

from __future__ import annotations

import os
import re
import signal
import time
from datetime import date, datetime
from pathlib import Path
from typing import IO

import pytest
from docx import Document as Docx
from rq.registry import StartedJobRegistry
from sqlalchemy import select

from app.models import Document, Role
from app.services import clock, documents, plans, reports
from app.services.jobs import rq_job_id
from app.services.storage import stored_at
from tests.files import stored, stored_io, stored_names
from tests.services.test_plan_lifecycle import (
    VN,
    issue,
    load_plan,
    release_consolidated,
    report_and_submit,
)
from tests.workers import queued, run_queue, start_worker  # noqa: F401  (fixture)
from worker import jobs


def docx_text(path: Path | IO[bytes]) -> str:
    d = Docx(path if not isinstance(path, Path) else str(path))
    out = [p.text for p in d.paragraphs]

    def cells(tables):  # noqa: ANN001, ANN202
        for t in tables:
            for row in t.rows:
                for c in row.cells:
                    out.extend(p.text for p in c.paragraphs)
                    cells(c.tables)

    cells(d.tables)
    return "\n".join(out)


def first_page_header(path: Path | IO[bytes]) -> str:
    d = Docx(path if not isinstance(path, Path) else str(path))
    return "\n".join(p.text for p in d.sections[0].first_page_header.paragraphs)


STAMP_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00"


def fresh(db, doc_id: int) -> Document:  # noqa: ANN001
    db.session.rollback()
    return db.session.scalar(
        select(Document).where(Document.id == doc_id).execution_options(populate_existing=True)
    )


def files_of(app, doc_id: int) -> list[str]:  # noqa: ANN001
    return stored_names(app, f"documents/{doc_id}")


def tra_vinh_documents(db, people):  # noqa: ANN001, ANN201, F811
    """Trà Vinh through the services: the plan issued, three reports (one late), a reminder
    to the others, a report document, the round closed and the consolidated report released."""
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    plan_doc = issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    period = plan.periods[0]
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    agencies = [a.agency for a in plan.reporting_assignments]
    submitted = []
    for i, agency in enumerate(agencies[:3]):
        clock.set_now(
            datetime(2024, 12, 20, 10, tzinfo=VN) if i != 2 else datetime(2025, 1, 6, 10, tzinfo=VN)
        )
        if i == 2:  # before the late one reports, a reminder goes to all who have not
            clock.set_now(date(2025, 1, 3))
            reminder = documents.create_document(
                "reminder",
                plan.standing_agency,
                "Đôn đốc báo cáo",
                specialist,
                plan=plan,
                period=period,
                unit_abbr="TH",
            )
            clock.set_now(datetime(2025, 1, 6, 10, tzinfo=VN))
        r = report_and_submit(
            plan,
            period,
            agency,
            people,
            {
                "banners": 10 * (i + 1),
                "slogans_used": True,
                "articles": 2,
                "difficulties": f"Khó khăn của {agency.name} <b>&</b>",
            },
        )
        reports.transition(r, "accept", specialist)
        submitted.append(r)
    report_doc = documents.create_document(
        "report",
        submitted[0].agency,
        "Báo cáo kết quả",
        people(submitted[0].agency, Role.REPORTER),
        plan=plan,
        period=period,
        report=submitted[0],
    )
    db.session.commit()
    plans.close_round(period, specialist, today=date(2025, 1, 8))
    clock.set_now(date(2025, 1, 8))
    cons_doc = release_consolidated(period, people)
    db.session.commit()
    return {
        "plan": plan_doc,
        "report": report_doc,
        "reminder": reminder,
        "consolidated": cons_doc,
        "_agencies": agencies,
        "_plan": plan,
    }


def test_each_kind_is_rendered_by_the_job(app, db, queued, people):  # noqa: ANN001, F811
    docs = tra_vinh_documents(db, people)
    run_queue(queued)
    texts = {}
    for kind in ("plan", "report", "reminder", "consolidated"):
        doc = fresh(db, docs[kind].id)
        state = (doc.render_state, doc.render_progress, doc.render_error)
        assert state == ("done", 100, None), kind
        assert doc.docx_path == f"documents/{doc.id}/{doc.render_key}.docx"
        assert stored(app, doc.pdf_path).startswith(b"%PDF")
        assert files_of(app, doc.id) == sorted(
            f"{doc.render_key}.{ext}" for ext in ("docx", "json", "pdf")
        )
        texts[kind] = docx_text(stored_io(app, doc.docx_path))
    reporter = docs["_agencies"][0]
    assert "Số: 01/KH-BCĐNQ" in texts["plan"]
    assert "Trà Vinh, ngày 05 tháng 11 năm 2024" in texts["plan"]
    assert "BAN CHỈ ĐẠO VỀ NHÂN QUYỀN\nTỈNH TRÀ VINH" in texts["plan"]  # between word groups
    assert "Lê Văn Hân" in texts["plan"]
    assert f"Số:    /BC-{reporter.abbreviation}" in texts["report"]
    assert "Trà Vinh, ngày    tháng" in texts["report"]  # unnumbered draft: blank day
    assert "Kế hoạch số 01/KH-BCĐNQ ngày 05 tháng 11 năm 2024" in texts["report"]
    assert "Số băng rôn, áp phích, biểu ngữ đã treo: 10 cái." in texts["report"]
    assert "<b>&</b>" in texts["report"]
    assert "Số:    /CA-TH" in texts["reminder"]
    assert "V/v đôn đốc báo cáo kết quả thực hiện Kế hoạch số 01/KH-BCĐNQ" in texts["reminder"]
    # a draft công văn names the agencies overdue when it is made (the status module's list)
    assert docs["_agencies"][3].name in texts["reminder"]
    assert docs["_agencies"][0].name not in texts["reminder"].split("Kính gửi")[1]
    assert "Số: 01/BC-CA" in texts["consolidated"]
    assert "Trà Vinh, ngày 08 tháng 01 năm 2025" in texts["consolidated"]
    n = len(docs["_agencies"])
    assert (
        f"Có {n} cơ quan, đơn vị phải báo cáo; đã nhận 3 báo cáo, trong đó 2 đúng hạn, "
        f"1 trễ hạn; {n - 3} cơ quan, đơn vị chưa báo cáo." in texts["consolidated"]
    )
    # due 01/01/2025 (a holiday), in on Monday 06/01: 02, 03 and 06 are working days late
    assert (
        "Trễ 3 ngày làm việc" in texts["consolidated"] and "Trễ 5 ngày" not in texts["consolidated"]
    )
    assert "- Số băng rôn, áp phích, biểu ngữ đã treo: 60 cái" in texts["consolidated"]
    # released: the electronic stamp top right of page 1 (FORMAT.md §6); the draft has none
    header = first_page_header(stored_io(app, fresh(db, docs["consolidated"].id).docx_path))
    assert re.fullmatch(rf"Số: 01/BC-CA\n{STAMP_TIME}", header), header
    assert re.fullmatch(
        rf"Số: 01/KH-BCĐNQ\n{STAMP_TIME}",
        first_page_header(stored_io(app, fresh(db, docs["plan"].id).docx_path)),
    )
    # the draft: no stamp, the draft mark instead
    assert (
        first_page_header(stored_io(app, fresh(db, docs["report"].id).docx_path))
        == "\nDỰ THẢO (lần 1)"
    )


def test_same_request_twice_makes_one_document(app, db, queued, people):  # noqa: ANN001, F811
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    doc = issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    key = doc.render_key
    documents.request_render(doc)  # the same request again before the worker ran
    db.session.commit()
    # the draft's and the signed one's (superseded), and the released one
    assert len(queued.get_job_ids()) == 3
    run_queue(queued)
    doc = fresh(db, doc.id)
    first = stored_at(doc.docx_path)
    assert doc.render_key == key and doc.render_state == "done"
    documents.request_render(doc)  # and once more after it ran
    db.session.commit()
    run_queue(queued)
    assert jobs.render_document(doc.id, key) == "exists"
    assert jobs.render_document(doc.id, "doc-1-v0-draft") == "superseded"
    assert files_of(app, doc.id) == [f"{key}.docx", f"{key}.json", f"{key}.pdf"]
    assert stored_at(fresh(db, doc.id).docx_path) == first  # not written again
    # Released: renaming the issuer later does not rewrite what was issued.
    plan.issuer.name = "Tên mới"
    db.session.commit()
    documents.request_render(fresh(db, doc.id))
    db.session.commit()
    run_queue(queued)
    text = docx_text(stored_io(app, fresh(db, doc.id).docx_path))
    assert "Tên mới" not in text and "BAN CHỈ ĐẠO VỀ NHÂN QUYỀN" in text


def test_a_failure_is_stored_in_vietnamese_and_retried(app, db, queued, people):  # noqa: ANN001, F811
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 6))
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document(
        "reminder",
        plan.standing_agency,
        "Đôn đốc",
        specialist,
        plan=plan,
        period=plan.periods[0],
        unit_abbr="TH",
    )
    db.session.commit()  # nobody is overdue yet: the context refuses
    job = queued.fetch_job(rq_job_id(queued.name, doc.render_key))
    assert job.retries_left == 3
    run_queue(queued)
    doc = fresh(db, doc.id)
    assert doc.render_state == "failed"
    assert doc.render_error.startswith("Không tạo được văn bản: Không có cơ quan nào quá hạn")
    assert queued.fetch_job(rq_job_id(queued.name, doc.render_key)).get_status() == "failed"
    assert files_of(app, doc.id) == []


def test_worker_killed_mid_job_produces_the_document_once(app, db, queued, people):  # noqa: ANN001, F811
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    doc = issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    doc_id, key = doc.id, doc.render_key

    worker = start_worker(app, queued.name, KEHOACH_TEST_SLOW_RENDER="60")
    try:
        deadline = time.monotonic() + 120
        while fresh(db, doc_id).render_progress != 60:  # the .docx is written, PDF not yet
            assert worker.poll() is None, worker.stdout.read().decode()
            assert time.monotonic() < deadline, "the worker never reached the slow step"
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work-horse, no clean-up
        worker.wait()
    doc = fresh(db, doc_id)
    assert (doc.render_state, doc.pdf_path) == ("running", None)
    assert files_of(app, doc_id) == [f"{key}.docx", f"{key}.json"]
    registry = StartedJobRegistry(queue=queued)
    rq_id = rq_job_id(queued.name, key)
    assert any(j.startswith(rq_id) for j in registry.get_job_ids(cleanup=False))
    assert queued.fetch_job(rq_id).get_status() == "started"

    # The killed worker's heartbeat would expire; here we do not wait for it: the registry's
    # cleanup treats the execution as abandoned and, retries being left, enqueues the job again.
    registry.cleanup(timestamp=time.time() + 3600)
    job = queued.fetch_job(rq_id)
    assert job.get_status() == "queued" and job.retries_left == 2

    second = start_worker(app, queued.name, burst=True)
    out, _ = second.communicate(timeout=180)
    assert second.returncode == 0, out.decode()
    doc = fresh(db, doc_id)
    assert (doc.render_state, doc.render_progress, doc.render_error) == ("done", 100, None)
    assert files_of(app, doc_id) == [f"{key}.docx", f"{key}.json", f"{key}.pdf"]
    assert stored(app, doc.pdf_path).startswith(b"%PDF")
    assert "Số: 01/KH-BCĐNQ" in docx_text(stored_io(app, doc.docx_path))
    assert queued.fetch_job(rq_id).get_status() == "finished"
    assert db.session.scalars(select(Document)).all() == [doc]


def test_signed_version_names_the_signer_and_templates_get_every_variable(app, db, queued, people):  # noqa: ANN001, F811
    """Every kind from the database supplies all its template's variables; signing records the
    signer (plan: the definition's; others: the leader) and renders a new file showing it."""
    from app.models import Role as R
    from app.services.exceptions import NotAllowed
    from worker import context as wctx
    from worker.render import template_variables

    docs = tra_vinh_documents(db, people)
    for kind in ("plan", "report", "reminder", "consolidated"):
        ctx = wctx.build(fresh(db, docs[kind].id))
        assert template_variables(wctx.template_path(kind)) <= set(ctx), kind
    cons = fresh(db, docs["consolidated"].id)
    assert re.fullmatch(rf"Số: 01/BC-CA\n{STAMP_TIME}", wctx.build(cons)["e_stamp"])
    cons.snapshot = {**cons.snapshot, "signed_at": "2025-01-08T07:30:00+00:00"}
    assert wctx.build(cons)["e_stamp"] == "Số: 01/BC-CA\n2025-01-08T14:30:00+07:00"
    assert wctx.build(fresh(db, docs["report"].id))["e_stamp"] == ""
    db.session.rollback()
    plan = docs["_plan"]
    from app.models import Report

    report = db.session.scalars(select(Report).order_by(Report.id)).first()
    with pytest.raises(NotAllowed):
        documents.draft_report_document(report, people(plan.standing_agency, R.SPECIALIST))
    clock.set_now(date(2025, 2, 3))
    doc = documents.draft_report_document(report, people(report.agency, R.REPORTER))
    db.session.commit()
    assert doc.title == "Báo cáo kết quả thực hiện Kế hoạch số 01/KH-BCĐNQ"
    documents.transition(doc, "request_signature", people(report.agency, R.REPORTER))
    leader = people(report.agency, R.AGENCY_LEADER)
    documents.transition(doc, "sign", leader)
    db.session.commit()
    assert doc.snapshot["signer"] == {
        "authority": "",
        "authority_of": "",
        "title": "GIÁM ĐỐC",  # the head of a Sở, never the placeholder "THỦ TRƯỞNG CƠ QUAN"
        "name": leader.full_name,
    }
    assert doc.render_key.endswith("-signed")
    run_queue(queued)
    doc = fresh(db, doc.id)
    assert doc.render_state == "done"
    text = docx_text(stored_io(app, doc.docx_path))
    assert leader.full_name in text and "GIÁM ĐỐC" in text
    assert "THỦ TRƯỞNG CƠ QUAN" not in text
    assert "Kính gửi:\tCơ quan Thường trực Ban Chỉ đạo về Nhân quyền tỉnh (Công an tỉnh)." in text
    assert "Trà Vinh, ngày    tháng 02 năm 2025" in text  # the services' clock, not the OS's
    assert "Lê Văn Hân" in docx_text(stored_io(app, fresh(db, docs["plan"].id).docx_path))
