"""Signed = reviewed (issue 11 point 4) and the printed number is the register's (point 5).

Real RQ on the real Redis, real LibreOffice, both databases: the leader is shown a frozen
version (its .docx bytes and SHA-256); what is signed is that file, and release only fills in
the number, the date and the stamp."""

from __future__ import annotations

import copy
import difflib
import hashlib
import io
import re
from datetime import date

import pytest
from docx import Document as Docx
from sqlalchemy import select

from app.models import Agency, Notification, RegisterEntry, Role
from app.services import clock, documents, plans, reports
from app.services.exceptions import InvalidInput
from tests.files import stored
from tests.services.test_plan_lifecycle import issue, load_plan, report_and_submit
from tests.worker.test_jobs import STAMP_TIME, fresh, queued, run_queue  # noqa: F401


def paragraphs(data: bytes) -> list[str]:
    """Every paragraph of the body, the tables and the first-page header, in order."""
    d = Docx(io.BytesIO(data))
    out = [p.text for p in d.sections[0].first_page_header.paragraphs]
    out += [p.text for p in d.paragraphs]

    def cells(tables):  # noqa: ANN001, ANN202
        for t in tables:
            for row in t.rows:
                for c in row.cells:
                    out.extend(p.text for p in c.paragraphs)
                    cells(c.tables)

    cells(d.tables)
    return out


def file_bytes(app, rel: str) -> bytes:  # noqa: ANN001
    return stored(app, rel)


def changed_lines(before: list[str], after: list[str]) -> tuple[list[str], list[str]]:
    """(paragraphs only in ``before``, paragraphs only in ``after``), in order."""
    gone, new = [], []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            gone += before[i1:i2]
            new += after[j1:j2]
    return gone, new


def test_edit_while_awaiting_signature_signed_bytes_are_the_shown_bytes(app, db, queued, people):  # noqa: ANN001, F811
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 4))
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    signer = people(plan.issuer, Role.SIGNER)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    db.session.commit()
    run_queue(queued)
    documents.transition(fresh(db, doc.id), "request_signature", specialist)
    db.session.commit()
    doc = fresh(db, doc.id)
    first = documents.current_version(doc)
    assert (doc.status, first.number) == ("awaiting_signature", 1)
    assert first.sha256 == hashlib.sha256(file_bytes(app, first.docx_path)).hexdigest()

    # The specialist edits the plan while the leader has it: back to draft, visibly.
    definition = copy.deepcopy(plan.definition)
    definition["sections"][0]["paragraphs"] = ["Đoạn văn mới sau khi trình ký."]
    plans.update_plan(plan, definition, specialist, plan.version)
    db.session.commit()
    doc = fresh(db, doc.id)
    assert doc.status == "draft" and doc.content_version == 2
    assert doc.snapshot["returned"]["why"] == "content_changed"
    told = db.session.scalars(select(Notification).where(Notification.user_id == signer.id)).all()
    assert any("trở về dự thảo" in n.text and "phiên bản 2" in n.text for n in told)
    # the old frozen file can no longer be signed: the document is not awaiting signature
    with pytest.raises(Exception, match="Dự thảo"):
        documents.transition(doc, "sign", signer, expected_sha256=first.sha256)
    db.session.rollback()
    run_queue(queued)
    doc = fresh(db, doc.id)
    second = documents.current_version(doc)
    shown = file_bytes(app, second.docx_path)
    assert "Đoạn văn mới sau khi trình ký." in paragraphs(shown)
    assert second.sha256 != first.sha256

    documents.transition(doc, "request_signature", specialist)
    db.session.commit()
    with pytest.raises(InvalidInput, match="phiên bản khác"):
        documents.transition(fresh(db, doc.id), "sign", signer, expected_sha256=first.sha256)
    db.session.rollback()
    doc = fresh(db, doc.id)
    documents.transition(doc, "sign", signer, expected_sha256=second.sha256)
    db.session.commit()
    run_queue(queued)
    doc = fresh(db, doc.id)
    # the plan's signer is the one the frozen file shows: the signed file IS the shown file
    assert doc.content_version == 2 and file_bytes(app, doc.docx_path) == shown

    # After signing the plan can no longer be edited; other data changing does not leak in.
    with pytest.raises(InvalidInput, match="đã được lãnh đạo ký"):
        plans.update_plan(plan, plan.definition, specialist, plan.version)
    db.session.rollback()
    for a in db.session.scalars(select(Agency)):
        a.name = a.name + " (tên mới)"
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    documents.transition(fresh(db, doc.id), "release", people(plan.issuer, Role.CLERK))
    db.session.commit()
    run_queue(queued)
    doc = fresh(db, doc.id)
    released = file_bytes(app, doc.docx_path)
    gone, new = changed_lines(paragraphs(shown), paragraphs(released))
    # only the number, the date, the stamp and the draft mark changed — nothing else
    assert sorted(gone) == sorted(
        ["", "DỰ THẢO (lần 2)", "Số:    /KH-BCĐNQ", "Trà Vinh, ngày    tháng 11 năm 2024"]
    ), gone
    assert new[1:] == ["Số: 01/KH-BCĐNQ", "Trà Vinh, ngày 05 tháng 11 năm 2024"] or sorted(
        new[1:]
    ) == sorted(["Số: 01/KH-BCĐNQ", "Trà Vinh, ngày 05 tháng 11 năm 2024"]), new
    assert re.fullmatch(rf"Số: 01/KH-BCĐNQ\n{STAMP_TIME}", new[0]), new
    assert not any("(tên mới)" in p for p in paragraphs(released))


def test_signer_filling_the_block_changes_only_the_block(app, db, queued, people):  # noqa: ANN001, F811
    """A report's leader types a name at signing: the signed version is the frozen content with
    the signer block replaced, nothing else; the report data changed meanwhile does not show."""
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    clock.set_now(date(2024, 12, 20))
    period = plan.periods[0]
    agency = plan.reporting_assignments[0].agency
    r = report_and_submit(plan, period, agency, people, {"banners": 10, "articles": 2})
    db.session.commit()
    doc = documents.draft_report_document(r, people(agency, Role.REPORTER))
    db.session.commit()
    run_queue(queued)
    documents.transition(fresh(db, doc.id), "request_signature", people(agency, Role.REPORTER))
    db.session.commit()
    frozen = documents.current_version(fresh(db, doc.id))
    shown = file_bytes(app, frozen.docx_path)
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    reports.transition(r, "accept", specialist)
    r.data = {**r.data, "banners": 999}  # changed behind the leader's back
    db.session.commit()
    leader = people(agency, Role.AGENCY_LEADER)
    signer = {"authority": "KT.", "authority_of": "Giám đốc", "title": "Phó Giám đốc"}
    documents.transition(
        fresh(db, doc.id),
        "sign",
        leader,
        signer={**signer, "name": "Nguyễn Văn Ký"},
        expected_sha256=frozen.sha256,
    )
    db.session.commit()
    run_queue(queued)
    signed = file_bytes(app, fresh(db, doc.id).docx_path)
    gone, new = changed_lines(paragraphs(shown), paragraphs(signed))
    assert new == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Ký"], new  # the block only
    assert all(p == p.upper() for p in gone), gone  # the intended signer's block went
    assert not any("999" in p for p in paragraphs(signed))


def test_returned_draft_carries_the_reason_and_the_drafter_is_told(app, db, queued, people, client):  # noqa: ANN001, F811
    from tests.web.conftest import login

    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    signer = people(plan.issuer, Role.SIGNER)
    for u in (specialist, signer):
        u.set_password("secret-pass")
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    db.session.commit()
    run_queue(queued)
    documents.transition(fresh(db, doc.id), "request_signature", specialist)
    db.session.commit()
    version = documents.current_version(fresh(db, doc.id))

    login(client, signer)
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "Phiên bản 1" in page and version.sha256[:12] in page
    assert f'name="content_sha256" value="{version.sha256}"' in page
    got = client.get(f"/documents/{doc.id}/file/docx").data
    assert hashlib.sha256(got).hexdigest() == version.sha256
    resp = client.post(
        f"/documents/{doc.id}/action",
        data={"trigger": "decline", "comment": "Sửa mục tiêu cụ thể, thiếu số liệu."},
    )
    assert resp.status_code == 302
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == specialist.id)
    ).all()
    assert any("Sửa mục tiêu cụ thể" in n.text for n in told)

    login(client, specialist)
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "Dự thảo bị trả lại" in page and "Sửa mục tiêu cụ thể, thiếu số liệu." in page
    assert "Soạn lại" in page
    assert client.post(f"/documents/{doc.id}/regenerate").status_code == 302
    assert fresh(db, doc.id).content_version == 2
    assert "Soạn lại văn bản kế hoạch" in client.get(f"/plans/{plan.id}").get_data(as_text=True)


def test_a_signed_plan_document_offers_no_editor(app, db, people, client):  # noqa: ANN001
    """No dead end: once the leader signed the plan's document, the plan page offered "Sửa kế
    hoạch" and the editor let the specialist type, and only saving was refused. Now the page
    says why instead, the editor sends back to it, and the service refuses with that reason."""
    from tests.web.conftest import login

    plan = load_plan("tra-vinh-2024.yaml")
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    specialist.set_password("secret-pass")
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    db.session.commit()
    login(client, specialist)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert f'href="/editor/{plan.id}"' in page  # a draft: the specialist may edit
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    db.session.commit()
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert f'href="/editor/{plan.id}"' not in page
    assert "đã được lãnh đạo ký" in page
    resp = client.get(f"/editor/{plan.id}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/plans/{plan.id}")
    with pytest.raises(InvalidInput, match="đã được lãnh đạo ký"):
        plans.update_plan(plan, plan.definition, specialist, plan.version)
    db.session.rollback()


@pytest.mark.parametrize("unit", [None, "TH"])
def test_printed_number_is_the_registers_on_a_cong_van(app, db, queued, people, client, unit):  # noqa: ANN001, F811
    """A released công văn printed "Số: 01/CA-VP" in its body while the register, the page and
    the stamp said "01/CA": the unit code is the clerk's data, never a default."""
    from app.services import reminders
    from tests.web.conftest import login

    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    plan.status = "in_progress"
    plan.symbol = "01/KH-BCĐNQ"
    plan.issued_on = date(2024, 11, 5)
    period = plan.periods[0]
    period.status = "open"
    db.session.commit()
    clock.set_now(date(2025, 1, 6))
    standing = plan.standing_agency
    specialist = people(standing, Role.SPECIALIST)
    doc = reminders.draft_dispatch(period, specialist, as_of=date(2025, 1, 6))
    db.session.commit()
    run_queue(queued)
    clerk = people(standing, Role.CLERK)
    db.session.commit()
    documents.transition(fresh(db, doc.id), "request_signature", specialist)
    db.session.commit()
    documents.transition(fresh(db, doc.id), "sign", people(standing, Role.SIGNER))
    db.session.commit()
    documents.transition(fresh(db, doc.id), "release", clerk, unit_abbr=unit)
    db.session.commit()
    run_queue(queued)
    doc = fresh(db, doc.id)
    expected = f"01/{standing.abbreviation}" + (f"-{unit}" if unit else "")
    entry = db.session.scalar(select(RegisterEntry).where(RegisterEntry.document_id == doc.id))
    assert entry.symbol == doc.symbol == expected
    text = paragraphs(file_bytes(app, doc.docx_path))
    assert f"Số: {expected}" in text  # the body's number line
    assert any(re.fullmatch(rf"Số: {expected}\n{STAMP_TIME}", p) for p in text)  # the stamp
    assert not any(re.search(rf"Số: {re.escape(expected)}-", p) for p in text)
    clerk.set_password("secret-pass")
    db.session.commit()
    login(client, clerk)
    assert expected in client.get(f"/documents/{doc.id}").get_data(as_text=True)
    register = client.get("/documents/register?year=2025").get_data(as_text=True)
    assert expected in register and f"{expected}-" not in register


def test_a_bad_unit_code_is_refused_with_its_field(app, db, people):  # noqa: ANN001
    with pytest.raises(InvalidInput) as exc:
        documents.clean_unit("VP/01 -x")
    assert "unit_abbr" in exc.value.errors
    assert documents.clean_unit("  ") is None and documents.clean_unit("PV01") == "PV01"
