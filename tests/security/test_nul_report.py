"""A NUL byte typed into a report is refused naming the field, and what was typed is shown
again (the report unchanged). Its own module, so its own world: the fuzzers of test_fuzz.py
change theirs, in an order pytest may rearrange per backend."""

from __future__ import annotations

from tests.security.sessions import sign_in
from tests.security.test_fuzz import _text
from tests.security.test_routes_by_role import (  # noqa: F401  (this module's own world)
    app,
    backend,
    shared,
    world,
)


def test_report_text_with_nul_is_refused_and_kept(app, db, world) -> None:  # noqa: ANN001, F811
    client = app.test_client()
    r = world["ra"]
    sign_in(client, world["a_reporter"])
    before = dict(r.data)
    resp = client.post(
        f"/reports/{r.id}/edit",
        data={"difficulties": "Khó\x00khăn", "_save_draft": "1", "kh_version": str(r.version)},
    )
    assert resp.status_code == 200
    assert "chứa ký tự điều khiển" in _text(resp)
    assert "Khó" in _text(resp)
    db.session.expire_all()
    assert db.session.get(type(r), r.id).data == before
