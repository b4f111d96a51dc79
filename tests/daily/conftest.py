from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.models import Role
from app.services import clock, documents, loader

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def live_round(db, people):
    """The Trà Vinh plan issued on 02/12/2026 with its round open (due 31/12/2026), and the
    people of every role: two specialists of the standing agency, the issuer's signer and clerk,
    reporter and leader of two agencies."""
    clock.set_now(date(2026, 12, 2))
    d = loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml")
    d["schedule"].update(due=date(2026, 12, 31), cutoff=date(2026, 12, 31))
    plan = loader.load(d)
    standing, issuer = plan.standing_agency, plan.issuer
    a, b = (x.agency for x in plan.reporting_assignments[:2])
    spec = people(standing, Role.SPECIALIST)
    from app.models import User

    spec2 = User(username="chuyenvien2", full_name="Chuyên viên hai", agency_id=standing.id)
    spec2.roles = [Role.SPECIALIST]
    spec2.set_password("secret-pass")
    db.session.add(spec2)
    db.session.flush()
    doc = documents.create_document("plan", issuer, plan.title, spec, plan=plan)
    documents.transition(doc, "request_signature", spec)
    documents.transition(doc, "sign", people(issuer, Role.SIGNER))
    documents.transition(doc, "release", people(issuer, Role.CLERK), issued_on=date(2026, 12, 2))
    db.session.commit()
    yield {
        "plan": plan,
        "period": plan.periods[0],
        "spec": spec,
        "spec2": spec2,
        "signer": people(issuer, Role.SIGNER),
        "clerk": people(issuer, Role.CLERK),
        "reporter": people(a, Role.REPORTER),
        "leader": people(a, Role.AGENCY_LEADER),
        "other_reporter": people(b, Role.REPORTER),
        "other_leader": people(b, Role.AGENCY_LEADER),
        "a": a,
        "issuer": issuer,
        "standing": standing,
    }
    clock.set_now(None)
