"""Rows of the random worlds the SQL-equals-Python property tests build
(tests/dashboard/test_status_sql.py, tests/dashboard/test_queue_sql.py): a plan with its form,
its assignments, reporting periods, reports and extensions, written straight to the tables (no
service, no audit), each function adding one row as the tests' strategies describe it. The
tests keep their own strategies and assertions; only the rows are made here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.models import (
    Agency,
    Assignment,
    Extension,
    FormVersion,
    Plan,
    Report,
    ReportingPeriod,
)


def at_midnight(day: date, hours: int = 0) -> datetime:
    """``day`` at 00:00 UTC, ``hours`` later (from 17:00 UTC it is the next day in Vietnam)."""
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hours)


def add_plan(
    db: Any, code: str, title: str, status: str, issuer: Agency, standing: Agency
) -> tuple[Plan, FormVersion]:
    """A plan (no definition) and its first reporting form, flushed."""
    plan = Plan(
        code=code,
        title=title,
        status=status,
        issuer_id=issuer.id,
        standing_agency_id=standing.id,
        definition={},
    )
    db.session.add(plan)
    db.session.flush()
    form = FormVersion(plan_id=plan.id, version=1, schema={"title": "x", "fields": []})
    db.session.add(form)
    db.session.flush()
    return plan, form


def add_assignments(db: Any, plan: Plan, rows: list[tuple[Agency, dict]]) -> list[Assignment]:
    """One assignment per (agency, fields), in order (``position``), flushed. ``fields``:
    ``reports`` and, each optional, ``due`` (a date), ``due_working_days``, ``due_text``."""
    made = []
    for i, (agency, fields) in enumerate(rows):
        a = Assignment(plan_id=plan.id, agency_id=agency.id, position=i, **fields)
        db.session.add(a)
        made.append(a)
    db.session.flush()
    return made


def add_period(
    db: Any,
    plan: Plan,
    n: int,
    due: date,
    status: str,
    lock_after_days: int | None,
    closed_at: datetime | None = None,
) -> ReportingPeriod:
    """The plan's ``n``-th round, one-off, due on ``due`` (its data from 40 to 5 days before),
    flushed."""
    period = ReportingPeriod(
        plan_id=plan.id,
        key=f"k{n}",
        label=f"Kỳ {n}",
        kind="once",
        starts_on=due - timedelta(days=40),
        ends_on=due - timedelta(days=5),
        due_on=due,
        status=status,
        closed_at=closed_at,
        lock_after_days=lock_after_days,
    )
    db.session.add(period)
    db.session.flush()
    return period


def add_report(
    db: Any,
    period: ReportingPeriod,
    assignment: Assignment,
    form: FormVersion,
    state: str,
    *,
    sent_at: datetime | None,
    times_returned: int,
) -> None:
    """The assignment's report of ``period`` in ``state``, first (and last) submitted at
    ``sent_at`` (None: never sent)."""
    db.session.add(
        Report(
            plan_id=period.plan_id,
            period_id=period.id,
            assignment_id=assignment.id,
            agency_id=assignment.agency_id,
            status=state,
            form_version_id=form.id,
            data={},
            first_submitted_at=sent_at,
            submitted_at=sent_at,
            times_returned=times_returned,
        )
    )


def add_extension(
    db: Any,
    period: ReportingPeriod,
    agency_id: int,
    requested_due: date,
    state: str = "pending",
    decided_at: datetime | None = None,
) -> None:
    """An extension request of ``agency_id`` for ``period``; a granted one gives what was
    asked."""
    db.session.add(
        Extension(
            plan_id=period.plan_id,
            period_id=period.id,
            agency_id=agency_id,
            reason="Chờ số liệu",
            requested_due=requested_due,
            status=state,
            granted_due=requested_due if state == "granted" else None,
            decided_at=decided_at,
        )
    )
