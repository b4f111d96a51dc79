"""Every list searches (without marks), sorts and pages in the database: the same number of
SQL queries for a page at small and at large data."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from app.extensions import db as _db
from app.lists import search_clause
from app.models import Agency, Document, Notification, RegisterEntry, Role


@contextmanager
def count_queries():
    box = {"n": 0}

    def before(*_a):  # noqa: ANN002
        box["n"] += 1

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield box
    finally:
        event.remove(engine, "before_cursor_execute", before)


NAMES = ["Sở Tư pháp", "Sở Giáo dục và Đào tạo", "Đài Phát thanh và Truyền hình", "Công an tỉnh"]


@pytest.fixture
def admin_client(client, db, make_agency, make_user):  # noqa: ANN001, ANN201
    home = make_agency("VP-TV", name="Văn phòng UBND tỉnh")
    admin = make_user("quantri", home, [Role.ADMIN, Role.CLERK, Role.SPECIALIST])
    db.session.commit()
    client.post("/auth/login", data={"username": "quantri", "password": "secret-pass"})
    return client, home, admin


def _add(db, home, admin, start: int, n: int) -> None:  # noqa: ANN001
    for i in range(start, start + n):
        a = Agency(
            code=f"A{i:04d}-TV",
            name=f"{NAMES[i % 4]} số {i}",
            abbreviation=f"A{i}",
            place="Trà Vinh",
            level="province",
        )
        db.session.add(a)
        doc = Document(
            kind="reminder",
            agency_id=home.id,
            title=f"Công văn đôn đốc Đề án số {i}",
            type_abbr="CV",
            number=i + 1,
            year=2026,
            symbol=f"{i + 1}/UBND-VP",
            snapshot={},
            status="released",
        )
        db.session.add(doc)
        db.session.flush()
        db.session.add(
            RegisterEntry(
                agency_id=home.id,
                year=2026,
                number=i + 1,
                symbol=f"{i + 1}/UBND-VP",
                issued_on=date(2026, 1, 1 + i % 28),
                summary=f"Đôn đốc báo cáo Ngày Nhân quyền số {i}",
                signer_name="Nguyễn Văn Ân",
                document_id=doc.id,
            )
        )
        db.session.add(Notification(user_id=admin.id, kind="report_submitted", text=f"Việc số {i}"))
    db.session.commit()


PAGES = [
    "/quan-tri/co-quan",
    "/quan-tri/co-quan?q=so tu phap&sap=ma&chieu=giam",
    "/quan-tri/nguoi-dung?q=van phong",
    "/documents/",
    "/documents/?q=DON DOC&sap=trich-yeu",
    "/documents/register?year=2026&sap=ngay&chieu=giam",
    "/documents/register?year=2026&q=nhan quyen",
    "/notifications?q=viec",
    "/review?q=so",
]


def test_query_count_does_not_grow_with_the_data(admin_client, db):  # noqa: ANN001
    client, home, admin = admin_client
    _add(db, home, admin, 0, 3)

    def counts() -> dict[str, int]:
        out = {}
        for url in PAGES:
            client.get(url)  # warm: caches, first-request work
            with count_queries() as box:
                resp = client.get(url)
            assert resp.status_code == 200, url
            out[url] = box["n"]
        return out

    small = counts()
    _add(db, home, admin, 3, 120)
    large = counts()
    assert small == large


def test_search_without_marks_sort_and_page(admin_client, db):  # noqa: ANN001
    client, home, admin = admin_client
    _add(db, home, admin, 0, 45)

    def rows(url: str) -> list[str]:
        html = client.get(url).get_data(as_text=True)
        return re.findall(r"<td>(A\d{4}-TV)</td>", html)

    found = rows("/quan-tri/co-quan?q=SO TU PHAP")
    assert found and len(found) <= 20
    assert all(int(c[1:5]) % 4 == 0 for c in found)  # only "Sở Tư pháp …"
    assert rows("/quan-tri/co-quan?q=đài PHÁT thanh số 6&sap=ma")[:1] == ["A0006-TV"]
    asc = rows("/quan-tri/co-quan?sap=ma&chieu=tang")
    desc = rows("/quan-tri/co-quan?sap=ma&chieu=giam")
    assert asc[0] == "A0000-TV" and desc[0] == "A0044-TV"
    page2 = rows("/quan-tri/co-quan?sap=ma&chieu=tang&trang=2")
    assert page2[0] == "A0020-TV" and not set(page2) & set(asc)
    html = client.get("/quan-tri/co-quan?sap=ma&chieu=tang").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html and "Trang 1/3" in html
    # wildcards are text, not patterns
    assert rows("/quan-tri/co-quan?q=%25") == []
    assert rows("/quan-tri/co-quan?q=_") == []
    # the register: search, sort by date
    html = client.get("/documents/register?year=2026&q=ngay nhan quyen so 7").get_data(as_text=True)
    assert "Đôn đốc báo cáo Ngày Nhân quyền số 7" in html


@pytest.mark.parametrize(
    ("query", "text", "hit"),
    [
        ("so tu phap", "Sở Tư pháp", True),
        ("DAO TAO", "Sở Giáo dục và Đào tạo", True),
        ("đào", "Sở Giáo dục và Đào tạo", True),
        ("ỦY BAN", "Ủy ban nhân dân", True),
        ("nhan quyen", "Ngày Nhân quyền", True),
        ("tu phap", "Sở Tài chính", False),
    ],
)
def test_kh_fold_in_sql_matches_python(db, query, text, hit):  # noqa: ANN001
    from sqlalchemy import literal, select

    clause = search_clause(query, [literal(text)])
    assert bool(db.session.scalar(select(clause))) is hit


def test_plans_search_follows_renames(admin_client, db):  # noqa: ANN001
    """The plans list searches the folded text kept when a plan or an agency is saved
    (``Plan.folded``, ``Agency.folded``): a renamed plan or issuer is found by its new name,
    not by its old one."""
    from app.models import Plan

    client, home, _admin = admin_client
    issuer = Agency(
        code="UB-TV", name="Ủy ban nhân dân tỉnh", abbreviation="UBND", place="Trà Vinh"
    )
    db.session.add(issuer)
    db.session.flush()
    plan = Plan(
        code="kh-nq",
        title="Tuyên truyền Ngày Nhân quyền",
        symbol="12/KH-UBND",
        status="in_progress",
        issuer_id=issuer.id,
        standing_agency_id=home.id,
        definition={},
    )
    db.session.add(plan)
    db.session.commit()

    def found(q: str) -> bool:
        html = client.get(f"/plans/?q={q}").get_data(as_text=True)
        return f"/plans/{plan.id}" in html

    assert found("NGAY nhan QUYEN") and found("12/kh") and found("uy ban nhan dan")
    assert not found("phong chong")
    plan.title = "Phòng, chống tác hại của thuốc lá"
    issuer.name = "Sở Y tế"
    db.session.commit()
    assert found("phong chong thuoc la") and found("so y te")
    assert not found("nhan quyen") and not found("uy ban nhan dan")
