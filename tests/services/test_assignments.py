"""Assignments as plans make them (issue 12, points 2, 6, 7): one agency with tasks in two
sections, a group line standing for its members (those valid at the period), deadlines in words;
one report per (period, agency) and the plan document printing each line where it was written."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from docx import Document as Docx
from sqlalchemy import func, select

from app.models import Agency, AgencyGroup, AuditEvent, Report, Role
from app.services import clock, documents, groups, loader, plans, reports, status
from app.services.exceptions import NotAllowed
from tests.services.test_plan_lifecycle import issue
from worker import context as worker_context
from worker.render import render_docx

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "tests" / "data" / "plans" / "assignments-groups.yaml"
TEMPLATES = ROOT / "templates"
VN = timezone(timedelta(hours=7))


def load(path: Path = PLAN, text: str | None = None):  # noqa: ANN201
    data = loader.parse_text(text) if text is not None else loader.parse_file(path)
    return loader.load(data)


def agency(db, code: str) -> Agency:  # noqa: ANN001
    return db.session.scalar(select(Agency).where(Agency.code == code))


def test_one_agency_in_two_sections_is_one_assignment_with_two_blocks(db):  # noqa: ANN001
    plan = load()
    db.session.commit()
    by_code = {a.agency.code: a for a in plan.assignments}
    # the retired district is not expanded; everyone else once
    assert sorted(by_code) == [
        "STTTT-TN",
        "SVHTTDL-TN",
        "UBND-TN-HUYENA",
        "UBND-TN-HUYENB",
    ]
    sttt = by_code["STTTT-TN"]
    assert sttt.role == "lead"  # lead in one of its lines
    assert [(b.section, b.role) for b in sttt.blocks] == [(None, "lead"), (4, "cooperate")]
    assert sttt.tasks == [
        "chủ trì hướng dẫn các cơ quan báo chí tuyên truyền.",
        "tổng hợp kết quả, báo cáo Ủy ban nhân dân tỉnh.",
        "treo băng rôn tại trụ sở và các điểm công cộng.",
    ]
    assert sttt.group_id is None and sttt.due_text == "trước ngày 25/12"
    window = sttt.blocks[1]
    assert (window.window_text, window.window_from, window.window_to) == (
        "từ ngày 01/12 đến ngày 31/12",
        date(2024, 12, 1),
        date(2024, 12, 31),
    )
    member = by_code["UBND-TN-HUYENA"]
    assert member.group is not None and member.group.code == "UBND-HUYEN-TN"
    assert [b.section for b in member.blocks] == [None, 4]
    assert all(b.group_id == member.group_id for b in member.blocks)
    # the once deadline is read from the wording
    assert plan.periods[0].due_on == date(2025, 1, 5)


def test_group_is_data_expanded_by_rule_and_by_list(db):  # noqa: ANN001
    load()
    db.session.commit()
    group = groups.by_code("UBND-HUYEN-TN")
    assert group is not None and group.member_level == "district"
    everyone = [a.code for a in groups.members(group)]
    assert everyone == ["UBND-TN-HUYENA", "UBND-TN-HUYENB", "UBND-TN-HUYENC"]
    assert [a.code for a in groups.members(group, date(2024, 1, 1))] == everyone
    assert [a.code for a in groups.members(group, date(2024, 7, 1))] == everyone[:2]
    # a listed group: its members whatever their level
    listed = AgencyGroup(code="MIXED", name="Các sở và huyện An Bình")
    listed.members = [agency(db, "STTTT-TN"), agency(db, "UBND-TN-HUYENA")]
    db.session.add(listed)
    db.session.flush()
    assert sorted(a.code for a in groups.members(listed)) == ["STTTT-TN", "UBND-TN-HUYENA"]
    created = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.object_type == "agency_group")
    )
    assert created == 1  # loading the file recorded the group's creation


def test_round_makes_one_report_per_member_with_its_due_date(db, people):  # noqa: ANN001
    plan = load()
    db.session.commit()
    clock.set_now(date(2024, 11, 20))
    issue(plan, people, date(2024, 11, 20))
    period = plan.periods[0]
    assert period.status == "open"
    lines = {s.agency_code: s for s in status.for_period(period)}
    assert sorted(lines) == ["STTTT-TN", "SVHTTDL-TN", "UBND-TN-HUYENA", "UBND-TN-HUYENB"]
    assert lines["STTTT-TN"].due == date(2024, 12, 24)  # "trước ngày 25/12": the 25th is late
    assert lines["UBND-TN-HUYENA"].due == date(2024, 12, 28)  # "chậm nhất đến ngày 28/12"
    assert lines["UBND-TN-HUYENB"].due == date(2024, 12, 28)
    assert lines["SVHTTDL-TN"].due == date(2025, 1, 5)  # the plan's
    clock.set_now(datetime(2024, 12, 27, 9, tzinfo=VN))
    for code in ("UBND-TN-HUYENA", "UBND-TN-HUYENB", "STTTT-TN"):
        ag = agency(db, code)
        r = reports.start_report(plan, period, people(ag, Role.REPORTER))
        reports.save_draft(r, {"banners": 3}, people(ag, Role.REPORTER), r.version)
        reports.transition(r, "submit_for_approval", people(ag, Role.REPORTER))
        reports.transition(r, "approve", people(ag, Role.AGENCY_LEADER))
        reports.transition(r, "accept", people(plan.standing_agency, Role.SPECIALIST))
    # the retired district has no assignment: it cannot report
    with pytest.raises(NotAllowed):
        retired = agency(db, "UBND-TN-HUYENC")
        reports.start_report(plan, period, people(retired, Role.REPORTER))
    rows = db.session.scalars(select(Report).where(Report.period_id == period.id)).all()
    assert sorted(r.agency.code for r in rows) == ["STTTT-TN", "UBND-TN-HUYENA", "UBND-TN-HUYENB"]
    lines = {s.agency_code: s for s in status.for_period(period)}
    assert lines["UBND-TN-HUYENA"].result == status.Result.ON_TIME
    assert lines["STTTT-TN"].result == status.Result.LATE and lines["STTTT-TN"].days == 3
    clock.set_now(date(2025, 1, 6))
    missing = plans.close_round(period, people(plan.standing_agency, Role.SPECIALIST), "Hết hạn")
    assert missing == ["SVHTTDL-TN"]  # the retired district is not counted as missing


def test_plan_document_prints_each_line_in_its_section_and_the_group_once(db, people):  # noqa: ANN001
    plan = load()
    db.session.commit()
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    ctx = worker_context.build(doc)
    text = [p.text for p in Docx(io.BytesIO(render_docx(TEMPLATES / "plan.docx", ctx))).paragraphs]
    body = "\n".join(text)
    iii = text.index("III. TỔ CHỨC THỰC HIỆN")
    iv = text.index("IV. PHÂN CÔNG CỤ THỂ VỀ TREO BĂNG RÔN")
    in_iii, in_iv = text[iii:iv], text[iv:]
    group = "Ủy ban nhân dân các huyện, thị xã, thành phố"
    assert "1. Sở Thông tin và Truyền thông tỉnh Thử Nghiệm" in in_iii
    assert "3. " + group in in_iii
    assert "1. Sở Thông tin và Truyền thông" in in_iv
    assert "2. " + group in in_iv
    assert body.count(group) == 2  # once in each section, never per member
    assert "huyện An Bình" not in body and "huyện Cầu Đá" not in body
    assert any("treo băng rôn tại trụ sở" in t for t in in_iv)
    assert not any("treo băng rôn tại trụ sở" in t for t in in_iii)
    assert any("chủ trì hướng dẫn" in t for t in in_iii)
    assert not any("chủ trì hướng dẫn" in t for t in in_iv)


def test_yearly_plan_after_the_reform_drops_the_district_level(db, people):  # noqa: ANN001
    """The district level ends on 30/6/2025: a yearly plan 2024–2026 expands its district group
    for 2024 only; "định kỳ hằng năm trước ngày 15/12" is 14/12 of each year."""
    text = PLAN.read_text(encoding="utf-8")
    text = text.replace("code: thu-nghiem-phan-cong-nhom", "code: thu-nghiem-hang-nam")
    text = text.replace(
        "    valid_to: 2024-06-30      # merged before the period: not expanded\n", ""
    )
    for code in ("UBND-TN-HUYENA", "UBND-TN-HUYENB", "UBND-TN-HUYENC"):
        text = text.replace(
            f"  - code: {code}\n", f"  - code: {code}\n    valid_to: 2025-06-30\n", 1
        )
    text = text.replace(
        '  kind: once\n  deadline_text: "chậm nhất đến ngày 05 tháng 01 năm 2025"',
        '  kind: yearly\n  start: 2024\n  end: 2026\n  deadline_text: "định kỳ hằng năm trước '
        'ngày 15/12"',
    )
    plan = load(text=text)
    db.session.commit()
    assert [p.due_on for p in plan.periods] == [
        date(2024, 12, 14),
        date(2025, 12, 14),
        date(2026, 12, 14),
    ]
    clock.set_now(date(2024, 1, 10))
    issue(plan, people, date(2024, 1, 10))
    clock.set_now(date(2026, 1, 10))
    plans.open_due_periods(plan)
    counted = {p.key: sorted(s.agency_code for s in status.for_period(p)) for p in plan.periods}
    districts = ["UBND-TN-HUYENA", "UBND-TN-HUYENB", "UBND-TN-HUYENC"]
    assert counted["2024"] == ["STTTT-TN", "SVHTTDL-TN", *districts]
    assert counted["2025"] == counted["2026"] == ["STTTT-TN", "SVHTTDL-TN"]
    # "trước ngày 25/12" nearest to each cut-off (14/12): 24/12 of that year
    dues = {p.key: status.of(p, agency(db, "STTTT-TN").id).due for p in plan.periods}
    assert dues == {
        "2024": date(2024, 12, 24),
        "2025": date(2025, 12, 24),
        "2026": date(2026, 12, 24),
    }
    with pytest.raises(NotAllowed):
        reports.start_report(plan, plan.periods[1], people(agency(db, districts[0]), Role.REPORTER))


BAD = [
    (
        "  - agency: SVHTTDL-TN\n",
        "  - agency: STTTT-TN\n    section: 4\n  - agency: SVHTTDL-TN\n",
        "assignments[4].agency",
        "được phân công hai lần trong mục 4",
    ),
    (
        "    section: 4\n    role: cooperate\n",
        "    section: 9\n    role: cooperate\n",
        "assignments[3].section",
        "phải là số thứ tự của một mục",
    ),
    (
        '  - group: UBND-HUYEN-TN\n    tasks: ["triển',
        '  - group: NO-SUCH\n    tasks: ["triển',
        "assignments[2].group",
        "không có nhóm cơ quan mã “NO-SUCH”",
    ),
    (
        'due_text: "trước ngày 25/12"',
        'due_text: "trước tết"',
        "assignments[0].due_text",
        "không tìm thấy ngày",
    ),
    (
        'window: "từ ngày 01/12 đến ngày 31/12"',
        'window: "từ ngày 31/02 đến ngày 31/12"',
        "assignments[3].window",
        "không có thật",
    ),
    (
        "    level: district           # every",
        "    level: county           # every",
        "groups[0].level",
        "phải là một trong",
    ),
    (
        '  deadline_text: "chậm nhất đến ngày 05 tháng 01 năm 2025"',
        '  due: 2025-01-04\n  deadline_text: "chậm nhất đến ngày 05 tháng 01 năm 2025"',
        "schedule.deadline_text",
        "khác hạn schedule.due 04/01/2025",
    ),
]


@pytest.mark.parametrize(("old", "new", "path", "message"), BAD)
def test_wrong_lines_are_named(old, new, path, message):  # noqa: ANN001
    text = PLAN.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(loader.PlanFileError) as exc:
        loader.parse_text(text.replace(old, new, 1))
    found = [p for p in exc.value.problems if p.path == path]
    assert found and message in found[0].message, exc.value.problems
    assert found[0].line is not None


def test_only_an_administrator_creates_a_group(db, people):  # noqa: ANN001
    load()
    db.session.commit()
    text = PLAN.read_text(encoding="utf-8").replace(
        "code: thu-nghiem-phan-cong-nhom", "code: thu-nghiem-khac"
    )
    text = text.replace("code: UBND-HUYEN-TN", "code: UBND-HUYEN-TN2").replace(
        "group: UBND-HUYEN-TN\n", "group: UBND-HUYEN-TN2\n"
    )
    specialist = people(agency(db, "CA-TN"), Role.SPECIALIST)
    with pytest.raises(loader.PlanFileError, match="chỉ quản trị viên được tạo nhóm mới"):
        loader.load(loader.parse_text(text), specialist)


def test_plan_page_shows_each_block_with_its_section_role_and_window(db, people, client):  # noqa: ANN001
    from tests.web.conftest import login

    plan = load()
    db.session.commit()
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Mục IV · Phối hợp" in page
    assert "thực hiện từ 01/12/2024 đến 31/12/2024" in page
    assert "theo nhóm “Ủy ban nhân dân các huyện, thị xã, thành phố”" in page
    assert "trước ngày 25/12" in page


def test_a_member_created_after_the_plan_was_saved_joins_when_the_round_opens(db, people):  # noqa: ANN001
    plan = load()
    db.session.commit()
    province = agency(db, "UBND-TN")
    new = Agency(
        code="UBND-TN-HUYEND",
        name="Ủy ban nhân dân huyện Đông Hải",
        abbreviation="UBND",
        level="district",
        place="Đông Hải",
        parent_id=province.id,
        valid_from=date(2024, 10, 1),
    )
    db.session.add(new)
    db.session.commit()
    assert "UBND-TN-HUYEND" not in {a.agency.code for a in plan.assignments}
    clock.set_now(date(2024, 11, 20))
    issue(plan, people, date(2024, 11, 20))
    period = plan.periods[0]
    joined = next(a for a in plan.assignments if a.agency_id == new.id)
    assert [b.section for b in joined.blocks] == [None, 4]
    assert joined.group is not None and joined.group.code == "UBND-HUYEN-TN"
    assert status.of(period, new.id).due == date(2024, 12, 28)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "add_group_member"))
    assert event is not None and event.plan_id == plan.id
    # nothing else changed: the members already there keep their rows
    assert len([a for a in plan.assignments if a.group_id]) == 3
