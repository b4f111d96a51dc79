"""The editor's buttons asked by its script (header ``X-Kehoach-Partial``) get only the parts
they change; anything else gets the whole page, as without JavaScript."""

from __future__ import annotations

from app.models import Role
from tests.editor.test_new_plan import county, third_plan  # noqa: F401  (fixture)
from tests.web.conftest import login


def test_partial_answer_holds_only_the_asked_parts(app, db, client, county, people):  # noqa: ANN001, F811
    login(client, people(county["ubnd"], Role.SPECIALIST))
    data = third_plan(county) | {"_op": "assignment_add"}
    whole = client.post("/editor/new", data=data).get_data(as_text=True)
    part = client.post(
        "/editor/new", data=data, headers={"X-Kehoach-Partial": "phan-cong"}
    ).get_data(as_text=True)
    assert 'class="steps"' in whole and 'id="noi-dung"' in whole
    assert 'class="steps"' not in part and 'id="noi-dung"' not in part
    assert part.count('<section class="card" id="phan-cong">') == 1
    assert 'id="a-3-agency"' in part  # the added line
    assert "Tổ chức tuyên truyền tại thôn, ấp." in part  # what was typed, kept
    assert len(part) < len(whole) / 2
    two = client.post(
        "/editor/new",
        data=third_plan(county) | {"_op": "section_up:1"},
        headers={"X-Kehoach-Partial": "noi-dung phan-cong"},
    ).get_data(as_text=True)
    assert 'id="noi-dung"' in two and 'id="phan-cong"' in two and 'id="bieu-mau"' not in two
    for odd in ("khong-co", "<script>", "a" * 60, "noi-dung " * 5):
        resp = client.post("/editor/new", data=data, headers={"X-Kehoach-Partial": odd})
        assert 'class="steps"' in resp.get_data(as_text=True), odd
