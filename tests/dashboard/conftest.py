"""Fixtures of the dashboard tests: the Trà Vinh plan issued, three agencies reporting (on time,
returned and resubmitted, late); the others missing."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.models import Role
from app.services import clock, documents, reports
from tests.web.conftest import people, plan  # noqa: F401  (fixtures)

VN = timezone(timedelta(hours=7))


def issue(plan, people) -> None:  # noqa: ANN001, F811
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    documents.transition(doc, "release", people(plan.issuer, Role.CLERK), issued_on=clock.today())


def submit(plan, period, agency, people, at):  # noqa: ANN001, ANN201, F811
    clock.set_now(at)
    reporter, leader = people(agency, Role.REPORTER), people(agency, Role.AGENCY_LEADER)
    r = reports.start_report(plan, period, reporter)
    reports.save_draft(
        r,
        {"banners": 3, "slogans_used": True, "articles": 1, "difficulties": "Không"},
        reporter,
        r.version,
    )
    reports.transition(r, "submit_for_approval", reporter)
    reports.transition(r, "approve", leader)
    return r


@pytest.fixture
def round_(plan, people, db):  # noqa: ANN001, ANN201, F811
    """Issued 05/11/2024, due 01/01/2025: A on time, B returned and resubmitted on time,
    C late (06/01/2025), the others missing; today 08/01/2025."""
    clock.set_now(date(2024, 11, 5))
    issue(plan, people)
    period = plan.periods[0]
    a, b, c = [x.agency for x in plan.reporting_assignments[:3]]
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    submit(plan, period, a, people, datetime(2024, 12, 20, 10, tzinfo=VN))
    rb = submit(plan, period, b, people, datetime(2024, 12, 21, 10, tzinfo=VN))
    reports.transition(rb, "return_for_revision", specialist, comment="Bổ sung số liệu")
    reports.transition(rb, "resubmit", people(b, Role.AGENCY_LEADER))
    submit(plan, period, c, people, datetime(2025, 1, 6, 10, tzinfo=VN))
    clock.set_now(datetime(2025, 1, 8, 9, tzinfo=VN))
    db.session.commit()
    return {"plan": plan, "period": period, "agencies": (a, b, c), "specialist": specialist}
