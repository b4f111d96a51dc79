"""Editing an example plan without changes gives back exactly the same definition."""

from __future__ import annotations

import copy

from werkzeug.datastructures import MultiDict

from app.models import Role
from tests.web.conftest import login


def test_unchanged_edit_keeps_definition(client, plan, people, db, form_of):  # noqa: ANN001
    before = copy.deepcopy(plan.definition)
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    page = client.get(f"/editor/{plan.id}")
    assert page.status_code == 200
    data = form_of(page.get_data(as_text=True))
    data["_op"] = "save"
    resp = client.post(f"/editor/{plan.id}", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert plan.definition == before
    assert len(plan.form_versions) == 1


def test_links_from_plan_pages(client, plan, people):  # noqa: ANN001
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    assert "/editor/new" in client.get("/plans/").get_data(as_text=True)
    assert f"/editor/{plan.id}" in client.get(f"/plans/{plan.id}").get_data(as_text=True)


def test_unchanged_edit_keeps_ninh_thuan(client, people, db, form_of):  # noqa: ANN001
    from app.services import loader
    from tests.web.conftest import ROOT

    p = loader.load(loader.parse_file(ROOT / "plans" / "ninh-thuan-2023-2028.yaml"))
    db.session.commit()
    before = copy.deepcopy(p.definition)
    login(client, people(p.standing_agency, Role.SPECIALIST))
    data = form_of(client.get(f"/editor/{p.id}").get_data(as_text=True))
    resp = client.post(f"/editor/{p.id}", data=dict(data, _op="save"))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert p.definition == before


def _as_browser_sends(html: str) -> list[tuple[str, str]]:
    """The editor form's fields as a browser posts them: textareas with CRLF line ends."""
    from tests.editor.conftest import _Form

    p = _Form()
    p.feed(html)
    textareas = set()
    import re as _re

    for m in _re.finditer(r'<textarea[^>]*name="([^"]+)"', html):
        textareas.add(m.group(1))
    return [
        (k, v.replace("\r\n", "\n").replace("\n", "\r\n") if k in textareas else v)
        for k, v in p.fields
    ]


def test_saving_unchanged_from_a_browser_exports_the_same_yaml_bytes(client, people, db):  # noqa: ANN001
    """Issue 10 item 8: open each example plan in the editor, save it unchanged as a browser
    would (CRLF in text areas): the exported YAML is byte for byte the same."""
    from app.services import loader
    from tests.web.conftest import ROOT

    for name in ("tra-vinh-2024.yaml", "ninh-thuan-2023-2028.yaml"):
        p = loader.load(loader.parse_file(ROOT / "plans" / name))
        db.session.commit()
        login(client, people(p.standing_agency, Role.SPECIALIST))
        before = client.get(f"/plans/{p.id}/export").data
        fields = _as_browser_sends(client.get(f"/editor/{p.id}").get_data(as_text=True))
        resp = client.post(f"/editor/{p.id}", data=MultiDict([*fields, ("_op", "save")]))
        assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
        after = client.get(f"/plans/{p.id}/export").data
        assert after == before, name
