"""Both example plans driven through the services, from draft to consolidated."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Plan, Report, Role
from app.services import clock, consolidation, documents, loader, plans, reports
from app.services.exceptions import NotAllowed
from workflows import TransitionRefused

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
VN = timezone(timedelta(hours=7))


def load_plan(name: str) -> Plan:
    return loader.load(loader.parse_file(ROOT / "plans" / name))


def issue(plan, people, on):
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    with pytest.raises(TransitionRefused, match="trạng thái “Chờ ký”"):
        documents.transition(doc, "release", people(plan.issuer, Role.CLERK))
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    if plan.standing_agency_id != plan.issuer_id:
        with pytest.raises(TransitionRefused, match="văn thư của cơ quan ban hành"):
            documents.transition(doc, "release", people(plan.standing_agency, Role.CLERK))
    documents.transition(doc, "release", people(plan.issuer, Role.CLERK), issued_on=on)
    return doc


def report_and_submit(plan, period, agency, people, data):
    reporter, leader = people(agency, Role.REPORTER), people(agency, Role.AGENCY_LEADER)
    r = reports.start_report(plan, period, reporter)
    reports.save_draft(r, data, reporter, r.version)
    reports.transition(r, "submit_for_approval", reporter)
    reports.transition(r, "approve", leader)
    return r


def release_consolidated(period, people):
    plan = period.plan
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = consolidation.draft_consolidated_report(period, specialist)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.standing_agency, Role.SIGNER))
    documents.transition(doc, "release", people(plan.standing_agency, Role.CLERK))
    return doc


def test_tra_vinh_from_draft_to_consolidated(db, people):
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    assert plan.status == "draft" and len(plan.periods) == 1
    clock.set_now(date(2024, 11, 5))
    doc = issue(plan, people, date(2024, 11, 5))
    assert plan.status == "in_progress"
    assert plan.symbol == "01/KH-BCĐNQ" and doc.symbol == "01/KH-BCĐNQ"
    period = plan.periods[0]
    assert period.status == "open" and period.due_on == date(2025, 1, 1)

    expected = plan.reporting_assignments
    assert len(expected) >= 20
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    returned_agency = expected[1].agency
    for i, a in enumerate(expected):
        clock.set_now(
            datetime(2024, 12, 20, 10, tzinfo=VN) if i != 5 else datetime(2025, 1, 6, 10, tzinfo=VN)
        )  # one agency late
        r = report_and_submit(
            plan,
            period,
            a.agency,
            people,
            {
                "banners": i + 1,
                "slogans_used": True,
                "articles": 2,
                "difficulties": f"Khó khăn của {a.agency.name} <b>&</b>",
            },
        )
        if a.agency is returned_agency:
            with pytest.raises(TransitionRefused, match="lý do"):
                reports.transition(r, "return_for_revision", specialist, comment="")
            reports.transition(
                r, "return_for_revision", specialist, comment="Bổ sung số băng rôn đã treo"
            )
            assert r.status == "returned" and r.return_reason == "Bổ sung số băng rôn đã treo"
            reporter = people(a.agency, Role.REPORTER)
            reports.save_draft(r, {**r.data, "banners": 100}, reporter, r.version)
            reports.transition(r, "resubmit", people(a.agency, Role.AGENCY_LEADER))
        assert plan.status == "in_progress"
        reports.transition(r, "accept", specialist)
    db.session.commit()
    assert period.status == "reported" and plan.status == "reported"

    returned = db.session.scalar(select(Report).where(Report.agency_id == returned_agency.id))
    assert [v.status for v in returned.versions] == [
        "awaiting_approval",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    assert returned.versions[1].data["banners"] == 2
    assert returned.versions[-1].data["banners"] == 100

    clock.set_now(date(2025, 1, 8))
    doc = release_consolidated(period, people)
    db.session.commit()
    assert doc.symbol == "01/BC-CA"
    assert period.status == "consolidated" and plan.status == "consolidated"
    from app.models import Consolidation

    results = consolidation.from_stored(db.session.scalar(select(Consolidation)).results)
    total = sum(i + 1 for i in range(len(expected))) - 2 + 100
    assert results["by_name"]["banners"]["value"] == total
    assert results["summary"]["late"] == 1 and results["summary"]["missing"] == 0

    trail = db.session.scalars(
        select(AuditEvent).where(AuditEvent.plan_id == plan.id).order_by(AuditEvent.id)
    ).all()
    plan_steps = [(e.action, e.from_state, e.to_state) for e in trail if e.object_type == "plan"]
    assert plan_steps == [
        ("create", None, "draft"),
        ("issue", "draft", "issued"),
        ("start", "issued", "in_progress"),
        ("mark_reported", "in_progress", "reported"),
        ("mark_consolidated", "reported", "consolidated"),
    ]
    ret = [e for e in trail if e.action == "return_for_revision"]
    assert len(ret) == 1 and ret[0].comment == "Bổ sung số băng rôn đã treo"
    assert ret[0].actor_id == specialist.id and ret[0].from_state == "submitted"
    assert all(e.at is not None and e.actor_name for e in trail)


def test_ninh_thuan_one_yearly_period(db, people):
    plan = load_plan("ninh-thuan-2023-2028.yaml")
    assert [p.key for p in plan.periods] == ["2023", "2024", "2025", "2026", "2027", "2028"]
    clock.set_now(date(2022, 12, 28))
    issue(plan, people, date(2022, 12, 28))
    assert plan.symbol == "01/KH-UBND"
    p2023 = plan.periods[0]
    assert p2023.status == "open" and plan.periods[1].status == "pending"
    assert (p2023.starts_on, p2023.ends_on) == (date(2022, 12, 15), date(2023, 12, 14))

    clock.set_now(date(2023, 12, 18))
    agencies = [a.agency for a in plan.reporting_assignments]
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    for n, agency in enumerate(agencies[:3]):
        r = report_and_submit(
            plan,
            p2023,
            agency,
            people,
            {
                "has_training": True,
                "fake_news_detected": 10,
                "fake_news_handled": 9 - n,
                "spokesperson_rate": 100,
                "training_sessions": 2,
            },
        )
        reports.transition(r, "accept", specialist)
    with pytest.raises(TransitionRefused, match="Chưa hết hạn"):
        plans.close_round(p2023, specialist, today=date(2023, 12, 20))
    with pytest.raises(TransitionRefused, match="chuyên viên"):
        plans.close_round(p2023, people(agencies[0], Role.REPORTER), today=date(2024, 1, 5))
    missing = plans.close_round(p2023, specialist, comment="Hết hạn", today=date(2024, 1, 5))
    assert set(missing) == {a.code for a in agencies[3:]}
    assert p2023.status == "reported" and plan.status == "in_progress"

    plans.open_due_periods(plan, date(2023, 12, 16))
    assert plan.periods[1].status == "open"

    release_consolidated(p2023, people)
    db.session.commit()
    assert p2023.status == "consolidated" and plan.status == "in_progress"
    results = consolidation.compute(p2023)
    assert results["by_name"]["fake_news_detected"]["value"] == 30
    assert results["by_name"]["fake_news_handled"]["value"] == 24
    assert results["summary"]["missing"] == len(agencies) - 3


def test_cross_agency_access_is_refused(db, people):
    plan = load_plan("tra-vinh-2024.yaml")
    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    period = plan.periods[0]
    a, b = plan.reporting_assignments[0].agency, plan.reporting_assignments[1].agency
    r = report_and_submit(plan, period, a, people, {"banners": 1, "slogans_used": False})
    intruder = people(b, Role.REPORTER)
    with pytest.raises(NotAllowed):
        reports.save_draft(r, {"banners": 999}, intruder, r.version)
    with pytest.raises(TransitionRefused):
        reports.transition(r, "accept", people(b, Role.SPECIALIST))
    from app.services import access

    seen = db.session.scalars(access.reports_query(intruder)).all()
    assert r not in seen
    assert (
        r
        in db.session.scalars(
            access.reports_query(people(plan.standing_agency, Role.SPECIALIST))
        ).all()
    )


def test_consolidation_cascades_to_the_parent_plan(db, people):
    import copy

    parent = load_plan("ninh-thuan-2023-2028.yaml")
    clock.set_now(date(2022, 12, 28))
    issue(parent, people, date(2022, 12, 28))
    child_def = copy.deepcopy(loader.parse_file(ROOT / "plans" / "ninh-thuan-2023-2028.yaml"))
    child_def.update(
        code="phan-rang-2023",
        parent_plan=parent.code,
        issuer="UBND-NT-PHANRANG",
        standing_agency="UBND-NT-PHANRANG",
        title="Truyền thông về quyền con người năm 2023",
        schedule={"kind": "once", "due": date(2023, 12, 10)},
        agencies=[
            {
                "code": f"XA-{i}",
                "name": f"UBND phường {i}",
                "abbreviation": "UBND",
                "place": "Phan Rang - Tháp Chàm",
                "level": "commune",
            }
            for i in (1, 2)
        ],
        assignments=[
            {"agency": f"XA-{i}", "role": "cooperate", "tasks": ["Báo cáo kết quả"]} for i in (1, 2)
        ],
    )
    child = loader.load(
        loader.parse_text(__import__("yaml").safe_dump(child_def, allow_unicode=True), "child.yaml")
    )
    assert child.parent_plan_id == parent.id
    clock.set_now(date(2023, 11, 1))
    issue(child, people, date(2023, 11, 1))
    specialist = people(child.standing_agency, Role.SPECIALIST)
    for n, a in enumerate(child.reporting_assignments):
        r = report_and_submit(
            child,
            child.periods[0],
            a.agency,
            people,
            {
                "has_training": True,
                "fake_news_detected": 4,
                "fake_news_handled": 3,
                "difficulties": f"Thiếu kinh phí ở phường {n + 1}",
            },
        )
        reports.transition(r, "accept", specialist)
    release_consolidated(child.periods[0], people)
    db.session.commit()
    upward = db.session.scalar(select(Report).where(Report.plan_id == parent.id))
    assert upward is not None and upward.agency.code == "UBND-NT-PHANRANG"
    assert upward.status == "draft"
    assert upward.data["fake_news_detected"] == 8 and upward.data["fake_news_handled"] == 6
    assert "phường 1" in upward.data["difficulties"] and "phường 2" in upward.data["difficulties"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cascade")) is not None
