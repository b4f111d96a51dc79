"""Agency mergers keep history; concurrent edits never silently overwrite each other; plan files
are refused with line, path and reason."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.models import Assignment, Report, Role
from app.services import agencies, clock, documents, loader, reports
from app.services.exceptions import ConcurrentEdit
from tests.services.test_plan_lifecycle import issue, load_plan

ROOT = Path(__file__).resolve().parents[2]


def test_merged_agency_passes_open_work_to_successor_and_documents_keep_old_name(db, people):
    plan = load_plan("tra-vinh-2024.yaml")
    clock.set_now(date(2024, 11, 5))
    plan_doc = issue(plan, people, date(2024, 11, 5))
    sttt = next(a.agency for a in plan.assignments if a.agency.code == "STTTT-TV")
    svh = next(a.agency for a in plan.assignments if a.agency.code == "SVHTTDL-TV")
    issuer = plan.issuer
    old_name = issuer.name
    issuer.name = "Ban Chỉ đạo (tên mới sau sắp xếp)"
    db.session.flush()
    assert plan_doc.snapshot["name"] == old_name

    moved = agencies.retire(sttt, date(2025, 2, 28), svh, None)
    assert len(moved) == 1
    a_svh = db.session.scalar(
        select(Assignment).where(Assignment.plan_id == plan.id, Assignment.agency_id == svh.id)
    )
    assert any("chỉ đạo các cơ quan truyền thông" in t for t in a_svh.tasks)
    assert sttt.valid_to == date(2025, 2, 28) and sttt.successor_id == svh.id
    assert not sttt.is_active(date(2025, 3, 1)) and sttt.is_active(date(2025, 2, 28))
    assert sttt not in agencies.active_agencies(date(2025, 3, 1))


def test_a_stale_save_is_refused_and_the_newer_content_kept(db, people):
    plan = load_plan("tra-vinh-2024.yaml")
    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    agency = plan.reporting_assignments[0].agency
    alice = people(agency, Role.REPORTER)
    bob = people(agency, Role.AGENCY_LEADER)
    r = reports.start_report(plan, plan.periods[0], alice)
    db.session.commit()
    opened_at = r.version
    reports.save_draft(r, {"banners": 5}, alice, opened_at)
    db.session.commit()
    with pytest.raises(ConcurrentEdit, match="người khác"):
        reports.save_draft(r, {"banners": 7}, bob, opened_at)
    db.session.rollback()
    assert db.session.get(Report, r.id).data == {"banners": 5}


def test_two_connections_updating_one_report_conflict(app, db, people):
    plan = load_plan("tra-vinh-2024.yaml")
    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    r = reports.start_report(
        plan, plan.periods[0], people(plan.reporting_assignments[0].agency, Role.REPORTER)
    )
    db.session.commit()
    from sqlalchemy.orm import Session

    other = Session(db.engine)
    mine = db.session.get(Report, r.id)
    theirs = other.get(Report, r.id)
    theirs.data = {"banners": 1}
    other.commit()
    mine.data = {"banners": 2}
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()
    other.close()
    assert db.session.get(Report, r.id).data == {"banners": 1}


def test_plan_file_errors_name_line_path_and_reason(app, tmp_path):
    text = (ROOT / "plans" / "ninh-thuan-2023-2028.yaml").read_text(encoding="utf-8")
    bad = text.replace("kind: yearly", "kind: weekly", 1).replace(
        'authority: "KT."', 'authority: "KT"', 1
    )
    with pytest.raises(loader.PlanFileError) as exc:
        loader.parse_text(bad, "bad.yaml")
    msgs = {p.path: (p.line, p.message) for p in exc.value.problems}
    assert "schedule.kind" in msgs and "weekly" not in msgs["schedule.kind"][1]
    assert (
        msgs["schedule.kind"][0]
        == bad.splitlines().index(next(line for line in bad.splitlines() if "kind: weekly" in line))
        + 1
    )
    assert "signer.authority" in msgs and "TM., KT." in msgs["signer.authority"][1]
    with pytest.raises(loader.PlanFileError, match="YAML không đọc được"):
        loader.parse_text("code: [unclosed", "x.yaml")


def test_cli_check_and_load(app, tmp_path):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["plan", "check", str(ROOT / "plans" / "tra-vinh-2024.yaml")])
    assert ok.exit_code == 0 and "hợp lệ" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (ROOT / "plans" / "tra-vinh-2024.yaml")
        .read_text(encoding="utf-8")
        .replace("issuer: BCDNQ-TV", "issuer: KHONG-CO"),
        encoding="utf-8",
    )
    res = runner.invoke(args=["plan", "check", str(bad)])
    assert res.exit_code == 1 and "issuer" in res.output and "KHONG-CO" in res.output
    loaded = runner.invoke(args=["plan", "load", str(ROOT / "plans" / "tra-vinh-2024.yaml")])
    assert loaded.exit_code == 0, loaded.output
    assert "đã nạp" in loaded.output
    _ = documents
