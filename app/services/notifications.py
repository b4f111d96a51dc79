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
from app.services.jobs import after_commit, enqueue_after_commit

log = logging.getLogger(__name__)

SUBJECTS = {
    "assignment_received": "Nhiệm vụ mới được giao",
    "report_awaiting_approval": "Báo cáo chờ lãnh đạo cơ quan duyệt",
    "report_sent_back": "Báo cáo được lãnh đạo cơ quan trả lại",
    "report_submitted": "Báo cáo mới chờ xem xét",
    "document_to_number": "Văn bản đã ký chờ vào số",
    "document_declined": "Dự thảo bị trả lại",
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
    """Mail after the commit, batched: one digest per person, never one mail per notification.
    With a queue the worker sends each person's digest ``MAIL_DIGEST_MINUTES`` (default 15)
    after the first unsent notification, gathering everything that arrived meanwhile; without
    one, each person gets one mail per action right after the commit."""
    from datetime import timedelta

    user_ids = sorted({r.user_id for r in rows})
    if current_app.config.get("REDIS_URL"):
        minutes = int(current_app.config.get("MAIL_DIGEST_MINUTES", 15))
        at = clock.now() + timedelta(minutes=minutes) if minutes > 0 else None
        for uid in user_ids:
            # the same job id while one is scheduled: later notifications join that digest
            enqueue_after_commit("worker.notify.send_digest", uid, job_id=f"digest-{uid}", at=at)
        return
    # what to send is captured now: no SQL may run inside after_commit
    by_user: dict[int, list[Notification]] = {}
    for r in rows:
        by_user.setdefault(r.user_id, []).append(r)
    mails = []
    for uid, mine in by_user.items():
        u = db.session.get(User, uid)
        if u is not None and u.email:
            mails.append((u.email, *digest(mine), [r.id for r in mine]))
    if not mails:
        return

    def _send() -> None:
        for to, subject, body, _ids in mails:
            try:
                send_mail(to, subject, body)
            except (OSError, smtplib.SMTPException) as exc:  # never break the action
                log.warning("không gửi được thư tới %s: %s", to, exc)

    after_commit(_send)


def digest(rows: list[Notification]) -> tuple[str, str]:
    """(subject, body) of one mail carrying these notifications."""
    base = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")

    def line(r: Notification) -> str:
        return r.text + (f"\n  Xem chi tiết: {base}{r.link}" if r.link else "")

    if len(rows) == 1:
        return SUBJECTS.get(rows[0].kind, "Thông báo"), line(rows[0])
    body = "\n\n".join(f"{i}. {line(r)}" for i, r in enumerate(rows, 1))
    return f"{len(rows)} việc mới cần anh/chị xử lý", body


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


def send_digest(user_id: int) -> int:
    """Send one mail with every notification of this user not mailed yet (the worker job);
    returns how many notifications it carried."""
    user = db.session.get(User, user_id)
    if user is None or not user.email:
        return 0
    rows = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.emailed_at.is_(None))
            .order_by(Notification.id)
        )
    )
    if not rows:
        return 0
    subject, body = digest(rows)
    send_mail(user.email, subject, body)
    for r in rows:
        r.emailed_at = clock.now()
    db.session.commit()
    return len(rows)


def send_pending_emails(ids: list[int]) -> int:
    """Send the digests of the people these notifications are for (older queued jobs)."""
    users = {
        uid
        for uid in db.session.scalars(
            select(Notification.user_id).where(
                Notification.id.in_(ids), Notification.emailed_at.is_(None)
            )
        )
    }
    return sum(send_digest(uid) for uid in sorted(users))
