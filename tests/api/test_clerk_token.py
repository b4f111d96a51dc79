"""What an API token with the clerk's role can do, through every endpoint (issue 15 follow-up:
tokens may carry the clerk role for the edXML exchange adapter). The policy decides, as for the
pages: ``exchange.post`` lets it post packets to ``POST /api/v1/edxml`` (each packet then needs
``document.import_status`` or ``exchange.receive_document``); ``api.read`` keeps a clerk-only
token from reading anything, which the exchange does not need; ``report.start`` keeps it from
writing reports, as in the pages. A token with another role besides reads as that role."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.models import ExchangeIncoming, ExchangeStatus, Report
from tests.api.conftest import bearer

# every operation of the API: a new one must be judged here for a clerk's token
OPERATIONS = {
    ("get", "/assignments"),
    ("get", "/documents"),
    ("get", "/documents/{doc_id}"),
    ("get", "/documents/{doc_id}/file/{which}"),
    ("get", "/periods/{period_id}/statuses"),
    ("get", "/plans"),
    ("get", "/plans/{plan_id}"),
    ("get", "/plans/{plan_id}/assignments"),
    ("get", "/plans/{plan_id}/groups"),
    ("get", "/reports"),
    ("get", "/reports/{report_id}"),
    ("post", "/periods/{period_id}/report"),
    ("post", "/edxml"),
}
READS_NOTHING = (
    "Mã truy cập chỉ có quyền văn thư chỉ dùng để gửi gói edXML qua trục liên thông, không đọc "
    "dữ liệu."
)


def _count(db, model) -> int:  # noqa: ANN001
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_clerk_token_posts_edxml_packets_and_reads_or_writes_nothing(
    client,  # noqa: ANN001
    db,  # noqa: ANN001
    issued,  # noqa: ANN001
    token,  # noqa: ANN001
) -> None:
    plan, plan_doc = issued
    agency = plan.reporting_assignments[0].agency
    period = plan.periods[0]
    made = client.post(
        f"/api/v1/periods/{period.id}/report",
        json={"data": {"banners": 3}},
        headers=bearer(token(agency, "reporter")),
    )
    assert made.status_code == 200, made.get_data(as_text=True)
    report = made.get_json()
    ids = {
        "plan_id": plan.id,
        "period_id": period.id,
        "report_id": report["id"],
        "doc_id": plan_doc.id,
        "which": "pdf",
    }
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = {(m, p) for p, ops in spec["paths"].items() for m in ops if m in ("get", "post")}
    assert operations == OPERATIONS

    clerk = bearer(token(agency, "clerk"))
    clerk_and_reporter = bearer(token(agency, "clerk", "reporter"))
    before = (_count(db, Report), _count(db, ExchangeStatus), _count(db, ExchangeIncoming))
    for method, path in sorted(OPERATIONS):
        url = "/api/v1" + re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path)
        if method == "get":
            resp = client.get(url, headers=clerk)
            assert resp.status_code == 403, (url, resp.status_code)
            assert resp.get_json()["message"] == READS_NOTHING, url
            # the clerk's role takes nothing away from a token's other roles
            resp = client.get(url, headers=clerk_and_reporter)
            assert resp.status_code in (200, 404), (url, resp.status_code)
            if path != "/documents/{doc_id}/file/{which}":  # 404: no PDF made in this test
                assert resp.status_code == 200, (url, resp.status_code)
        elif path == "/edxml":
            # past the policy's exchange.post: the body is what is refused
            resp = client.post(url, data=b"", headers={**clerk, "Content-Type": "application/xml"})
            assert resp.status_code == 400, resp.get_data(as_text=True)
            assert "Thân yêu cầu trống" in resp.get_json()["message"]
        else:  # a report: report.start, as on the pages (reporter or agency leader)
            resp = client.post(url, json={"data": {"banners": 5}}, headers=clerk)
            assert resp.status_code == 403, (url, resp.status_code)
    assert (_count(db, Report), _count(db, ExchangeStatus), _count(db, ExchangeIncoming)) == before
    db.session.expire_all()
    assert db.session.get(Report, report["id"]).data.get("banners") == 3
