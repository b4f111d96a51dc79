"""The page fixtures of tests/web (the Trà Vinh plan, people per agency and role)."""

from tests.web.conftest import people, plan  # noqa: F401
