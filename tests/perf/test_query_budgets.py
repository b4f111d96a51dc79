"""Issue 16 point 1 for the status pages: each page sends the same number of SQL statements at
10 and at 200 agencies × 5 plans (deterministic, not timed)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.models import (
    Agency,
    Assignment,
    Extension,
    FormVersion,
    Plan,
    Report,
    ReportingPeriod,
    Role,
)
from app.services import clock
from tests.querycount import page_queries
from tests.web.conftest import PASSWORD, login

VN = timezone(timedelta(hours=7))
SCHEMA = {
    "title": "Kết quả",
    "fields": [
        {"name": "banners", "label": "Băng rôn", "type": "integer", "consolidate": "sum"},
    ],
}
PLANS = 5
STATEMENTS: dict = {}


def seed(db, make_user, n_agencies: int) -> dict:  # noqa: ANN001
    """One standing agency, ``n_agencies`` assigned agencies, PLANS plans in progress with one
    open period each; reports in every state, an extension, own due dates."""
    standing = Agency(code="CA", name="Công an tỉnh", abbreviation="CA", place="Trà Vinh")
    db.session.add(standing)
    agencies = [
        Agency(code=f"S{i:03d}", name=f"Sở {i:03d}", abbreviation="S", place="Trà Vinh")
        for i in range(n_agencies)
    ]
    db.session.add_all(agencies)
    db.session.flush()
    states = ["draft", "submitted", "accepted", "returned", None, "awaiting_approval"]
    for k in range(PLANS):
        plan = Plan(
            code=f"p{k}",
            title=f"Kế hoạch {k}",
            status="in_progress",
            issuer_id=standing.id,
            standing_agency_id=standing.id,
            definition={},
        )
        db.session.add(plan)
        db.session.flush()
        form = FormVersion(plan_id=plan.id, version=1, schema=SCHEMA)
        period = ReportingPeriod(
            plan_id=plan.id,
            key="once",
            label="Báo cáo kết quả",
            kind="once",
            starts_on=date(2024, 11, 1),
            ends_on=date(2024, 12, 31),
            due_on=date(2025, 1, 1),
            status="open",
            lock_after_days=30,
        )
        db.session.add_all([form, period])
        db.session.flush()
        for i, ag in enumerate(agencies):
            a = Assignment(
                plan_id=plan.id,
                agency_id=ag.id,
                position=i,
                due=date(2025, 1, 10) if i % 7 == 3 else None,
            )
            db.session.add(a)
            db.session.flush()
            st = states[i % len(states)]
            if st is not None:
                sub = (
                    datetime(2024, 12, 20, 9, tzinfo=VN) + timedelta(days=i % 20)
                    if st
                    in (
                        "submitted",
                        "accepted",
                        "returned",
                    )
                    else None
                )
                db.session.add(
                    Report(
                        plan_id=plan.id,
                        period_id=period.id,
                        assignment_id=a.id,
                        agency_id=ag.id,
                        status=st,
                        form_version_id=form.id,
                        data={"banners": i},
                        first_submitted_at=sub,
                        submitted_at=sub,
                        times_returned=1 if st == "returned" else 0,
                    )
                )
            if i % 11 == 5:
                db.session.add(
                    Extension(
                        plan_id=plan.id,
                        period_id=period.id,
                        agency_id=ag.id,
                        reason="Chờ số liệu",
                        requested_due=date(2025, 1, 20),
                        status="granted",
                        granted_due=date(2025, 1, 20),
                        decided_at=datetime(2024, 12, 30, tzinfo=VN),
                    )
                )
    db.session.commit()
    return {
        "admin": make_user("qt", standing, [Role.ADMIN], PASSWORD),
        "specialist": make_user("cv", standing, [Role.SPECIALIST], PASSWORD),
        "reporter": make_user("bc", agencies[1], [Role.REPORTER, Role.AGENCY_LEADER], PASSWORD),
        # every work queue at once: the navigation's badges on every page
        "everyone": make_user("moi", standing, [r for r in Role], PASSWORD),
        "plan": db.session.scalar(db.select(Plan).where(Plan.code == "p0")),
    }


def counts(client, db, make_user, n: int) -> dict[str, int]:  # noqa: ANN001
    world = seed(db, make_user, n)
    db.session.commit()
    plan = world["plan"]
    period_id = plan.periods[0].id
    out = {}
    login(client, world["specialist"])
    for name, url in (
        ("dashboard (specialist)", "/"),
        ("plan page", f"/plans/{plan.id}"),
        ("review queue", "/review"),
        ("consolidation page", f"/periods/{period_id}/consolidation"),
        ("plans list", "/plans/"),
        ("plans search", "/plans/?q=ke+hoach"),
        ("consolidation page, second page", f"/periods/{period_id}/consolidation?trang=2"),
        ("documents list", "/documents/"),
        ("dashboard, second page of plans", "/?trang=2"),
        ("dashboard Excel", "/dashboard.xlsx"),
    ):
        q = page_queries(client, url)
        out[name] = q.count
        STATEMENTS[(n, name)] = q.summary(160)
    login(client, world["admin"])
    for name, url in (("register (admin)", "/documents/register"),):
        q = page_queries(client, url)
        out[name] = q.count
        STATEMENTS[(n, name)] = q.summary(160)
    login(client, world["everyone"])
    for name, url in (
        ("badges of every queue (notifications)", "/notifications"),
        ("dashboard (every queue)", "/"),
    ):
        q = page_queries(client, url)
        out[name] = q.count
        STATEMENTS[(n, name)] = q.summary(160)
    login(client, world["reporter"])
    for name, url in (
        ("dashboard (agency)", "/"),
        ("inbox", "/inbox"),
        ("approvals (leader)", "/approvals"),
        ("notifications", "/notifications"),
    ):
        q = page_queries(client, url)
        out[name] = q.count
        STATEMENTS[(n, name)] = q.summary(160)
    return out


@pytest.fixture
def at(app, db, make_user, client):  # noqa: ANN001, ANN201
    """Counts of the pages for a world of ``n`` agencies (a fresh database each time)."""
    from tests.conftest import _wipe

    def run(n: int) -> dict[str, int]:
        # The test's own session first: _wipe works in an app context of its own, and a
        # transaction left open here would hold the locks TRUNCATE waits for.
        db.session.remove()
        _wipe(app)
        db.session.remove()
        clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
        return counts(client, db, make_user, n)

    return run


def test_page_queries_do_not_grow_with_agencies(at) -> None:  # noqa: ANN001
    small, large = at(10), at(200)
    print("\nqueries per page (10 → 200 agencies × 5 plans):")
    for k in small:
        print(f"  {k}: {small[k]} → {large[k]}")
    for k in small:
        if small[k] != large[k]:
            print(k, "\n", STATEMENTS[(10, k)], "\n----\n", STATEMENTS[(200, k)])
    assert small == large
