"""Fixtures of the exchange tests: the Trà Vinh plan issued through the pages (tests/web)."""

from tests.exchange.test_exchange import released  # noqa: F401
from tests.web.conftest import people, plan  # noqa: F401
