"""A yearly period of the Ninh Thuận plan across the year-end holidays, on the controllable clock:
working-day deadlines, reminders once to the right people, an extension, a lock and a reopen,
lateness in working days, the công văn đôn đốc."""

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, Notification, Reminder, Role
from app.services import calendar, clock, deadlines, documents, reminders, reports, status
from app.services.exceptions import InvalidInput, NotAllowed
from workflows import TransitionRefused

VN = timezone(timedelta(hours=7))
DATA = {
    "has_training": True,
    "fake_news_detected": 4,
    "fake_news_handled": 4,
    "spokesperson_rate": 100,
    "training_sessions": 1,
}


def issue(plan, people, on):
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    documents.transition(doc, "release", people(plan.issuer, Role.CLERK), issued_on=on)


def submit(plan, period, agency, people):
    reporter, leader = people(agency, Role.REPORTER), people(agency, Role.AGENCY_LEADER)
    r = reports.start_report(plan, period, reporter)
    reports.save_draft(r, DATA, reporter, r.version)
    reports.transition(r, "submit_for_approval", reporter)
    reports.transition(r, "approve", leader)
    return r


def kinds_for(db, user, kind):
    return db.session.scalars(
        select(Notification.text).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


def test_calendar_file_and_working_days(db):
    n = calendar.seed_years([2024, 2025, 2026])
    assert n >= 40
    hol, work = calendar.days_off_and_makeups()
    assert {date(2025, 1, 29), date(2025, 4, 7), date(2025, 9, 2), date(2026, 2, 17)} <= hol
    assert date(2025, 4, 26) in work  # thứ Bảy làm bù cho 02/5/2025
    # Tết Ất Tỵ: 25/01–02/02/2025 off, no make-up day; from Friday 24/01 the 3rd working day is
    # Wednesday 05/02
    assert calendar.add_working_days(date(2025, 1, 24), 3) == date(2025, 2, 5)
    assert calendar.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    from app.services.calendar import CalendarFileError, parse_calendar

    with pytest.raises(CalendarFileError, match="days\\[0\\].kind"):
        parse_calendar("days:\n  - {day: 2025-01-01, kind: nghi, name: x}\n")


def test_ninh_thuan_2025_deadlines_reminders_extension_lock(db, people, ninh_thuan):
    plan = ninh_thuan(lock_after_days=10, remind_days_before=3)
    p = next(x for x in plan.periods if x.key == "2025")
    # cut-off Sunday 14/12/2025, 5 working days → Friday 19/12/2025
    assert (p.ends_on, p.due_on) == (date(2025, 12, 14), date(2025, 12, 19))
    by_code = {a.agency.code: a.agency for a in plan.reporting_assignments}
    a_ok, b_late, c_ext, d_missing, snv = (
        by_code[c] for c in ("CA-NT", "STP-NT", "SCT-NT", "SGDDT-NT", "SNV-NT")
    )
    # "10 working days after the cut-off" for Sở Nội vụ
    assert deadlines.effective_due(p, snv.id) == date(2025, 12, 26)
    users = {
        ag.code: (people(ag, Role.REPORTER), people(ag, Role.AGENCY_LEADER))
        for ag in (a_ok, b_late, c_ext, d_missing, snv)
    }
    bystanders = [
        people(plan.standing_agency, Role.SPECIALIST),
        people(plan.issuer, Role.SIGNER),
        people(plan.issuer, Role.REPORTER),
    ]
    clock.set_now(date(2024, 12, 16))
    issue(plan, people, date(2024, 12, 16))
    assert p.status == "open" and p.lock_after_days == 10
    # the plan's issue told the assigned agencies
    assert kinds_for(db, users["CA-NT"][0], "assignment_received")
    assert not kinds_for(db, bystanders[2], "assignment_received")
    db.session.commit()

    clock.set_now(datetime(2025, 12, 15, 10, tzinfo=VN))
    submit(plan, p, a_ok, people)

    # 16/12: three days before — everyone not submitted, except those with a later deadline
    sent = reminders.send_reminders(p, date(2025, 12, 16))
    codes = {db.session.get(type(a_ok), r.agency_id).code for r in sent}
    assert "CA-NT" not in codes and "SNV-NT" not in codes
    assert {"STP-NT", "SCT-NT", "SGDDT-NT"} <= codes and all(r.kind == "before" for r in sent)
    assert reminders.send_reminders(p, date(2025, 12, 16)) == []  # the job ran twice
    db.session.commit()
    for code in ("STP-NT", "SCT-NT", "SGDDT-NT"):
        for u in users[code]:
            (text,) = kinds_for(db, u, "deadline_near")
            assert "Còn 3 ngày" in text and "19/12/2025" in text
    for u in [*users["CA-NT"], *users["SNV-NT"], *bystanders]:
        assert kinds_for(db, u, "deadline_near") == []

    # Sở Công Thương asks for an extension over the New Year; the standing agency grants it
    clock.set_now(date(2025, 12, 17))
    with pytest.raises(InvalidInput, match="lý do"):
        deadlines.request_extension(p, users["SCT-NT"][0], date(2026, 1, 9), " ")
    ext = deadlines.request_extension(
        p, users["SCT-NT"][0], date(2026, 1, 9), "Chờ số liệu của các phòng chuyên môn"
    )
    with pytest.raises(NotAllowed, match="chuyên viên của cơ quan thường trực"):
        deadlines.decide_extension(ext, users["CA-NT"][1], grant=True)
    deadlines.decide_extension(ext, bystanders[0], grant=True, comment="Đồng ý")
    assert ext.status == "granted" and deadlines.effective_due(p, c_ext.id) == date(2026, 1, 9)
    assert kinds_for(db, users["SCT-NT"][0], "extension_decided")
    db.session.commit()

    # the day after the deadline: overdue, once, not for the extended or later-due agencies
    sent = reminders.send_reminders(p, date(2025, 12, 20))
    codes = {db.session.get(type(a_ok), r.agency_id).code for r in sent}
    assert "STP-NT" in codes and "SGDDT-NT" in codes
    assert not codes & {"CA-NT", "SCT-NT", "SNV-NT"} and all(r.kind == "overdue" for r in sent)
    assert reminders.send_reminders(p, date(2025, 12, 21)) == []
    # Sở Nội vụ's own deadline (26/12) comes near
    assert [r.kind for r in reminders.send_reminders(p, date(2025, 12, 23))] == ["before"]
    db.session.commit()
    (text,) = kinds_for(db, users["STP-NT"][1], "overdue")
    # sent on Saturday 20/12: a day off after the deadline counts as the next working day
    assert text.startswith("Cơ quan chưa gửi báo cáo năm 2025")
    assert "quá hạn 1 ngày làm việc. Đề nghị" in text

    # the extended deadline has its own reminder: 06/01/2026 is three days before 09/01/2026
    sent = reminders.send_reminders(p, date(2026, 1, 6))
    assert [(r.agency_id, r.kind, r.due) for r in sent if r.agency_id == c_ext.id] == [
        (c_ext.id, "before", date(2026, 1, 9))
    ]
    assert reminders.send_reminders(p, date(2026, 1, 6)) == []
    db.session.commit()
    assert len(kinds_for(db, users["SCT-NT"][0], "deadline_near")) == 2

    # 05/01/2026: past the lock (19/12 + 10 days) — Sở Tư pháp is refused, then reopened
    clock.set_now(datetime(2026, 1, 5, 9, tzinfo=VN))
    r_b = reports.start_report(plan, p, users["STP-NT"][0])
    reports.save_draft(r_b, DATA, users["STP-NT"][0], r_b.version)
    assert deadlines.is_locked_for(r_b, date(2025, 12, 29)) is False
    assert deadlines.is_locked_for(r_b, date(2025, 12, 30)) is True
    with pytest.raises(TransitionRefused, match="đã bị khóa"):
        reports.transition(r_b, "submit_for_approval", users["STP-NT"][0])
    with pytest.raises(NotAllowed):
        deadlines.reopen_for(p, b_late, users["STP-NT"][1], until=date(2026, 1, 9))
    deadlines.reopen_for(
        p, b_late, bystanders[0], until=date(2026, 1, 9), comment="Cho phép gửi muộn"
    )
    reports.transition(r_b, "submit_for_approval", users["STP-NT"][0])
    reports.transition(r_b, "approve", users["STP-NT"][1])
    assert r_b.status == "submitted"
    # the extended agency is not locked: its lock counts from its own deadline
    clock.set_now(datetime(2026, 1, 8, 15, tzinfo=VN))
    submit(plan, p, c_ext, people)
    db.session.commit()

    # timeliness on 12/01/2026: 19/12/2025 → 05/01/2026 is 9 working days (1 and 2/1 are off)
    t = status.for_period(p, date(2026, 1, 12))
    rows = {r.agency_code: r for r in t}
    assert rows["CA-NT"].result == "on_time"
    assert rows["SCT-NT"].result == "on_time" and rows["SCT-NT"].due == date(2026, 1, 9)
    assert rows["STP-NT"].result == "late" and rows["STP-NT"].days == 9
    assert rows["STP-NT"].text == "Trễ 9 ngày làm việc"
    assert rows["SGDDT-NT"].result == "overdue"
    s = status.count(t)
    assert s.expected == len(plan.reporting_assignments) and s.received == 3
    assert (s.on_time, s.late, s.overdue) == (2, 1, s.expected - 3)

    # the công văn đôn đốc names the agencies still missing, with their working days late
    with pytest.raises(NotAllowed):
        reminders.draft_dispatch(p, users["CA-NT"][0], as_of=date(2026, 1, 12))
    doc = reminders.draft_dispatch(p, bystanders[0], unit_abbr="TTBCXB", as_of=date(2026, 1, 12))
    assert doc.kind == "reminder" and doc.title.startswith("V/v đôn đốc báo cáo")
    overdue = {o["agency"]: o for o in doc.snapshot["reminder"]["overdue"]}
    assert "SGDDT-NT" in overdue and not overdue.keys() & {"CA-NT", "STP-NT", "SCT-NT"}
    assert (
        overdue["SGDDT-NT"]["days"]
        == calendar.working_days_late(date(2025, 12, 19), date(2026, 1, 12))
        == 15
    )  # 10/01 is a làm bù Saturday
    db.session.commit()

    # every decision is in the audit trail; each reminder exists once
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.plan_id == plan.id)
    ).all()
    assert {"request_extension", "grant_extension", "reopen"} <= set(actions)
    dup = db.session.execute(
        select(Reminder.agency_id, Reminder.kind, Reminder.due, func.count())
        .group_by(Reminder.agency_id, Reminder.kind, Reminder.due)
        .having(func.count() > 1)
    ).all()
    assert dup == []


def test_notifications_for_returned_accepted_and_to_sign(db, people, ninh_thuan):
    plan = ninh_thuan()
    clock.set_now(date(2022, 12, 28))
    signer = people(plan.issuer, Role.SIGNER)
    issue(plan, people, date(2022, 12, 28))
    assert kinds_for(db, signer, "document_to_sign")
    p = plan.periods[0]
    agency = plan.reporting_assignments[0].agency
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    clock.set_now(date(2023, 12, 18))
    r = submit(plan, p, agency, people)
    reports.transition(r, "return_for_revision", specialist, comment="Bổ sung số lớp tập huấn")
    (text,) = kinds_for(db, people(agency, Role.REPORTER), "report_returned")
    assert "Bổ sung số lớp tập huấn" in text
    reports.transition(r, "resubmit", people(agency, Role.AGENCY_LEADER))
    reports.transition(r, "accept", specialist)
    assert kinds_for(db, people(agency, Role.AGENCY_LEADER), "report_accepted")
    assert status.count(status.for_period(p, date(2023, 12, 18))).resubmitted == 1


def test_calendar_load_command(app, db):
    from app.models import CalendarDay

    runner = app.test_cli_runner()
    result = runner.invoke(args=["calendar", "load", str(calendar.default_file())])
    assert result.exit_code == 0, result.output
    assert "đã nạp" in result.output
    assert db.session.get(CalendarDay, date(2025, 4, 26)).kind == "workday"
    result = runner.invoke(args=["calendar", "seed", "2025"])
    assert result.exit_code == 0, result.output
    assert db.session.get(CalendarDay, date(2025, 1, 29)).name == "Tết Nguyên Đán"
    bad = Path(app.config["FILES_DIR"]) / "bad-calendar.yaml"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("days:\n  - {day: 2025-13-01, name: x}\n", encoding="utf-8")
    result = runner.invoke(args=["calendar", "load", str(bad)])
    assert result.exit_code != 0 and "ngày không hợp lệ" in result.output
