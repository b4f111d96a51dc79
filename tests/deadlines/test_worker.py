"""Reminders through RQ's own scheduler on the real Redis, with a real worker process that is
killed between scheduling and sending and started again; and email over a real SMTP socket."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from app.models import Notification, Reminder, Role
from app.services import clock, notifications, reminders
from tests.conftest import REDIS_TEST_URL
from tests.deadlines.test_deadlines import issue
from tests.workers import start_worker
from worker.scheduler_lock import SCHEDULER_LOCK_TTL, release_stale_locks

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def queue_name(app):
    """A queue of this test only, removed afterwards."""
    name = f"kh-test-{os.getpid()}-{secrets.token_hex(4)}"
    app.config.update(REDIS_URL=REDIS_TEST_URL, RQ_QUEUE=name)
    yield name
    conn = Redis.from_url(REDIS_TEST_URL)
    keys = list(conn.scan_iter(f"*{name}*"))
    q = Queue(name, connection=conn)
    for reg in (q.scheduled_job_registry, q.finished_job_registry, q.failed_job_registry):
        for jid in reg.get_job_ids():
            conn.delete(f"rq:job:{jid}", f"rq:results:{jid}")
    if keys:
        conn.delete(*keys)
    app.config["REDIS_URL"] = None


def test_opening_a_period_schedules_reminder_runs(db, people, ninh_thuan, queue_name):
    plan = ninh_thuan(remind_days_before=3)
    clock.set_now(date(2024, 12, 16))
    issue(plan, people, date(2024, 12, 16))
    db.session.commit()
    p = next(x for x in plan.periods if x.key == "2025")
    registry = ScheduledJobRegistry(queue_name, connection=Redis.from_url(REDIS_TEST_URL))
    ids = set(registry.get_job_ids())
    from app.services.jobs import rq_job_id

    # the period's deadline 19/12/2025 and Sở Nội vụ's own 26/12/2025
    assert {
        rq_job_id(queue_name, f"remind-{p.id}-{d}")
        for d in ("2025-12-16", "2025-12-20", "2025-12-23", "2025-12-27")
    } <= ids
    at = registry.get_scheduled_time(rq_job_id(queue_name, f"remind-{p.id}-2025-12-20"))
    assert at.replace(tzinfo=UTC) == datetime(2025, 12, 20, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam


def _start_worker(app, queue_name: str, log: Path) -> subprocess.Popen:  # noqa: ANN001
    """The worker with short maintenance, heartbeat and scheduler take-over times."""
    return start_worker(
        app,
        queue_name,
        stdout=log.open("ab"),
        KEHOACH_WORKER_MAINTENANCE_INTERVAL="2",
        KEHOACH_WORKER_TTL="20",
        KEHOACH_SCHEDULER_TAKEOVER_AFTER="5",
        KEHOACH_INSTANCE=tempfile.mkdtemp(prefix="kh-worker-"),
        PYTHONPATH=str(ROOT),
    )


# The lock's expiry set again (ms), only while ARGV[1] still holds it.
_KEEP_IF_HELD_BY = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


def _wait(cond, timeout: float, what: str, log: Path) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.25)
    pytest.fail(f"{what} (sau {timeout} s)\n{log.read_text(errors='replace')[-4000:]}")


def test_worker_killed_between_scheduling_and_sending(
    app, db, people, ninh_thuan, queue_name, tmp_path
):
    plan = ninh_thuan()
    agencies = [a.agency for a in plan.reporting_assignments[:3]]
    users = [people(a, r) for a in agencies for r in (Role.REPORTER, Role.AGENCY_LEADER)]
    clock.set_now(date(2024, 12, 16))
    app.config["REDIS_URL"] = None  # the issue's own jobs do not matter here
    issue(plan, people, date(2024, 12, 16))
    p = next(x for x in plan.periods if x.key == "2025")
    db.session.commit()
    clock.set_now(None)
    app.config["REDIS_URL"] = REDIS_TEST_URL

    conn = Redis.from_url(REDIS_TEST_URL)
    q = Queue(queue_name, connection=conn)
    from app.services.jobs import rq_job_id

    # ids namespaced by this test's queue: RQ ids are global to the Redis other runs share
    job_ids = (
        rq_job_id(queue_name, f"remind-{p.id}-2025-12-20"),
        rq_job_id(queue_name, f"remind-{p.id}-2025-12-20-dup"),
    )
    log = tmp_path / "worker.log"
    lock = f"rq:scheduler-lock:{queue_name}"
    first = _start_worker(app, queue_name, log)
    try:
        _wait(lambda: conn.exists(lock), 240, "the first worker's scheduler did not start", log)
        # The crash: the worker frozen first, so its scheduler cannot move anything however slow
        # the machine, then killed with no clean shutdown, its scheduler lock left behind.
        os.killpg(first.pid, signal.SIGSTOP)
        dead = conn.get(lock)
        assert dead is not None
        # scheduled while the dead worker holds the scheduler: the overdue run of 20/12/2025,
        # and the same run scheduled a second time by mistake, both due after the crash
        run_at = datetime.now(UTC) + timedelta(seconds=2)
        for jid in job_ids:
            q.enqueue_at(run_at, "worker.reminders.send_reminders", p.id, "2025-12-20", job_id=jid)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    assert len(q.scheduled_job_registry.get_job_ids()) == 2
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 0

    # The dead scheduler's lock stays as a crashed holder leaves it, silent for 10 s, instead of
    # expiring by itself ~61 s after the crash: the jobs can then only run if the restarted
    # worker takes the scheduling over (silent for 5 s: released), however long it takes to
    # start on a busy machine.
    silent = int((SCHEDULER_LOCK_TTL - 10) * 1000)

    def keep_dead_lock() -> None:
        conn.eval(_KEEP_IF_HELD_BY, 1, lock, dead, silent)

    keep_dead_lock()
    second = _start_worker(app, queue_name, log)
    try:

        def done() -> bool:
            keep_dead_lock()
            return all(
                q.fetch_job(j).get_status(refresh=True) in ("finished", "failed") for j in job_ids
            )

        _wait(done, 420, "the restarted worker did not run the scheduled jobs", log)
        assert conn.get(lock) not in (None, dead)  # the restarted worker's scheduler holds it
        statuses = {q.fetch_job(j).get_status() for j in job_ids}
        assert statuses == {"finished"}, log.read_text(errors="replace")[-4000:]
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        try:
            second.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(second.pid, signal.SIGKILL)
            second.wait(10)

    db.session.rollback()
    rows = db.session.scalars(select(Reminder).where(Reminder.period_id == p.id)).all()
    # nobody had submitted; Sở Nội vụ is due later (26/12/2025)
    assert {r.agency.code for r in rows} == {
        a.agency.code for a in plan.reporting_assignments if a.agency.code != "SNV-NT"
    }
    assert {r.kind for r in rows} == {"overdue"}
    assert len({r.agency_id for r in rows}) == len(rows)
    assert "SNV-NT" not in {a.code for a in agencies}
    for u in users:
        texts = db.session.scalars(
            select(Notification.text).where(
                Notification.user_id == u.id, Notification.kind == "overdue"
            )
        ).all()
        assert len(texts) == 1 and "19/12/2025" in texts[0]


def test_scheduler_lock_ttl_is_rqs(queue_name):
    """The takeover measures silence from the lock's TTL: it must be the one RQ sets."""
    from rq.scheduler import RQScheduler

    conn = Redis.from_url(REDIS_TEST_URL)
    scheduler = RQScheduler([queue_name], connection=conn)
    try:
        assert scheduler.acquire_locks() == {queue_name}
        ttl = conn.pttl(RQScheduler.get_locking_key(queue_name)) / 1000
        assert SCHEDULER_LOCK_TTL - 1 < ttl <= SCHEDULER_LOCK_TTL
    finally:
        scheduler.release_locks()


def test_only_a_silent_scheduler_lock_is_released(queue_name):
    conn = Redis.from_url(REDIS_TEST_URL)
    key = f"rq:scheduler-lock:{queue_name}"
    other = f"{queue_name}-other"
    try:
        assert release_stale_locks(conn, [queue_name, other], 5) == []  # nobody holds them
        conn.set(key, "live", px=int(SCHEDULER_LOCK_TTL * 1000) - 500)  # refreshed 0.5 s ago
        assert release_stale_locks(conn, [queue_name], 5) == []
        assert conn.get(key) == b"live"
        conn.set(key, "dead", px=int((SCHEDULER_LOCK_TTL - 8) * 1000))  # silent for 8 s
        assert release_stale_locks(conn, [queue_name], 60) == []  # the default: RQ's expiry
        assert release_stale_locks(conn, [queue_name], 5, keep="dead") == []  # its own
        assert conn.get(key) == b"dead"
        assert release_stale_locks(conn, [queue_name, other], 5) == [queue_name]
        assert conn.get(key) is None
    finally:
        conn.delete(key)


def test_email_over_a_real_smtp_server(app, db, people, ninh_thuan):
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self) -> None:
            self.messages: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SENDER="kehoach@sotttt.ninhthuan.gov.vn"
        )
        plan = ninh_thuan()
        agency = plan.reporting_assignments[0].agency
        reporter = people(agency, Role.REPORTER)
        db.session.commit()
        p = plan.periods[0]
        p.status = "open"
        reminders.send_reminders(p, p.due_on - timedelta(days=1))
        assert inbox.messages == []  # nothing leaves before the commit
        db.session.commit()
        _wait(lambda: inbox.messages, 60, "no mail arrived", Path(os.devnull))
        ((rcpt, content),) = inbox.messages
        assert rcpt == [reporter.email]
        msg = message_from_bytes(content, policy=policy.default)
        assert msg["Subject"] == "[Kế hoạch] Sắp đến hạn gửi báo cáo"
        assert "Còn 1 ngày đến hạn gửi báo cáo năm 2023" in msg.get_content()
        # a rolled back action sends nothing
        notifications.notify([reporter], "overdue", "Thử")
        db.session.rollback()
        db.session.commit()
        time.sleep(0.5)
        assert len(inbox.messages) == 1
    finally:
        controller.stop()
