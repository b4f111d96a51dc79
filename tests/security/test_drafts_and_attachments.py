"""Issue 10 item 8: drafts stay with their agency until submitted; attachments are checked by
content, downloadable by whoever may read the report, and removed when replaced unless a kept
version refers to them; a tab survives into documents."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document as Docx

from app.models import Role
from app.services import clock, documents, loader, reports, storage
from app.services.exceptions import InvalidInput

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "secret-pass"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(app, db, people, tmp_path):  # noqa: ANN001, ANN201
    app.config.update(FILES_DIR=str(tmp_path / "files"))
    plan = loader.load(loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml"))
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    documents.transition(
        doc, "release", people(plan.issuer, Role.CLERK), issued_on=date(2024, 11, 5)
    )
    clock.set_now(date(2024, 12, 2))
    agency = plan.reporting_assignments[0].agency
    reporter = people(agency, Role.REPORTER)
    report = reports.start_report(plan, plan.periods[0], reporter)
    db.session.commit()
    yield plan, report, reporter, people(agency, Role.AGENCY_LEADER), specialist
    clock.set_now(None)


def _login(client, user):  # noqa: ANN001, ANN202
    client.post("/auth/logout")
    assert (
        client.post(
            "/auth/login", data={"username": user.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    return client


def test_the_standing_agency_cannot_read_an_unsubmitted_draft(client, db, setup):
    plan, report, reporter, leader, specialist = setup
    reports.save_draft(report, {"banners": 7}, reporter, report.version)
    db.session.commit()
    _login(client, specialist)
    assert client.get(f"/reports/{report.id}").status_code == 404
    reports.transition(report, "submit_for_approval", reporter)
    db.session.commit()
    assert client.get(f"/reports/{report.id}").status_code == 404  # waits on its own leader
    reports.transition(report, "approve", leader)
    db.session.commit()
    assert client.get(f"/reports/{report.id}").status_code == 200
    _login(client, reporter)
    assert client.get(f"/reports/{report.id}").status_code == 200


def test_attachments_are_checked_by_content_downloadable_and_removed_when_replaced(
    app, client, db, setup
):
    plan, report, reporter, leader, specialist = setup
    with pytest.raises(InvalidInput, match="nội dung tệp không đúng định dạng “.pdf”"):
        reports.store_attachment(
            report, "proof", "Minh chứng", "x.pdf", b"MZ\x90\x00" * 10, reporter
        )
    big = PDF + b"0" * (10 * 1024 * 1024)
    with pytest.raises(InvalidInput, match="lớn hơn 10 MB"):
        reports.store_attachment(report, "proof", "Minh chứng", "x.pdf", big, reporter)

    first = reports.store_attachment(report, "proof", "Minh chứng", "a.pdf", PDF, reporter)
    reports.save_draft(report, {"banners": 1, "proof": first}, reporter, report.version)
    db.session.commit()
    second = reports.store_attachment(report, "proof", "Minh chứng", "b.pdf", PDF + b"%2", reporter)
    reports.save_draft(report, {"banners": 1, "proof": second}, reporter, report.version)
    db.session.commit()
    assert not storage.exists(first["path"])  # replaced in a draft: removed
    assert storage.exists(second["path"])

    reports.transition(report, "submit_for_approval", reporter)
    reports.transition(report, "approve", leader)
    db.session.commit()
    _login(client, specialist)
    resp = client.get(f"/reports/{report.id}/files/proof")
    assert resp.status_code == 200 and resp.data == PDF + b"%2"
    assert "b.pdf" in resp.headers["Content-Disposition"]

    # returned, replaced: the submitted versions still refer to the old file, so it is kept
    reports.transition(report, "return_for_revision", specialist, comment="Bổ sung")
    db.session.commit()
    third = reports.store_attachment(report, "proof", "Minh chứng", "c.pdf", PDF + b"%3", reporter)
    reports.save_draft(report, {"banners": 2, "proof": third}, reporter, report.version)
    db.session.commit()
    assert storage.exists(second["path"])
    number = report.versions[-1].number
    old = client.get(f"/reports/{report.id}/files/proof?phien-ban={number}")
    assert old.status_code == 200 and old.data == PDF + b"%2"
    assert client.get(f"/reports/{report.id}/files/nothing").status_code == 404


def test_a_tab_survives_into_the_document():
    from tests.documents import samples
    from worker.contexts import plan_context
    from worker.render import render_docx

    plan = dict(samples.NINH_THUAN)
    plan["sections"] = [{"heading": "Bảng", "paragraphs": ["Cột một\tCột hai"]}]
    ctx = plan_context(plan, samples.AGENCIES, None, None)
    data = render_docx(ROOT / "templates" / "plan.docx", ctx)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "<w:tab/>" in xml
    text = "\n".join(p.text for p in Docx(io.BytesIO(data)).paragraphs)
    assert "Cột một\tCột hai" in text
