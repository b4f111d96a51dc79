"""Counting SQL statements: ``with count_queries() as q: ...; q.count`` (every statement the
engine sends, through a ``before_cursor_execute`` listener). Reusable by any page test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from app.extensions import db


@dataclass
class Queries:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def summary(self, width: int = 90) -> str:
        return "\n".join(s.replace("\n", " ")[:width] for s in self.statements)


@contextmanager
def count_queries() -> Iterator[Queries]:
    q = Queries()

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        q.statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield q
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def page_queries(client, url: str) -> Queries:  # noqa: ANN001
    """The statements one GET of ``url`` sends (it must answer 200). Per-request caches (the
    calendar) are dropped first, as a real request starts without them."""
    from app.services import calendar

    calendar.forget()
    db.session.expire_all()
    with count_queries() as q:
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return q
