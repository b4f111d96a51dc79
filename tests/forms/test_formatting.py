"""One formatting of numbers and dates (issue 11 point 7): the web (Jinja filters and the
report page), the form engine and the documents print the same text for the same value
(numbers were "1234567,5" on the web, "1.234.567,5" in the .docx, "12,0" vs "12")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from forms import formatting
from forms.consolidate import _display
from forms.schema import parse_schema
from worker import contexts

DECIMAL = parse_schema({"fields": [{"name": "x", "label": "X", "type": "decimal"}]})["x"]
numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=3, allow_nan=False),
)


def test_examples() -> None:
    assert formatting.format_number(1234567.5) == "1.234.567,5"
    assert formatting.format_number(Decimal("12.0")) == "12"
    assert formatting.format_number(Decimal("12.50")) == "12,5"
    assert formatting.format_number("85.00", "%") == "85%"
    assert formatting.format_number(1200, "cái") == "1.200 cái"
    assert formatting.format_date_text(date(2025, 1, 5)) == "ngày 05 tháng 01 năm 2025"
    assert formatting.format_date_text(date(2019, 6, 29)) == "ngày 29 tháng 6 năm 2019"
    assert formatting.format_date_table(date(2025, 1, 5)) == "05/01/2025"
    noon_utc = datetime(2025, 1, 5, 7, 30, tzinfo=UTC)
    assert formatting.format_date_table(noon_utc) == "05/01/2025 14:30"


@given(numbers)
def test_web_engine_and_documents_print_numbers_alike(value) -> None:  # noqa: ANN001
    from app.ui import display_value

    text = formatting.format_number(value)
    assert contexts.format_number(value) == text  # the documents
    assert _display(DECIMAL, Decimal(value)) == text  # the form engine
    assert display_value({"type": "decimal"}, str(value)) == text  # the web's report page
    assert display_value({"type": "integer", "unit": "cái"}, value) == f"{text} cái"


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_web_and_documents_print_dates_alike(d) -> None:  # noqa: ANN001
    from app.ui import date_text, vn_date

    assert date_text(d, "vi") == contexts.format_day_month_year(d)
    assert vn_date(d) == formatting.format_date_table(d) == d.strftime("%d/%m/%Y")
