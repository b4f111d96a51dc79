"""Search, sort and paging of every list, done in the database.

Search is diacritic-insensitive through one SQL function, ``kh_fold(text)``, the same on both
backends: on SQLite it is a Python function registered on each connection (``app.ui.fold``);
on PostgreSQL a SQL function (``lower(translate(…))`` over the Vietnamese letters) created with
the schema (``metadata`` event here and the migration ``daily_01_kh_fold``). Every word of the
query must appear in one of the searched columns. Sorting is by a whitelisted column key
(``?sap=title&chieu=giam``) and paging uses ``db.paginate`` (``?trang=2``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import request
from sqlalchemy import DDL, ColumnElement, Select, and_, event, func, or_, select
from sqlalchemy.engine import Engine

from app.extensions import db
from app.inputs import arg_int
from app.models import Agency, Plan
from app.ui import fold

# Vietnamese letters with marks (lower and upper case) and what they fold to.
_MARKED = (
    "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
    "ÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ"
)
_PLAIN = "".join(fold(c) or c for c in _MARKED)
assert len(_MARKED) == len(_PLAIN)

PG_FOLD_FUNCTION = (
    "CREATE OR REPLACE FUNCTION kh_fold(t text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
    f"$$ SELECT lower(translate(coalesce(t, ''), '{_MARKED}', '{_PLAIN}')) $$"
)

event.listen(
    db.metadata,
    "before_create",
    DDL(PG_FOLD_FUNCTION).execute_if(dialect="postgresql"),
)


@event.listens_for(Engine, "connect")
def _sqlite_fold(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function(
            "kh_fold", 1, lambda t: fold(t) if t is not None else "", deterministic=True
        )


def folded(column: Any) -> ColumnElement:
    return func.kh_fold(column)


@dataclass(frozen=True)
class Folded:
    """A column that already holds folded text (``Plan.folded``, ``Agency.folded``): searched
    as it is, without folding every row again at each search (``kh_fold`` costs a fraction of
    a millisecond per row on PostgreSQL, which adds up over every row of a list)."""

    column: Any


def folded_text(*parts: str | None) -> str:
    """What a ``folded`` column holds: the non-empty parts, folded, separated by spaces (a word
    of a query has no space, so it never matches across two parts)."""
    return fold(" ".join(p for p in parts if p))


@event.listens_for(Plan, "before_insert")
@event.listens_for(Plan, "before_update")
def _fold_plan(_mapper: Any, _connection: Any, plan: Plan) -> None:
    plan.folded = folded_text(plan.title, plan.code, plan.symbol)


@event.listens_for(Agency, "before_insert")
@event.listens_for(Agency, "before_update")
def _fold_agency(_mapper: Any, _connection: Any, agency: Agency) -> None:
    agency.folded = folded_text(agency.name, agency.short_name, agency.place)


def search_clause(query: str, columns: Iterable[Any]) -> ColumnElement | None:
    """Every word of ``query`` appears (without marks, any case) in one of ``columns`` (a
    ``Folded`` one is compared as it is)."""
    cols = [c.column if isinstance(c, Folded) else folded(c) for c in columns]
    words = fold(query).split()[:10]
    if not words or not cols:
        return None
    return and_(*(or_(*(c.contains(w, autoescape=True) for c in cols)) for w in words))


@dataclass
class ListView:
    """One list page: the page of rows, and the state of search and sort for the links."""

    endpoint: str
    q: str
    sort: str
    descending: bool
    sorts: dict[str, Any]
    page: Any  # flask_sqlalchemy Pagination
    args: dict[str, Any] = field(default_factory=dict)  # other filters kept in the links

    def url_args(self, **override: Any) -> dict[str, Any]:
        out = {**self.args, "q": self.q or None, "sap": self.sort, "chieu": self.direction}
        out.update(override)
        return {k: v for k, v in out.items() if v not in (None, "")}

    @property
    def direction(self) -> str:
        return "giam" if self.descending else "tang"


PAGE_MAX = 100_000


def page_number() -> int:
    """The page asked for (``?trang=``, or ``?page=``), bounded: anything out of range or not a
    number is a 400 naming the argument; absent or 0 is the first page."""
    trang = arg_int("trang", 0, 0, PAGE_MAX)
    return trang or arg_int("page", 0, 0, PAGE_MAX) or 1


@dataclass
class ListPage:
    """A page of a list already in memory, with the attributes of flask_sqlalchemy's
    ``Pagination`` the pagers read (``?trang=``)."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class CappedPage(ListPage):
    """A page of a list whose count stops at a cap (:func:`list_view` ``count_cap``): ``total``
    is exact up to the cap; past it ``capped`` is set and ``total`` is the cap, a lower bound
    ("more than 1,000 items"). Whether a next page exists is known from the page's own query
    (one row more than the page), never from the count."""

    capped: bool = False
    more: bool = False

    @property
    def pages(self) -> int:
        if self.capped:  # at least the pages up to here, and one more if there is a next
            return max(self.page + (1 if self.more else 0), -(-self.total // self.per_page))
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.more


def capped_page(stmt: Select, per_page: int, cap: int) -> CappedPage:
    """The requested page of ``stmt`` and its count up to ``cap``: two statements whose cost does
    not grow with the rows past the cap (the count reads at most ``cap + 1`` rows; the page reads
    its offset and ``per_page + 1`` rows). A page past the end is the last page the count knows."""
    number = page_number()
    count = db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).limit(cap + 1).subquery())
    )
    count = int(count or 0)
    capped = count > cap
    if not capped:
        number = min(number, max(1, -(-count // per_page)))
    rows = list(db.session.scalars(stmt.limit(per_page + 1).offset((number - 1) * per_page)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    if capped and not rows and number > 1:  # past the end of a long list: its last known page
        number = -(-cap // per_page)
        rows = list(db.session.scalars(stmt.limit(per_page + 1).offset((number - 1) * per_page)))
        more = len(rows) > per_page
        rows = rows[:per_page]
    total = cap if capped else count
    return CappedPage(rows, number, per_page, total, capped=capped, more=more)


def page_of(items: list, per_page: int) -> ListPage:
    """The requested page of ``items`` (the last one when the number is past the end)."""
    total = len(items)
    pages = max(1, -(-total // per_page))
    number = min(page_number(), pages)
    start = (number - 1) * per_page
    return ListPage(items[start : start + per_page], number, per_page, total)


def sorted_query(
    stmt: Select, sorts: dict[str, Any], default: str, default_desc: bool = False
) -> tuple[Select, str, bool]:
    """``stmt`` ordered by the requested whitelisted key (then by id for a stable order)."""
    key = request.args.get("sap", default)
    if key not in sorts:
        key = default
    chieu = request.args.get("chieu")
    desc = default_desc if chieu not in ("tang", "giam") else chieu == "giam"
    cols = sorts[key] if isinstance(sorts[key], (list, tuple)) else [sorts[key]]
    order = [c.desc().nulls_last() if desc else c.asc().nulls_last() for c in cols]
    return stmt.order_by(*order), key, desc


def search_query(stmt: Select, columns: Iterable[Any]) -> tuple[Select, str]:
    q = (request.args.get("q") or "").strip()[:200]
    clause = search_clause(q, columns)
    return (stmt.where(clause) if clause is not None else stmt), q


def list_view(
    endpoint: str,
    stmt: Select,
    *,
    search: Iterable[Any],
    sorts: dict[str, Any],
    default: str,
    default_desc: bool = False,
    per_page: int = 20,
    args: dict[str, Any] | None = None,
    count_cap: int | None = None,
) -> ListView:
    """Search, sort and page ``stmt`` in the database from the request's arguments.
    ``count_cap``: count the rows only up to that many (:class:`CappedPage`), for a list that
    can grow with the data (a work queue at province scale) where "more than N" is enough."""
    stmt, q = search_query(stmt, search)
    stmt, key, desc = sorted_query(stmt, sorts, default, default_desc)
    if count_cap is not None:
        capped = capped_page(stmt, per_page, count_cap)
        return ListView(endpoint, q, key, desc, sorts, capped, args or {})
    page = db.paginate(stmt, page=page_number(), per_page=per_page, error_out=False)
    if page.page > 1 and not page.items and page.pages:
        page = db.paginate(stmt, page=page.pages, per_page=per_page, error_out=False)
    return ListView(endpoint, q, key, desc, sorts, page, args or {})


def all_rows(
    stmt: Select,
    *,
    search: Iterable[Any],
    sorts: dict[str, Any],
    default: str,
    default_desc: bool = False,
    limit: int = 100_000,
) -> list:
    """The whole list as searched and sorted on the page (for an export), bounded."""
    stmt, _q = search_query(stmt, search)
    stmt, _key, _desc = sorted_query(stmt, sorts, default, default_desc)
    return list(db.session.scalars(stmt.limit(limit)))


def wants_export() -> bool:
    return request.args.get("xuat") == "xlsx"


def export(filename: str, list_args: dict, columns: list[tuple[str, Any]], heading: str = ""):  # noqa: ANN201
    """The list as an Excel download: every row the search finds, in the page's order."""
    from app import excel

    sheet = excel.rows_of(all_rows(**list_args), columns)
    sheet.heading = heading or filename
    return excel.response(filename, [sheet])
