"""The cost every page pays, and the queues whose count would grow with the data.

- The navigation's badges: a queue the policy leaves empty whatever the data (an admin who is
  not a specialist decides no extension and drafts nothing) sends no statement; the queries
  built from the user alone are kept per user and day and give the same SQL as built anew;
  a query whose building reads the data (a lock's due dates) is built on every request, so its
  badge follows the data at once.
- The review queue counts its reports only up to a cap ("more than N"), and still pages on
  past it.
"""

from __future__ import annotations

import re
from datetime import datetime

from app.models import Report, ReportingPeriod, Role
from app.services import clock, workqueue
from tests.perf.test_query_budgets import VN, seed
from tests.querycount import count_queries, page_queries
from tests.web.conftest import login


def _sql(q) -> tuple[str, dict]:  # noqa: ANN001
    from app.extensions import db

    c = q.compile(dialect=db.engine.dialect)
    return str(c), c.params


def test_badges_cost_no_statement_for_queues_the_policy_leaves_empty(app, db, make_user, client):  # noqa: ANN001
    world = seed(db, make_user, 3)
    clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
    admin = world["admin"]
    with app.test_request_context("/"):
        with count_queries() as q:
            counts = workqueue.counts(admin)
        assert counts == {"extension": 0, "redraft": 0}
        assert q.count == 0
        assert workqueue.items(admin) == {"extension": [], "redraft": []}
    # the admin's page: no queue statement
    login(client, admin)
    q = page_queries(client, "/auth/mat-khau")
    assert not any("extension" in s or "document" in s for s in q.statements), q.summary()
    # a request's user is read with their agency (every page's header shows it): one statement
    user_id = admin.get_id()
    db.session.expunge_all()
    with app.test_request_context("/"), count_queries() as q:
        user = app.login_manager._user_callback(user_id)
        assert user.agency.display_name
    assert q.count == 1 and "JOIN agency" in q.statements[0], q.summary()


def test_kept_queue_queries_equal_queries_built_anew(app, db, make_user):  # noqa: ANN001
    world = seed(db, make_user, 3)
    clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
    everyone = world["everyone"]
    with app.test_request_context("/"):
        first = workqueue._built(everyone)
    with app.test_request_context("/"):
        again = workqueue._built(everyone)
    assert list(first) == list(again) == workqueue.queues(everyone)
    for name in first:
        fresh = workqueue.QUERIES[name](everyone)
        assert _sql(again[name]) == _sql(fresh), name
    kept = workqueue._BUILT[workqueue._user_key(everyone)]
    # building the report and approval queues reads the data (the lock's due dates): never kept
    assert kept["report"] is None and kept["approve"] is None
    assert kept["review"] is not None and kept["sign"] is not None
    # another role for the same user: another key, other queues
    everyone.roles = [Role.CLERK]
    db.session.flush()
    with app.test_request_context("/"):
        assert list(workqueue.counts(everyone)) == ["number", "redraft"]


def test_badge_follows_a_lock_at_once(app, db, make_user, client):  # noqa: ANN001
    """The reporter's badge counts their rounds not locked; a round's lock comes from the data
    (its lock days, the agency's due date) and the day: the badge changes with either."""
    world = seed(db, make_user, 3)
    reporter = world["reporter"]
    for r in db.session.scalars(db.select(Report).where(Report.agency_id == reporter.agency_id)):
        r.status, r.first_submitted_at, r.submitted_at = "draft", None, None
    db.session.flush()
    clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
    with app.test_request_context("/"):
        before = workqueue.counts(reporter)["report"]
    assert before > 0
    # due 2025-01-01 (or the agency's own 2025-01-10), locked 30 days after: a day past both
    clock.set_now(datetime(2025, 2, 12, 9, tzinfo=VN))
    with app.test_request_context("/"):
        assert workqueue.counts(reporter)["report"] == 0
    clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
    with app.test_request_context("/"):
        assert workqueue.counts(reporter)["report"] == before
    # the same day, the data changes: a round locked after 2 days only
    for p in db.session.scalars(db.select(ReportingPeriod)):
        p.lock_after_days = 2
    db.session.flush()
    with app.test_request_context("/"):
        assert workqueue.counts(reporter)["report"] == 0


def test_review_queue_counts_up_to_a_cap_and_pages_past_it(app, db, make_user, client, monkeypatch):  # noqa: ANN001
    from app.reports import routes

    world = seed(db, make_user, 40)  # 5 plans × 40 agencies: 35 reports submitted, waiting
    clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
    login(client, world["specialist"])
    page = client.get("/review").get_data(as_text=True)
    assert "Trang 1/2 (35 mục)" in page
    monkeypatch.setattr(routes, "QUEUE_COUNT_CAP", 20)
    page = client.get("/review").get_data(as_text=True)
    assert "Trang 1 (hơn 20 mục)" in page
    assert "Tải Excel (hơn 20 dòng)" in page
    assert page.count('class="button" href="/reports/') == 30
    assert re.search(r'href="/review\?[^"]*trang=2', page)
    second = client.get("/review?trang=2").get_data(as_text=True)
    assert "Trang 2 (hơn 20 mục)" in second
    assert second.count('class="button" href="/reports/') == 5
    assert "Trang sau" not in second
    # a page past the end of a list longer than the cap: the last page the count knows
    far = client.get("/review?trang=9").get_data(as_text=True)
    assert "Trang 1 (hơn 20 mục)" in far
    # the queue's statements do not grow past the cap
    assert page_queries(client, "/review").count == page_queries(client, "/review?trang=2").count
