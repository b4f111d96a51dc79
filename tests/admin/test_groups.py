"""The administrator manages agency groups (issue 12, point 7): a name printed once in a plan,
members listed or given by a rule (every agency of a level under a parent), valid at a date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.models import AgencyGroup, AuditEvent, Role
from app.services import groups
from tests.conftest import add_agency


def test_admin_creates_a_rule_group_and_sees_todays_members(client, login, make_user, db):  # noqa: ANN001
    province = add_agency("UBND-G", name="Ủy ban nhân dân tỉnh G", level="province")
    a = add_agency("H-A", name="Ủy ban nhân dân huyện A", level="district", parent_id=province.id)
    add_agency("H-B", name="Ủy ban nhân dân huyện B", level="district", parent_id=province.id)
    gone = add_agency(
        "H-C",
        name="Ủy ban nhân dân huyện C",
        level="district",
        parent_id=province.id,
        valid_to=date(2025, 6, 30),
    )
    admin = make_user("quantri-g", province, [Role.ADMIN])
    db.session.commit()
    login(admin)
    page = client.get("/quan-tri/nhom-co-quan/sua")
    assert page.status_code == 200 and "Cấp huyện" in page.get_data(as_text=True)
    resp = client.post(
        "/quan-tri/nhom-co-quan/sua",
        data={
            "code": "UBND-HUYEN-G",
            "name": "Ủy ban nhân dân các huyện, thị xã, thành phố",
            "member_level": "district",
            "member_parent_id": str(province.id),
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    group = db.session.scalar(select(AgencyGroup).where(AgencyGroup.code == "UBND-HUYEN-G"))
    assert [m.code for m in groups.members(group, date(2025, 1, 1))] == ["H-A", "H-B", "H-C"]
    assert gone not in groups.members(group, date(2025, 7, 1))
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.object_type == "agency_group")
        ).actor_id
        == admin.id
    )
    listing = client.get("/quan-tri/nhom-co-quan").get_data(as_text=True)
    assert "Ủy ban nhân dân các huyện, thị xã, thành phố" in listing
    # listed members instead of the rule
    resp = client.post(
        f"/quan-tri/nhom-co-quan/sua?nhom={group.id}",
        data={"code": "UBND-HUYEN-G", "name": group.name, "member_level": "", "members": [a.id]},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert [m.code for m in groups.members(group)] == ["H-A"]


def test_a_group_needs_members_or_a_rule_and_a_free_code(client, login, make_user, db):  # noqa: ANN001
    home = add_agency("UBND-G2", name="Ủy ban nhân dân tỉnh G2")
    user = make_user("quantri-g2", home, [Role.ADMIN])
    db.session.commit()
    login(user)
    page = client.post(
        "/quan-tri/nhom-co-quan/sua", data={"code": "UBND-G2", "name": "Nhóm"}
    ).get_data(as_text=True)
    assert "Chọn ít nhất một thành viên" in page
    assert 'value="Nhóm"' in page  # nothing typed is lost
    page = client.post(
        "/quan-tri/nhom-co-quan/sua",
        data={"code": "UBND-G2", "name": "Nhóm", "member_level": "commune"},
    ).get_data(as_text=True)
    assert "đã được dùng cho nhóm hoặc cơ quan khác" in page


def test_only_administrators_reach_groups(client, login, make_user, db):  # noqa: ANN001
    home = add_agency("UBND-G3", name="Ủy ban nhân dân tỉnh G3")
    user = make_user("chuyenvien-g3", home, [Role.SPECIALIST])
    db.session.commit()
    login(user)
    assert client.get("/quan-tri/nhom-co-quan").status_code == 403
    assert client.post("/quan-tri/nhom-co-quan/sua", data={"code": "X"}).status_code == 403
