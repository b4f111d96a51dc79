"""Date filters: running text per Decree 30 (day < 10 and months 1–2 zero-padded), tables
dd/mm/yyyy."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string
from flask_babel import refresh

from app.ui import date_table, date_text


@pytest.mark.parametrize(
    "d, vi, en",
    [
        (date(2025, 1, 5), "ngày 05 tháng 01 năm 2025", "5 January 2025"),
        (date(2019, 6, 29), "ngày 29 tháng 6 năm 2019", "29 June 2019"),
        (date(2025, 2, 12), "ngày 12 tháng 02 năm 2025", "12 February 2025"),
        (date(2024, 3, 9), "ngày 09 tháng 3 năm 2024", "9 March 2024"),
        (date(2024, 12, 31), "ngày 31 tháng 12 năm 2024", "31 December 2024"),
    ],
)
def test_date_text(d: date, vi: str, en: str) -> None:
    assert date_text(d, "vi") == vi
    assert date_text(d, "en") == en
    assert date_text(d.isoformat(), "vi") == vi


def test_date_table() -> None:
    assert date_table(date(2025, 1, 5)) == "05/01/2025"
    assert date_table("2025-06-29") == "29/06/2025"
    assert date_table(None) == ""
    # a timestamp is shown in Vietnam time
    assert date_table(datetime(2025, 1, 4, 20, 0, tzinfo=UTC)) == "05/01/2025 03:00"


def test_date_text_is_the_same_rule_as_the_worker() -> None:
    from app.ui import format_day_month_year
    from worker.contexts import format_day_month_year as worker_rule

    for d in (date(2025, 1, 5), date(2025, 2, 12), date(2019, 6, 29), date(2020, 10, 1)):
        assert format_day_month_year(d) == worker_rule(d)


def test_filters_follow_the_session_language(app) -> None:  # noqa: ANN001
    tpl = "{{ d|date_text }} · {{ d|date_table }}"
    with app.test_request_context("/"):
        assert render_template_string(tpl, d=date(2025, 1, 5)) == (
            "ngày 05 tháng 01 năm 2025 · 05/01/2025"
        )
    with app.test_request_context("/") as ctx:
        ctx.session["lang"] = "en"
        refresh()  # the locale is cached per context
        assert render_template_string(tpl, d=date(2025, 1, 5)) == "5 January 2025 · 05/01/2025"
