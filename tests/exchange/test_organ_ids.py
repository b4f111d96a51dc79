"""The agency's organisation code (mã định danh): edited by the administrator (format, unique),
shown on the agency pages; carried by plan files; given to the demo agencies."""

from __future__ import annotations

import copy
import re
from pathlib import Path

from sqlalchemy import select

from app.models import Agency, Role
from app.services import loader
from tests.web.conftest import login

ROOT = Path(__file__).resolve().parents[2]


def form_data(agency: Agency, organ_id: str) -> dict:
    return {
        "code": agency.code,
        "organ_id": organ_id,
        "name": agency.name,
        "short_name": agency.short_name or "",
        "abbreviation": agency.abbreviation,
        "level": agency.level,
        "place": agency.place,
        "parent_id": str(agency.parent_id or 0),
        "header_parent": agency.header_parent or "",
        "header_name": agency.header_name or "",
        "valid_from": "",
    }


def test_admin_sets_a_valid_unique_code(client, make_agency, make_user, db):  # noqa: ANN001
    home = make_agency("UBND-TV", name="Ủy ban nhân dân tỉnh Trà Vinh", abbreviation="UBND")
    other = make_agency("STP-TV", name="Sở Tư pháp tỉnh Trà Vinh", abbreviation="STP")
    admin = make_user("quantri", home, [Role.ADMIN])
    db.session.commit()
    login(client, admin)
    url = f"/quan-tri/co-quan/{home.id}"
    assert "Mã định danh (liên thông văn bản)" in client.get(url).get_data(as_text=True)

    resp = client.post(url, data=form_data(home, " 000.00.00.h57 "))
    assert resp.status_code == 302, resp.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    assert db.session.get(Agency, home.id).organ_id == "000.00.00.H57"
    listing = client.get("/quan-tri/co-quan").get_data(as_text=True)
    assert "000.00.00.H57" in listing
    assert 'value="000.00.00.H57"' in client.get(url).get_data(as_text=True)

    for bad, message in (
        ("000.00.H57", "“Mã định danh” phải gồm 4 nhóm chữ số hoặc chữ in hoa"),
        ("000.00.00.H5;", "“Mã định danh” phải gồm 4 nhóm chữ số hoặc chữ in hoa"),
        ("000.00.00.H57", "“Mã định danh” đã được dùng cho Ủy ban nhân dân tỉnh Trà Vinh."),
    ):
        page = client.post(f"/quan-tri/co-quan/{other.id}", data=form_data(other, bad))
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and message in text, re.findall(r"error[^>]*>[^<]*", text)
        assert "Sở Tư pháp tỉnh Trà Vinh" in text  # what was typed is kept
        db.session.expire_all()
        assert db.session.get(Agency, other.id).organ_id is None
    # emptied: no code
    assert client.post(url, data=form_data(home, "")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Agency, home.id).organ_id is None


def test_plan_file_carries_organ_id(db):  # noqa: ANN001
    data = loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml")
    good = copy.deepcopy(data)
    good["agencies"][0]["organ_id"] = "000.00.00.H57"
    loader.load(good)
    db.session.commit()
    assert db.session.scalar(
        select(Agency.organ_id).where(Agency.code == good["agencies"][0]["code"])
    ) == ("000.00.00.H57")
    # omitted on a reload: the code stays; another agency's code or a bad one is a problem
    loader.load(data)
    db.session.commit()
    assert db.session.scalar(
        select(Agency.organ_id).where(Agency.code == data["agencies"][0]["code"])
    ) == ("000.00.00.H57")
    for value, message in (
        ("H57", "mã định danh phải có dạng 000.00.00.H57"),
        ("000.00.00.H57", "đã là của"),
    ):
        bad = copy.deepcopy(data)
        bad["agencies"][1]["organ_id"] = value
        problems = [str(p) for p in loader.validate(bad)]
        assert any("agencies[1].organ_id" in p and message in p for p in problems), problems


def test_demo_agencies_have_plausible_codes(app, db):  # noqa: ANN001
    from app.demo import DEMO_ORGAN_IDS, _organ_ids
    from app.services.edxml import ORGAN_ID_RE

    assert all(ORGAN_ID_RE.match(v) for v in DEMO_ORGAN_IDS.values())
    assert len(set(DEMO_ORGAN_IDS.values())) == len(DEMO_ORGAN_IDS)
    loader.load(loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml"))
    _organ_ids()
    db.session.commit()
    coded = dict(db.session.execute(select(Agency.code, Agency.organ_id)).all())
    assert coded["UBND-TV"] == "000.00.00.H57"
    assert coded["BTGTU-TV"] is None  # a Party body: shown as a recipient without a code
