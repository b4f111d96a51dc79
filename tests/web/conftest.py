"""Fixtures for the page tests: the Trà Vinh plan loaded, people per agency and role, login."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.models import Role
from app.services import loader

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "secret-pass"


@pytest.fixture
def plan(db):  # noqa: ANN001, ANN201
    p = loader.load(loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml"))
    db.session.commit()
    return p


@pytest.fixture
def people(make_user, db):  # noqa: ANN001, ANN201
    made = {}

    def person(agency, *roles):  # noqa: ANN001, ANN202
        key = (agency.code, roles)
        if key not in made:
            name = f"{'-'.join(roles)}.{agency.code}".lower()
            made[key] = make_user(name, agency, list(roles or [Role.REPORTER]))
            db.session.commit()
        return made[key]

    return person


def login(client, user) -> None:  # noqa: ANN001
    client.post("/auth/logout")
    resp = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
