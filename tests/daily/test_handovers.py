"""Every hand-over between people creates exactly one notification for each person who acts
next, and nobody else; the work queues and the navigation counts show the same."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select

from app.models import Notification
from app.services import clock, deadlines, documents, notifications, reports, workqueue


class Inbox:
    """New notifications since the last look, as a Counter of (username, kind)."""

    def __init__(self, db):  # noqa: ANN001
        self.db = db
        self.last = db.session.scalar(select(func.max(Notification.id))) or 0

    def new(self) -> Counter:
        rows = self.db.session.scalars(
            select(Notification).where(Notification.id > self.last).order_by(Notification.id)
        ).all()
        if rows:
            self.last = rows[-1].id
        return Counter((r.user.username, r.kind) for r in rows)


def test_every_report_hand_over_notifies_exactly_the_next_people(db, live_round):
    x = live_round
    plan, period = x["plan"], x["period"]
    reporter, leader, spec, spec2 = x["reporter"], x["leader"], x["spec"], x["spec2"]
    inbox = Inbox(db)
    r = reports.start_report(plan, period, reporter)
    reports.save_draft(r, {"banners": 3, "slogans_used": True}, reporter, r.version)
    assert inbox.new() == Counter()  # a draft hands nothing over

    reports.transition(r, "submit_for_approval", reporter)
    assert inbox.new() == Counter({(leader.username, "report_awaiting_approval"): 1})

    reports.transition(r, "send_back", leader, comment="Bổ sung số liệu tháng 12.")
    got = inbox.new()
    assert got == Counter({(reporter.username, "report_sent_back"): 1})

    reports.transition(r, "submit_for_approval", reporter)
    inbox.new()
    reports.transition(r, "approve", leader)
    assert inbox.new() == Counter(
        {(spec.username, "report_submitted"): 1, (spec2.username, "report_submitted"): 1}
    )

    reports.transition(r, "return_for_revision", spec, comment="Thiếu số người tham dự.")
    assert inbox.new() == Counter({(reporter.username, "report_returned"): 1})
    (text,) = db.session.scalars(
        select(Notification.text).where(Notification.kind == "report_returned")
    ).all()
    assert "Báo cáo báo cáo" not in text and "Thiếu số người tham dự." in text

    reports.transition(r, "resubmit", leader)
    assert inbox.new() == Counter(
        {(spec.username, "report_submitted"): 1, (spec2.username, "report_submitted"): 1}
    )
    reports.transition(r, "accept", spec)
    assert inbox.new() == Counter(
        {(reporter.username, "report_accepted"): 1, (leader.username, "report_accepted"): 1}
    )


def test_every_document_hand_over_notifies_exactly_the_next_people(db, live_round):
    x = live_round
    spec, signer, clerk = x["spec"], x["signer"], x["clerk"]
    inbox = Inbox(db)
    doc = documents.create_document(
        "reminder", x["issuer"], "Đôn đốc báo cáo", spec, plan=x["plan"]
    )
    documents.transition(doc, "request_signature", spec)
    assert inbox.new() == Counter({(signer.username, "document_to_sign"): 1})
    documents.transition(doc, "decline", signer, comment="Sửa lại trích yếu.")
    assert inbox.new() == Counter({(spec.username, "document_returned"): 1})
    assert [i.title for i in workqueue.items(spec)["redraft"]] == ["Đôn đốc báo cáo"]
    documents.transition(doc, "request_signature", spec)
    assert inbox.new() == Counter({(signer.username, "document_to_sign"): 1})
    assert workqueue.counts(spec)["redraft"] == 0
    assert workqueue.counts(signer)["sign"] == 1
    documents.transition(doc, "sign", signer)
    assert inbox.new() == Counter({(clerk.username, "document_to_number"): 1})
    assert workqueue.counts(signer)["sign"] == 0
    assert workqueue.counts(clerk)["number"] == 1
    (item,) = workqueue.items(clerk)["number"]
    assert item.action == "Vào số, phát hành" and item.since is not None
    documents.transition(doc, "release", clerk, issued_on=date(2026, 12, 3))
    assert workqueue.counts(clerk)["number"] == 0


def test_extension_asked_and_decided(db, live_round):
    x = live_round
    period, reporter, leader, spec, spec2 = (
        x["period"],
        x["reporter"],
        x["leader"],
        x["spec"],
        x["spec2"],
    )
    inbox = Inbox(db)
    due = deadlines.effective_due(period, reporter.agency_id)
    ext = deadlines.request_extension(period, leader, due + timedelta(days=7), "Chờ số liệu.")
    assert inbox.new() == Counter(
        {(spec.username, "extension_requested"): 1, (spec2.username, "extension_requested"): 1}
    )
    assert workqueue.counts(spec)["extension"] == 1
    deadlines.decide_extension(ext, spec, True, granted_due=due + timedelta(days=7))
    # the reporter and the leader who asked; each once
    assert inbox.new() == Counter(
        {(reporter.username, "extension_decided"): 1, (leader.username, "extension_decided"): 1}
    )
    assert workqueue.counts(spec)["extension"] == 0


def test_work_queues_on_the_home_page_with_counts_in_the_navigation(client, db, live_round):
    x = live_round
    plan, period, reporter, leader = x["plan"], x["period"], x["reporter"], x["leader"]

    def home(user) -> str:  # noqa: ANN001
        client.post("/auth/logout")
        client.post("/auth/login", data={"username": user.username, "password": "secret-pass"})
        return client.get("/").get_data(as_text=True)

    page = home(reporter)
    assert "Việc chờ tôi" in page and "Báo cáo cần lập hoặc sửa" in page
    assert "Hạn 31/12/2026" in page and "Lập báo cáo" in page
    r = reports.start_report(plan, period, reporter)
    reports.save_draft(r, {"banners": 3, "slogans_used": True}, reporter, r.version)
    reports.transition(r, "submit_for_approval", reporter)
    db.session.commit()
    page = home(leader)
    assert "Báo cáo chờ lãnh đạo cơ quan duyệt" in page and "Duyệt và gửi" in page
    assert f'href="/reports/{r.id}"' in page
    assert 'aria-label="1 việc đang chờ"' in page  # the count on "Chờ duyệt"
    reports.transition(r, "approve", leader)
    db.session.commit()
    page = home(x["spec"])
    assert "Báo cáo chờ xem xét" in page and "Xem xét" in page and "Chờ từ 02/12/2026" in page
    page = home(x["other_leader"])
    assert "Không có việc nào đang chờ" in page


def test_digest_mail_one_per_person(app, db, live_round):
    """E-mail is batched: several notifications to one person leave as one mail."""
    import socket

    from aiosmtpd.controller import Controller

    class Box:
        def __init__(self) -> None:
            self.messages: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Box()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        spec = x = live_round["spec"]
        for i in range(3):
            db.session.add(Notification(user_id=x.id, kind="report_submitted", text=f"Việc {i}"))
        db.session.commit()
        assert notifications.send_digest(spec.id) == 3
        ((rcpt, content),) = box.messages
        assert rcpt == [spec.email]
        body = content.decode("utf-8", "replace")
        assert "3 vi" in body or "=?utf-8?" in body.lower()
        assert notifications.send_digest(spec.id) == 0  # nothing twice
    finally:
        controller.stop()


def test_the_badge_counts_what_the_queue_lists(client, db, live_round):
    """Issue 11: the navigation badge counted a locked round the work queue hides (two
    functions: a COUNT and a filtered list). Now both read one walk of the queue."""
    x = live_round
    period, reporter = x["period"], x["reporter"]

    def home() -> str:
        client.post("/auth/logout")
        client.post("/auth/login", data={"username": reporter.username, "password": "secret-pass"})
        return client.get("/").get_data(as_text=True)

    assert workqueue.counts(reporter)["report"] == len(workqueue.items(reporter)["report"]) == 1
    assert 'aria-label="1 việc đang chờ"' in home()
    # the round locks two days after its due date: nothing left to start, nothing counted
    period.lock_after_days = 2
    db.session.commit()
    clock.set_now(date(2027, 1, 8))
    assert workqueue.items(reporter)["report"] == []
    assert workqueue.counts(reporter)["report"] == 0
    page = home()
    assert "việc đang chờ" not in page and "Không có việc nào đang chờ" in page


def test_a_queue_longer_than_the_cap_says_so() -> None:
    cap = workqueue.CAP
    assert workqueue.badge({"report": 0}) == ""
    assert workqueue.badge({"report": 7, "sign": 2}) == "9"
    assert workqueue.badge({"sign": 1, "number": 2, "review": 5}, "sign", "number") == "3"
    assert workqueue.badge({"review": cap + 1}) == f"{cap}+"
    assert workqueue.badge({"review": cap + 1}, shown=10) == f"{cap - 10}+"
    assert workqueue.badge({"review": 12}, shown=10) == "2"
