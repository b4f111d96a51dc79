"""The editor carries assignment lines as plans write them (issue 12, points 2, 6): a group
line, a line printed in a given section, a deadline in words, an activity window."""

from __future__ import annotations

import copy
from pathlib import Path

from sqlalchemy import select

from app.models import Agency, Plan, Role
from app.services import loader
from tests.web.conftest import login

PLAN = Path(__file__).resolve().parents[2] / "tests" / "data" / "plans" / "assignments-groups.yaml"


def _load(db):  # noqa: ANN001, ANN202
    plan = loader.load(loader.parse_file(PLAN))
    db.session.commit()
    return plan


def _specialist(db, people):  # noqa: ANN001, ANN202
    return people(db.session.scalar(select(Agency).where(Agency.code == "CA-TN")), Role.SPECIALIST)


def test_unchanged_edit_keeps_groups_sections_and_worded_deadlines(client, people, db, form_of):  # noqa: ANN001
    plan = _load(db)
    before = copy.deepcopy(plan.definition)
    login(client, _specialist(db, people))
    page = client.get(f"/editor/{plan.id}").get_data(as_text=True)
    assert "Ủy ban nhân dân các huyện, thị xã, thành phố" in page
    assert 'value="trước ngày 25/12"' in page and 'value="từ ngày 01/12 đến ngày 31/12"' in page
    data = form_of(page)
    assert data["a-2-group"] == "UBND-HUYEN-TN" and data["a-3-section"] == "4"
    data["_op"] = "save"
    resp = client.post(f"/editor/{plan.id}", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert plan.definition == before


def test_a_clerk_adds_a_group_line_in_a_section(client, people, db, form_of):  # noqa: ANN001
    plan = _load(db)
    login(client, _specialist(db, people))
    data = form_of(client.get(f"/editor/{plan.id}").get_data(as_text=True))
    # the SVHTTDL line becomes a group line printed in section II with a worded deadline
    data.update(
        {
            "a-1-agency": "",
            "a-1-group": "UBND-HUYEN-TN",
            "a-1-section": "2",
            "a-1-due_text": "chậm nhất ngày 20/12",
            "_op": "save",
        }
    )
    resp = client.post(f"/editor/{plan.id}", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    db.session.expire_all()
    line = plan.definition["assignments"][1]
    assert line["group"] == "UBND-HUYEN-TN" and "agency" not in line
    assert line["section"] == 2 and line["due_text"] == "chậm nhất ngày 20/12"
    members = sorted(a.agency.code for a in plan.assignments if a.group_id)
    assert members == ["UBND-TN-HUYENA", "UBND-TN-HUYENB"]
    assert "SVHTTDL-TN" not in {a.agency.code for a in plan.assignments}


def test_a_wrong_worded_deadline_is_shown_at_its_input(client, people, db, form_of):  # noqa: ANN001
    plan = _load(db)
    login(client, _specialist(db, people))
    data = form_of(client.get(f"/editor/{plan.id}").get_data(as_text=True))
    data.update({"a-0-due_text": "trước tết", "_op": "save"})
    resp = client.post(f"/editor/{plan.id}", data=data)
    page = resp.get_data(as_text=True)
    assert resp.status_code in (200, 422)
    assert 'id="a-0-due_text-err"' in page and "không tìm thấy ngày" in page
    assert 'value="trước tết"' in page  # nothing typed is lost


def test_moving_a_section_keeps_each_line_on_its_section(client, people, db, form_of):  # noqa: ANN001
    plan = _load(db)
    login(client, _specialist(db, people))
    data = form_of(client.get(f"/editor/{plan.id}").get_data(as_text=True))
    data["_op"] = "section_up:3"  # IV. moves above III.
    page = client.post(f"/editor/{plan.id}", data=data).get_data(as_text=True)
    data = form_of(page)
    assert data["s-2-heading"] == "PHÂN CÔNG CỤ THỂ VỀ TREO BĂNG RÔN"
    assert data["a-3-section"] == "3" and data["a-4-section"] == "3"
    data["_op"] = "save"
    assert client.post(f"/editor/{plan.id}", data=data).status_code == 302
    db.session.expire_all()
    assert [a.get("section") for a in db.session.get(Plan, plan.id).definition["assignments"]] == [
        None,
        None,
        None,
        3,
        3,
    ]
