from __future__ import annotations

import pytest

from app.models import Role


@pytest.fixture
def login(client):  # noqa: ANN001, ANN201
    def do(user, password: str = "secret-pass"):  # noqa: ANN001, ANN202
        client.post("/auth/logout")
        resp = client.post("/auth/login", data={"username": user.username, "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)
        return client

    return do


@pytest.fixture
def home(make_agency, db):  # noqa: ANN001, ANN201
    a = make_agency("SNV-TV", name="Sở Nội vụ tỉnh Trà Vinh", abbreviation="SNV")
    db.session.commit()
    return a


@pytest.fixture
def admin(make_user, home, db):  # noqa: ANN001, ANN201
    u = make_user("quantri", home, [Role.ADMIN])
    db.session.commit()
    return u


@pytest.fixture
def as_admin(login, admin):  # noqa: ANN001, ANN201
    return login(admin)
