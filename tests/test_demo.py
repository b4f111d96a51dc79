"""The demo data the first README command loads."""

from sqlalchemy import func, select

from app import demo
from app.models import Plan, Report, User


def test_demo_loads_both_plans_users_and_a_live_round(db):
    assert demo.load_demo() is True
    db.session.commit()
    plans = {p.code: p for p in db.session.scalars(select(Plan))}
    assert len(plans) == 2
    tv = plans["tra-vinh-2024-nhan-quyen"]
    assert tv.status == "in_progress" and tv.symbol == "01/KH-BCĐNQ"
    statuses = sorted(r.status for r in db.session.scalars(select(Report)))
    assert statuses == ["accepted", "returned", "submitted"]
    roles = set()
    for u in db.session.scalars(select(User)):
        roles |= u.roles
        assert u.check_password(demo.DEMO_PASSWORD)
    assert roles == {"specialist", "clerk", "signer", "reporter", "agency_leader", "admin"}
    assert demo.load_demo() is False  # idempotent
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 2
