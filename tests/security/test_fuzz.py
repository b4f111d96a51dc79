"""Hostile input over every route: Hypothesis fills every form the pages show (and every query
argument the pages read) with control characters, overlong text, out-of-range numbers and
impossible dates, as every kind of user. No answer may be a 5xx, and a refused input (any answer
but a redirect) may change nothing in the database.

The forms are found by crawling the pages as each user, so a new form or field is fuzzed without
editing this file. Runs on PostgreSQL, the strict backend (NUL bytes, integer ranges, lengths).
"""

from __future__ import annotations

import os
import re
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.models import Role
from tests.conftest import add_user, postgresql_only
from tests.security.sessions import separate_users, sign_in
from tests.security.test_routes_by_role import (  # noqa: F401  (this module's own world)
    _ids,
    _rules,
    _url,
    app,
    backend,
    shared,
    world,
)

EXAMPLES = int(os.environ.get("KEHOACH_FUZZ_EXAMPLES", "1500"))
GET_EXAMPLES = int(os.environ.get("KEHOACH_FUZZ_GET_EXAMPLES", "600"))
QUERY_ARGS = (
    *("q", "page", "trang", "nam", "year", "all", "next", "status", "plan", "kind", "tab"),
    *("xuat", "chieu", "sap"),  # the lists' Excel export, sort direction and sort key
    "nhom",  # the agency group being edited (Quản trị › Nhóm cơ quan)
)
SKIP_ENDPOINTS = {"auth.logout", "static", "editor.static", "kehoach_forms.static"}

# -- hostile values --------------------------------------------------------------------------

CONTROL = st.sampled_from(["\x00", "\x01", "\x07", "\x0b", "\x1b", "\x7f", "\x85", "\ufffe"])
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40
)  # anything encodable, controls included
WITH_CONTROL = st.builds(lambda a, c, b: a + c + b, TEXT, CONTROL, TEXT)
HOSTILE = st.one_of(
    TEXT,
    WITH_CONTROL,
    WITH_CONTROL,
    st.sampled_from([17, 33, 65, 129, 256, 513, 10_001, 70_000]).map(lambda n: "Đ" * n),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "2147483648",
            "-2147483649",
            "-9999999999999999999",
            "9" * 5000,
            "1e15",
            "1e12",
            "-1",
            "0",
            "NaN",
            "inf",
            "12,5",
            "0000-01-01",
            "-0001-01-01",
            "9999-12-31",
            "2024-02-30",
            "31/12/99999",
            "00/00/0000",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "{{7*7}}",
            "../../etc/passwd",
        ]
    ),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)
# a query value: hostile, or one a page acts on (export, sort direction, keys no list sorts by)
QUERY_VALUE = st.one_of(
    HOSTILE,
    st.sampled_from(["xlsx", "XLSX", "csv", "tang", "giam", "id", "__class__", "title desc"]),
)


# -- forms found on the pages ----------------------------------------------------------------


class _Forms(HTMLParser):
    """Every ``<form method=post>``: its action, its fields (name → default values) and its
    submit buttons (name, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        a = {k: (v or "") for k, v in attrs}
        if tag == "option" and self._form is not None and self._select:
            values = self._form["fields"][self._select]
            if "selected" in a:
                values[:] = [a.get("value", "")]
            elif not values:
                values.append(a.get("value", ""))
            return
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "fields": {},
                "buttons": [],
            }
            self.forms.append(self._form)
            return
        f = self._form
        if f is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "button" or (tag == "input" and a.get("type") == "submit"):
            f["buttons"].append((name, a.get("value", "")))
        elif tag == "input":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                f["fields"].setdefault(name, [])
            elif a.get("type") != "file":
                f["fields"].setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            f["fields"].setdefault(name, [])
            self._select = name
        elif tag == "textarea":
            f["fields"].setdefault(name, [])
            self._textarea = name

    def handle_data(self, data) -> None:  # noqa: ANN001
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea].append(data)
            self._textarea = None

    def handle_endtag(self, tag) -> None:  # noqa: ANN001
        if tag == "form":
            self._form = None
        if tag == "textarea":
            self._textarea = None
        if tag == "select":
            self._select = None


def _crawl(flask_app, client, ids) -> list[dict]:  # noqa: ANN001
    """The POST forms on every page this client may see."""
    found: dict[tuple, dict] = {}
    urls = ["/auth/login"] + [
        _url(rule, ids)
        for rule in _rules(flask_app, "GET")
        if rule.endpoint not in SKIP_ENDPOINTS and "<which>" not in rule.rule
    ]
    for url in urls:
        resp = client.get(url)
        if resp.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(resp.get_data(as_text=True))
        for form in parser.forms:
            action = form["action"] or url
            if form["method"] != "post" or urlsplit(action).path.startswith("/auth/logout"):
                continue
            found.setdefault((action, tuple(sorted(form["fields"]))), {**form, "action": action})
    return list(found.values())


# Kept facts (app.services.facts): the status module's own output, stored for the day and the
# period's data version; any page that shows them may (re)compute and keep them, a refused form
# re-rendering its page included. They are not user data: a refusal may refresh them.
DERIVED = {"period_facts"}


def _fingerprint(db) -> str:  # noqa: ANN001
    """Every table's row count and newest row version (PostgreSQL ``xmin``: any insert or
    update gives the row a new one; a delete lowers the count), in one query; the kept facts
    (``DERIVED``) aside."""
    parts = " UNION ALL ".join(
        f"SELECT '{t.name}' AS t, count(*) AS n, max(x.xmin::text::bigint) AS v FROM \"{t.name}\" x"
        for t in db.metadata.sorted_tables
        if t.name not in DERIVED
    )
    db.session.rollback()
    rows = db.session.execute(sa.text(parts)).all()
    return ",".join(f"{t}:{n}:{v}" for t, n, v in rows)


@pytest.fixture
def identities(app, world):  # noqa: ANN001, ANN201, F811
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User

    plan = world["plan"]

    def people(agency, role):  # noqa: ANN001, ANN202
        name = f"{role}.{agency.code}".lower()
        return db.session.scalar(select(User).where(User.username == name)) or add_user(
            name, agency, [role]
        )

    users = {
        "standing": world["standing"],
        "a_reporter": world["a_reporter"],
        "a_leader": people(world["a"], Role.AGENCY_LEADER),
        "b_reporter": world["b_reporter"],
        "outsider": world["outsider"],
        "admin": world["admin"],
        "clerk": people(plan.issuer, Role.CLERK),
        "signer": people(plan.issuer, Role.SIGNER),
    }
    db.session.commit()
    separate_users(app)
    clients = {"anonymous": app.test_client()}
    for who, user in users.items():
        c = app.test_client()
        sign_in(c, user)
        clients[who] = c
    return clients


ERROR_MARKS = ('aria-invalid="true"', 'class="error', 'class="flash error', 'role="alert"')


def _refused(resp) -> bool:  # noqa: ANN001
    """An error status, or the page shown again with an error next to a field."""
    if resp.status_code >= 400:
        return True
    if resp.status_code != 200 or resp.mimetype != "text/html":
        return False
    body = resp.get_data(as_text=True)
    return any(m in body for m in ERROR_MARKS)


def _assert_no_5xx(resp, what) -> None:  # noqa: ANN001
    assert resp.status_code < 500, (what, resp.status_code, resp.get_data(as_text=True)[:800])


@postgresql_only  # fuzzing runs on PostgreSQL, the strict backend
def test_fuzz_every_form(app, db, world, identities, backend) -> None:  # noqa: ANN001, F811
    """Every POST form of every page, as every user, with hostile values in some fields."""
    app.config["RATELIMIT_ENABLED"] = False
    ids = _ids(world)
    targets = [(who, form) for who, c in identities.items() for form in _crawl(app, c, ids)]
    print(sorted({f["action"] for _w, f in targets}))
    assert len({f["action"].split("?")[0] for _w, f in targets}) >= 10, targets
    stats = {"n": 0, "refused": 0, "accepted": 0}
    started = time.monotonic()
    state = {"fingerprint": _fingerprint(db)}
    per_target = max(8, EXAMPLES // len(targets))

    def fuzz(who: str, form: dict) -> None:
        @settings(
            max_examples=per_target,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def run(data) -> None:  # noqa: ANN001
            fields = {k: list(v) for k, v in form["fields"].items()}
            names = sorted(k for k in fields if k != "csrf_token")
            if names:
                chosen = data.draw(
                    st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True),
                    label="fields",
                )
                for name in chosen:
                    fields[name] = [data.draw(HOSTILE, label=name)]
            if form["buttons"]:
                name, value = data.draw(st.sampled_from(form["buttons"]), label="button")
                fields[name] = [value]
            payload = [(k, v) for k, vs in fields.items() for v in vs]
            before = state["fingerprint"]
            resp = identities[who].post(form["action"], data=MultiDict(payload))
            stats["n"] += 1
            _assert_no_5xx(resp, (who, form["action"], payload))
            after = _fingerprint(db)
            if _refused(resp):
                stats["refused"] += 1
                assert after == before, (who, form["action"], payload, resp.status_code)
            else:
                stats["accepted"] += 1
            state["fingerprint"] = after

        run()

    for who, form in targets:
        fuzz(who, form)
    elapsed = time.monotonic() - started
    print(f"\nfuzz forms: {stats} over {len(targets)} (user, form) pairs in {elapsed:.1f} s")


@postgresql_only  # fuzzing runs on PostgreSQL, the strict backend
def test_fuzz_query_arguments(app, world, identities, backend) -> None:  # noqa: ANN001, F811
    """Every GET route, as every user, with hostile query arguments."""
    ids = _ids(world)
    urls = [
        _url(r, ids)
        for r in _rules(app, "GET")
        if r.endpoint not in SKIP_ENDPOINTS and "<which>" not in r.rule
    ]
    started = time.monotonic()
    count = [0]

    @settings(
        max_examples=GET_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        who=st.sampled_from(sorted(identities)),
        url=st.sampled_from(urls),
        args=st.lists(st.tuples(st.sampled_from(QUERY_ARGS), QUERY_VALUE), min_size=1, max_size=3),
    )
    def run(who, url, args) -> None:  # noqa: ANN001
        resp = identities[who].get(url, query_string=args)
        count[0] += 1
        _assert_no_5xx(resp, (who, url, args))

    run()
    print(f"\nfuzz query args: {count[0]} requests in {time.monotonic() - started:.1f} s")


def test_query_args_seen_by_the_fuzzer_are_the_ones_the_pages_read() -> None:
    """Keep QUERY_ARGS honest: every ``request.args.get("x")`` / ``arg_int("x")`` in the app is
    fuzzed."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app"
    read = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"request\.args\.get\(\s*\"([a-z_]+)\"", text))
        read |= set(re.findall(r"arg_int\(\s*\"([a-z_]+)\"", text))
    assert read <= set(QUERY_ARGS) | {"which"}, read - set(QUERY_ARGS)


def _text(resp) -> str:  # noqa: ANN001
    import html

    return html.unescape(resp.get_data(as_text=True))
