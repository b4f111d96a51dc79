"""Consolidation over many agencies, every rule, missing/late reports and older schema versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forms import consolidate, parse_schema

DUE = dt.date(2024, 12, 15)
CURRENT = {
    "title": "Báo cáo",
    "fields": [
        {"name": "banners", "label": "Băng rôn", "type": "integer", "unit": "cái"},
        {"name": "articles", "label": "Tin bài", "type": "integer", "consolidate": "avg"},
        {"name": "smallest", "label": "Ít nhất", "type": "integer", "consolidate": "min"},
        {"name": "largest", "label": "Nhiều nhất", "type": "decimal", "consolidate": "max"},
        {"name": "staff", "label": "Cán bộ", "type": "integer"},
        {"name": "trained", "label": "Được tập huấn", "type": "integer"},
        {
            "name": "rate",
            "label": "Tỷ lệ tập huấn",
            "type": "computed",
            "formula": "trained / staff * 100",
            "target": 100,
            "consolidate": "ratio",
        },
        {
            "name": "fake",
            "label": "Tin giả xử lý (%)",
            "type": "percentage",
            "target": 90,
            "consolidate": "ratio",
        },
        {"name": "done", "label": "Hoàn thành?", "type": "yesno"},
        {
            "name": "channel",
            "label": "Kênh",
            "type": "multichoice",
            "choices": [
                {"value": "bao", "label": "Báo in"},
                {"value": "tv", "label": "Truyền hình"},
            ],
        },
        {"name": "hard", "label": "Khó khăn", "type": "textarea"},
        {"name": "filled", "label": "Có nhập khó khăn", "type": "text", "consolidate": "count"},
        {"name": "note", "label": "Ghi chú", "type": "text", "consolidate": "none"},
        {
            "name": "acts",
            "label": "Hoạt động",
            "type": "group",
            "fields": [
                {"name": "day", "label": "Ngày", "type": "date"},
                {"name": "people", "label": "Số người", "type": "integer"},
            ],
        },
    ],
}
OLD = {
    "fields": [
        {"name": "banners", "label": "Băng rôn", "type": "integer"},
        {"name": "hard", "label": "Khó khăn", "type": "textarea"},
        {"name": "staff", "label": "Cán bộ", "type": "integer"},
        {
            "name": "acts",
            "label": "Hoạt động",
            "type": "group",
            "fields": [{"name": "day", "label": "Ngày", "type": "date"}],
        },
    ]
}
N = 30
EXPECTED = [{"code": f"S{i:02}", "name": f"Sở {i:02}"} for i in range(N)]


def report(i: int, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
    base = {
        "agency_code": f"S{i:02}",
        "agency_name": f"Sở {i:02}",
        "data": data,
        "schema": CURRENT,
        "status": "accepted",
        "due": DUE,
        "submitted_at": dt.datetime(2024, 12, 14, 9, 0),
    }
    base.update(kw)
    return base


def full(i: int) -> dict[str, Any]:
    return {
        "banners": i,
        "articles": i * 2,
        "smallest": 100 - i,
        "largest": f"{i}.5",
        "staff": 10,
        "trained": 5 + i % 6,
        "rate": "999",
        "fake": str(80 + i % 20),
        "done": i % 3 == 0,
        "channel": ["bao", "tv"] if i % 2 else ["tv"],
        "hard": f"Khó khăn của sở {i}" if i % 4 == 0 else None,
        "filled": "x" if i < 5 else None,
        "note": "ghi chú",
        "acts": [{"day": "2024-12-10", "people": i}] * (i % 3),
    }


def run(reports: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return consolidate(parse_schema(CURRENT), reports, EXPECTED, **kw)


def test_every_rule_over_many_agencies() -> None:
    agencies = range(20)  # S20..S29 send nothing
    out = run([report(i, full(i)) for i in agencies])
    f = out["by_name"]
    assert f["banners"]["value"] == sum(agencies) and f["banners"]["n"] == 20
    assert f["banners"]["display"] == "190" and f["banners"]["unit"] == "cái"
    assert f["articles"]["value"] == "19.00"  # average of 0, 2, …, 38
    assert f["smallest"]["value"] == 81
    assert f["largest"]["value"] == "19.5"
    staff, trained = 10 * 20, sum(5 + i % 6 for i in agencies)
    assert f["rate"]["value"] == f"{trained / staff * 100:.2f}"  # recomputed, "999" ignored
    assert f["rate"]["percent_of_target"] == f["rate"]["value"]
    assert f["fake"]["value"] == f"{sum(80 + i % 20 for i in agencies) / 20:.2f}"
    assert f["done"]["value"] == 7
    assert f["done"]["counts"][1] == {"value": False, "label": "Không", "count": 13}
    assert f["channel"]["counts"] == [
        {"value": "bao", "label": "Báo in", "count": 10},
        {"value": "tv", "label": "Truyền hình", "count": 20},
    ]
    assert [v["agency_name"] for v in f["hard"]["value"]] == [
        "Sở 00",
        "Sở 04",
        "Sở 08",
        "Sở 12",
        "Sở 16",
    ]
    assert f["hard"]["value"][1]["value"] == "Khó khăn của sở 4"
    assert f["filled"]["value"] == 5
    assert f["note"]["value"] is None
    rows = f["acts"]["rows"]
    assert len(rows) == sum(i % 3 for i in agencies) == f["acts"]["value"]
    assert rows[0] == {
        "agency_code": "S01",
        "agency_name": "Sở 01",
        "values": {"day": "2024-12-10", "people": 1},
        "display": {"day": "10/12/2024", "people": "1"},  # as the page and the report show it
    }
    assert f["acts"]["columns"][0]["value"] == sum(i * (i % 3) for i in agencies)
    by_agency = f["banners"]["agencies"]
    assert [a["agency_code"] for a in by_agency] == [e["code"] for e in EXPECTED]
    assert by_agency[25]["value"] is None


def test_ratio_against_target_per_agency() -> None:
    out = run(
        [
            report(0, {"fake": "95", "staff": 4, "trained": 4}),
            report(1, {"fake": "45", "staff": 6, "trained": 0}),
        ]
    )
    fake = out["by_name"]["fake"]
    assert fake["value"] == "70.00" and fake["target"] == "90"
    assert fake["percent_of_target"] == "77.78"
    assert [a["met"] for a in fake["agencies"][:3]] == [True, False, None]
    rate = out["by_name"]["rate"]
    assert rate["value"] == "40.00" and rate["percent_of_target"] == "40.00"


def test_values_only_from_included_statuses() -> None:
    """Timeliness is the application's status module's (tests/status); here only values."""
    out = run(
        [
            report(0, full(0)),
            report(1, full(1)),
            report(2, full(2)),
            report(3, full(3)),
            report(4, full(4), status="draft", submitted_at=None),
            report(5, full(5), status="submitted"),
        ]
    )
    rows = {a["agency_code"]: a for a in out["agencies"]}
    assert rows["S05"]["report_status"] == "submitted" and not rows["S05"]["included"]
    assert rows["S29"]["report_status"] is None
    assert out["summary"] == {"expected": N, "included": 4}
    assert out["by_name"]["banners"]["value"] == 0 + 1 + 2 + 3  # S05 is not accepted yet
    with_submitted = run(
        [report(5, full(5), status="submitted")], include_statuses=("accepted", "submitted")
    )
    assert with_submitted["by_name"]["banners"]["value"] == 5


def test_older_schema_version_counts_as_absent_not_zero() -> None:
    out = run(
        [
            report(0, {"banners": 3, "staff": 10, "trained": 10, "smallest": 2}),
            report(
                1,
                {
                    "banners": 4,
                    "staff": 10,
                    "trained": 7,
                    "smallest": 1,
                    "hard": "cũ",
                    "acts": [{"day": "2024-12-01", "people": 99}],
                },
                schema=OLD,
            ),
        ]
    )
    f = out["by_name"]
    assert f["banners"]["value"] == 7 and f["banners"]["n"] == 2
    assert f["smallest"]["n"] == 1 and f["smallest"]["value"] == 2
    assert f["trained"]["n"] == 1
    # The ratio uses only agencies that reported both numbers: 10 / 10, not 10 / 20.
    assert f["rate"]["value"] == "100.00"
    assert f["rate"]["agencies"][1]["value"] is None
    assert f["acts"]["rows"] == [
        {
            "agency_code": "S01",
            "agency_name": "Sở 01",
            "values": {"day": "2024-12-01", "people": None},
            "display": {"day": "01/12/2024", "people": ""},
        }
    ]


def test_value_that_no_longer_fits_is_absent() -> None:
    out = run([report(0, {"banners": "nhiều", "done": "có"}), report(1, {"banners": 2})])
    assert out["by_name"]["banners"]["value"] == 2
    assert out["by_name"]["banners"]["n"] == 1
    assert out["by_name"]["done"]["n"] == 0


def test_nothing_received() -> None:
    out = run([])
    assert out["by_name"]["banners"]["value"] is None
    assert out["by_name"]["rate"]["value"] is None
    assert out["summary"]["included"] == 0
