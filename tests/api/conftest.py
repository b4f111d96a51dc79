"""Fixtures of the API tests: Trà Vinh issued with its round open, tokens per agency."""

from __future__ import annotations

from datetime import date

import pytest

from app.models import Role
from app.services import api_tokens, clock
from tests.services.test_plan_lifecycle import issue, load_plan


@pytest.fixture
def issued(db, people):  # noqa: ANN001, ANN201
    plan = load_plan("tra-vinh-2024.yaml")
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    doc = issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    clock.set_now(date(2024, 12, 20))
    return plan, doc


@pytest.fixture
def token(db):  # noqa: ANN001, ANN201
    made: dict = {}

    def make(agency, *roles: str) -> str:  # noqa: ANN001
        key = (agency.id, roles)
        if key not in made:
            _, raw = api_tokens.create(agency, f"Hệ thống {agency.code}", list(roles), None)
            db.session.commit()
            made[key] = raw
        return made[key]

    return make


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


__all__ = ["Role", "bearer"]
