"""The API reads what the plan page shows of its assignments (issue 12, point 2): each agency's
task blocks (section, role, the group line it comes from, tasks, deadline and window in words)
and the plan's agency groups with the members they expanded to; read-only, to whoever may see
the plan, and described in the OpenAPI document."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.models import Agency
from app.services import clock
from tests.api.conftest import bearer
from tests.querycount import count_queries
from tests.services.test_assignments import load
from tests.services.test_plan_lifecycle import issue

GROUP = "Ủy ban nhân dân các huyện, thị xã, thành phố"


def _issued(db, people):  # noqa: ANN001, ANN202
    plan = load()
    db.session.commit()
    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    db.session.commit()
    clock.set_now(date(2024, 12, 20))
    return plan


def agency(db, code: str) -> Agency:  # noqa: ANN001
    return db.session.scalar(select(Agency).where(Agency.code == code))


def test_assignments_carry_their_blocks_and_group(client, db, people, token) -> None:  # noqa: ANN001
    plan = _issued(db, people)
    member = bearer(token(agency(db, "UBND-TN-HUYENA"), "reporter"))
    (mine,) = client.get("/api/v1/assignments", headers=member).get_json()["items"]
    assert mine["agency"] == "UBND-TN-HUYENA" and mine["group"] == "UBND-HUYEN-TN"
    assert [
        (b["section"], b["group"], b["group_name"], b["tasks"], b["due_text"], b["window_text"])
        for b in mine["blocks"]
    ] == [
        (
            None,
            "UBND-HUYEN-TN",
            GROUP,
            ["triển khai tuyên truyền trên địa bàn quản lý."],
            "chậm nhất đến ngày 28/12",
            None,
        ),
        (
            4,
            "UBND-HUYEN-TN",
            GROUP,
            ["treo băng rôn tại trung tâm huyện."],
            None,
            "từ ngày 01/12 đến hết ngày 31/12",
        ),
    ]
    assert mine["blocks"][1]["window_from"] == "2024-12-01"
    assert mine["blocks"][1]["window_to"] == "2024-12-31"

    # the plan's lines, as the plan page lists them: one agency in two sections, the group's
    page = client.get(f"/api/v1/plans/{plan.id}/assignments", headers=member).get_json()
    by_agency = {a["agency"]: a for a in page["items"]}
    assert page["total"] == 4 and set(by_agency) == {
        "STTTT-TN",
        "SVHTTDL-TN",
        "UBND-TN-HUYENA",
        "UBND-TN-HUYENB",
    }
    sttt = by_agency["STTTT-TN"]
    assert sttt["group"] is None
    assert [(b["section"], b["role"]) for b in sttt["blocks"]] == [(None, "lead"), (4, "cooperate")]

    # the page's queries do not grow with its lines
    counts = []
    for n in (3, 4):  # both pages hold a group line
        with count_queries() as q:
            got = client.get(f"/api/v1/plans/{plan.id}/assignments?per_page={n}", headers=member)
        assert len(got.get_json()["items"]) == n
        counts.append(q.count)
    assert counts[0] == counts[1], (counts, q.summary())

    groups = client.get(f"/api/v1/plans/{plan.id}/groups", headers=member).get_json()
    assert groups == {
        "items": [
            {
                "code": "UBND-HUYEN-TN",
                "name": GROUP,
                "members": ["UBND-TN-HUYENA", "UBND-TN-HUYENB"],
            }
        ]
    }


def test_only_who_sees_the_plan_reads_its_lines(client, db, people, token) -> None:  # noqa: ANN001
    plan = _issued(db, people)
    stranger = Agency(
        code="XA-KHAC", name="UBND xã Khác", abbreviation="UBND", level="commune", place="Khác"
    )
    db.session.add(stranger)
    db.session.commit()
    h = bearer(token(stranger, "reporter"))
    assert client.get(f"/api/v1/plans/{plan.id}/assignments", headers=h).status_code == 404
    assert client.get(f"/api/v1/plans/{plan.id}/groups", headers=h).status_code == 404
    assert client.get(f"/api/v1/plans/{plan.id}/groups").status_code == 401
    # read-only: nothing but GET is offered
    member = bearer(token(agency(db, "UBND-TN-HUYENA"), "reporter"))
    assert client.post(f"/api/v1/plans/{plan.id}/groups", headers=member).status_code == 405


def test_the_openapi_document_describes_them(client) -> None:  # noqa: ANN001
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/plans/{plan_id}/assignments", "/plans/{plan_id}/groups"} <= set(spec["paths"])
    assert set(spec["paths"]["/plans/{plan_id}/groups"]) == {"get"}
    schemas = spec["components"]["schemas"]
    block = schemas["TaskBlockOut"]["properties"]
    assert {"section", "role", "group", "group_name", "tasks", "due_text", "window_text"} <= set(
        block
    )
    assert "description" in block["section"]
    assert {"blocks", "group"} <= set(schemas["AssignmentOut"]["properties"])
    assert "members" in schemas["GroupOut"]["properties"]
