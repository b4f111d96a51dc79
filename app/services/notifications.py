"""In-app notifications, and the same text by email when ``KEHOACH_MAIL_SERVER`` is set.

Services call ``notify`` inside their transaction; mails leave only after the commit (a rolled
back action sends nothing). With a queue the worker sends them (``worker.notify.send_emails``),
otherwise they are sent right after the commit."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, User
from app.services import clock

log = logging.getLogger(__name__)

SUBJECTS = {
    "assignment_received": "Nhiệm vụ mới được giao",
    "report_returned": "Báo cáo bị trả lại",
    "report_accepted": "Báo cáo đã được chấp nhận",
    "document_to_sign": "Văn bản chờ ký",
    "document_returned": "Dự thảo văn bản bị trả lại",
    "document_back_to_draft": "Văn bản chờ ký trở về dự thảo",
    "deadline_near": "Sắp đến hạn gửi báo cáo",
    "overdue": "Báo cáo đã quá hạn",
    "extension_requested": "Đề nghị gia hạn báo cáo",
    "extension_decided": "Kết quả đề nghị gia hạn",
}


def users_of(agency_id: int, *roles: str) -> list[User]:
    """Active users of an agency having any of ``roles``."""
    users = db.session.scalars(
        select(User).where(User.agency_id == agency_id, User.active.is_(True)).order_by(User.id)
    )
    return [u for u in users if u.has_role(*roles)]


def notify(users: list[User], kind: str, text: str, link: str | None = None) -> list[Notification]:
    """One notification per user (flushed); emails after the commit."""
    rows = [
        Notification(user_id=u.id, kind=kind, text=text, link=link, created_at=clock.now())
        for u in users
    ]
    db.session.add_all(rows)
    db.session.flush()
    if rows and current_app.config.get("MAIL_SERVER"):
        _mail_after_commit(rows)
    return rows


def unread(user: User) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .order_by(Notification.id.desc())
        )
    )


def mark_read(notification: Notification, user: User) -> None:
    if notification.user_id == user.id and notification.read_at is None:
        notification.read_at = clock.now()
        db.session.flush()


def _mail_after_commit(rows: list[Notification]) -> None:
    from app.services.jobs import after_commit, get_queue

    ids = [r.id for r in rows]
    # what to send is captured now: no SQL may run inside after_commit
    mails = [
        (u.email, SUBJECTS.get(r.kind, "Thông báo"), r.text, r.link)
        for r in rows
        if (u := db.session.get(User, r.user_id)) is not None and u.email
    ]
    if not mails:
        return

    def _send() -> None:
        queue = get_queue()
        if queue is not None:
            queue.enqueue("worker.notify.send_emails", ids)
            return
        for to, subject, text, link in mails:
            try:
                send_mail(to, subject, text, link)
            except (OSError, smtplib.SMTPException) as exc:  # never break the action
                log.warning("không gửi được thư tới %s: %s", to, exc)

    after_commit(_send)


def send_mail(to: str, subject: str, text: str, link: str | None = None) -> None:
    """One plain-text mail over SMTP (MAIL_SERVER, MAIL_PORT, MAIL_SENDER, MAIL_USERNAME,
    MAIL_PASSWORD, MAIL_USE_TLS)."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg.get("MAIL_SENDER") or "kehoach@localhost"
    msg["To"] = to
    msg["Subject"] = f"[Kế hoạch] {subject}"
    base = str(cfg.get("PUBLIC_URL") or "").rstrip("/")
    body = text + (f"\n\nXem chi tiết: {base}{link}" if link else "")
    msg.set_content(body + "\n\n— Thư gửi tự động từ hệ thống, vui lòng không trả lời.")
    with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg.get("MAIL_PORT") or 25), timeout=10) as smtp:
        if str(cfg.get("MAIL_USE_TLS", "")).lower() in ("1", "true", "yes"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)


def send_pending_emails(ids: list[int]) -> int:
    """Send the mails of these notifications not sent yet (the worker job); returns how many."""
    n = 0
    for nid in ids:
        row = db.session.get(Notification, nid)
        if row is None or row.emailed_at is not None or not row.user.email:
            continue
        send_mail(row.user.email, SUBJECTS.get(row.kind, "Thông báo"), row.text, row.link)
        row.emailed_at = clock.now()
        db.session.commit()
        n += 1
    return n
