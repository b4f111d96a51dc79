"""schemathesis against the API's own OpenAPI description: every operation, generated valid and
invalid inputs (bounded), with a real token on real data; no server error, every answer as
described (status, content type, schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.api.conftest import bearer


@pytest.fixture
def api_schema(app, issued, token):  # noqa: ANN001, ANN201
    plan, _ = issued
    app.config["_api_token"] = token(plan.reporting_assignments[0].agency, "reporter")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi(case, app) -> None:  # noqa: ANN001
    case.call_and_validate(headers=bearer(app.config["_api_token"]))


def test_the_description_is_served_and_versioned(client) -> None:  # noqa: ANN001
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["info"]["version"] == "1.0.0" and spec["servers"] == [{"url": "/api/v1"}]
    assert (
        "BearerAuth" in str(spec["components"]["securitySchemes"])
        or spec["components"]["securitySchemes"]
    )
    assert {
        "/plans",
        "/reports",
        "/periods/{period_id}/report",
        "/documents/{doc_id}/file/{which}",
    } <= set(spec["paths"])
