"""Fixtures of the exchange tests: the Trà Vinh plan issued through the pages (tests/web)."""

from tests.web.conftest import people, plan  # noqa: F401
