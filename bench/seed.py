"""Seed a PostgreSQL database with a province's load: PLANS plans × AGENCIES agencies, one report
per (plan, agency) — 100 × 1,000 = 100,000 reports — in seconds, with COPY (psycopg), never the
ORM row by row.

    python bench/seed.py postgresql+psycopg://…/kehoach_bench 100 1000

The schema is made by the migrations (``init-db``). The real Trà Vinh plan is loaded once through
the loader and cloned: every plan has its definition, form, a round, an assignment per agency and
a report per agency (accepted, submitted, returned, draft, awaiting approval; some late), a
released plan document with its register entry, and every fifth plan is consolidated with its
released consolidated report. Users (password ``bench-pass``): ``bench.chuyenvien`` (specialist of
the standing agency), ``bench.baocao`` / ``bench.lanhdaocq`` (reporter / leader of the first
agency), ``bench.vanthu`` (clerk of the issuer), ``bench.admin``.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-pass"


def _full(table: Any, values: dict) -> dict:
    """``values`` with every other column's Python-side default (what the ORM would add)."""
    row = {}
    for col in table.columns:
        if col.name in values:
            row[col.name] = values[col.name]
        elif col.default is not None and col.default.is_scalar:
            row[col.name] = col.default.arg
        elif col.default is not None and col.default.is_callable:
            row[col.name] = col.default.arg(None)
        elif col.nullable or col.server_default is not None or col.primary_key:
            continue
        else:
            raise ValueError(f"{table.name}.{col.name} needs a value")
    return row


def copy(conn: Any, table: Any, rows: list[dict]) -> None:
    """COPY ``rows`` (dicts with the same keys) into ``table``."""
    if not rows:
        return
    rows = [_full(table, r) for r in rows]
    cols = [c.name for c in table.columns if any(c.name in r for r in rows)]
    rows = [{c: r.get(c) for c in cols} for r in rows]
    names = ", ".join(f'"{c}"' for c in cols)
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:
        for r in rows:
            cp.write_row(
                [
                    json.dumps(r[c], ensure_ascii=False, default=str)
                    if isinstance(r[c], dict | list)
                    else r[c]
                    for c in cols
                ]
            )


def seed(url: str, plans: int, agencies: int) -> dict:
    import sqlalchemy as sa

    from app import create_app
    from app.cli import init_db
    from app.extensions import db
    from app.lists import folded_text
    from app.models import Role, User
    from app.services import calendar as workcal
    from app.services import loader

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench"})
    t0 = time.perf_counter()
    with app.app_context():
        init_db()
        # statutory holidays (library) and announced swaps, as `kehoach calendar seed` does
        workcal.seed_years(range(2024, 2027))
        base = loader.load(loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml"))
        db.session.commit()
        md = db.metadata.tables
        T = {n: md[n] for n in md}
        conn = db.session.connection()
        plan0 = dict(
            conn.execute(sa.select(T["plan"]).where(T["plan"].c.id == base.id)).mappings().one()
        )
        form0 = dict(
            conn.execute(sa.select(T["form_version"]).where(T["form_version"].c.plan_id == base.id))
            .mappings()
            .first()
        )
        period0 = dict(
            conn.execute(
                sa.select(T["reporting_period"])
                .where(T["reporting_period"].c.plan_id == base.id)
                .order_by(T["reporting_period"].c.id)
            )
            .mappings()
            .first()
        )
        hash_ = User(username="x", full_name="x", agency_id=base.issuer_id)
        hash_.set_password(PASSWORD)
        pw = hash_.password_hash

        def next_id(name: str) -> int:
            return (conn.execute(sa.select(sa.func.max(T[name].c.id))).scalar() or 0) + 1

        a0 = next_id("agency")
        agency_rows = [
            {
                "id": a0 + j,
                "code": f"BENCH-{j + 1:04d}",
                "name": f"Ủy ban nhân dân xã Thử Nghiệm {j + 1}",
                "short_name": f"UBND xã Thử Nghiệm {j + 1}",
                "abbreviation": "UBND",
                "level": "commune",
                "place": "Trà Vinh",
            }
            for j in range(agencies)
        ]
        for row in agency_rows:  # what the app keeps when it saves an agency (app.lists)
            row["folded"] = folded_text(row["name"], row["short_name"], row["place"])
        copy(conn, T["agency"], agency_rows)
        p0, f0, r0 = next_id("plan"), next_id("form_version"), next_id("reporting_period")
        as0, rep0, d0, e0 = (
            next_id("assignment"),
            next_id("report"),
            next_id("document"),
            next_id("register_entry"),
        )
        plan_rows, form_rows, period_rows, assign_rows, report_rows = [], [], [], [], []
        doc_rows, entry_rows = [], []
        due = period0["due_on"]
        statuses = [
            "accepted",
            "accepted",
            "accepted",
            "accepted",
            "accepted",
            "submitted",
            "submitted",
            "returned",
            "draft",
            "awaiting_approval",
        ]
        now = datetime(2025, 1, 10, 3, tzinfo=UTC)
        n_entry = 0
        for i in range(plans):
            pid, fid, rid = p0 + i, f0 + i, r0 + i
            consolidated = i % 5 == 0
            plan_rows.append(
                {
                    **plan0,
                    "id": pid,
                    "code": f"bench-{i + 1:03d}",
                    "title": f"{plan0['title']} (đợt thử {i + 1})",
                    "status": "consolidated" if consolidated else "in_progress",
                    "number": i + 1,
                    "year": 2024,
                    "symbol": f"{i + 1:02d}/KH-BCĐNQ",
                    "issued_on": date(2024, 11, 5),
                    "parent_plan_id": None,
                    "version": 1,
                }
            )
            row = plan_rows[-1]
            row["folded"] = folded_text(row["title"], row["code"], row["symbol"])
            form_rows.append({**form0, "id": fid, "plan_id": pid})
            period_rows.append(
                {
                    **period0,
                    "id": rid,
                    "plan_id": pid,
                    "status": "consolidated" if consolidated else "open",
                    "version": 1,
                }
            )
            for j in range(agencies):
                aid = as0 + i * agencies + j
                assign_rows.append(
                    {
                        "id": aid,
                        "plan_id": pid,
                        "agency_id": a0 + j,
                        "role": "cooperate",
                        "label": None,
                        "tasks": ["Tuyên truyền về quyền con người"],
                        "inline": False,
                        "listed": True,
                        "reports": True,
                        "position": j,
                    }
                )
                st = statuses[(i * 7 + j) % 10]
                submitted = st in ("accepted", "submitted", "returned")
                at = datetime.combine(due, datetime.min.time(), UTC) + timedelta(
                    days=(j % 6) - 3, hours=3
                )
                report_rows.append(
                    {
                        "id": rep0 + i * agencies + j,
                        "plan_id": pid,
                        "period_id": rid,
                        "assignment_id": aid,
                        "agency_id": a0 + j,
                        "status": st,
                        "form_version_id": fid,
                        "data": {
                            "banners": j % 40,
                            "slogans_used": j % 3 != 0,
                            "articles": j % 7,
                            "difficulties": "Kinh phí còn hạn chế." if j % 11 == 0 else "",
                        },
                        "first_submitted_at": at if submitted else None,
                        "submitted_at": at if submitted else None,
                        "accepted_at": at + timedelta(days=1) if st == "accepted" else None,
                        "return_reason": "Bổ sung số liệu." if st == "returned" else None,
                        "times_returned": 1 if st == "returned" else 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            issued = [("plan", "KH", base.issuer_id, plan_rows[-1]["title"])]
            if consolidated:
                issued.append(
                    ("consolidated", "BC", base.standing_agency_id, f"Báo cáo tổng hợp {i + 1}")
                )
            for kind, abbr, agency_id, title in issued:
                n_entry += 1
                did = d0 + len(doc_rows)
                symbol = f"{n_entry:02d}/{abbr}-BENCH"
                doc_rows.append(
                    {
                        "id": did,
                        "kind": kind,
                        "status": "released",
                        "agency_id": agency_id,
                        "plan_id": pid,
                        "period_id": rid if kind == "consolidated" else None,
                        "title": title,
                        "type_abbr": abbr,
                        "number": n_entry,
                        "year": 2024,
                        "symbol": symbol,
                        "issued_on": date(2024, 11, 5),
                        "snapshot": {"code": "X", "name": "Cơ quan", "abbreviation": "CQ"},
                        "render_state": "done",
                        "created_at": now,
                    }
                )
                entry_rows.append(
                    {
                        "id": e0 + n_entry - 1,
                        "agency_id": agency_id,
                        "year": 2024,
                        "number": n_entry,
                        "symbol": symbol,
                        "issued_on": date(2024, 11, 5),
                        "summary": title,
                        "document_id": did,
                        "created_at": now,
                    }
                )
            # a drafted report document for one agency in twenty
            for j in range(0, agencies, 20):
                doc_rows.append(
                    {
                        "id": d0 + len(doc_rows),
                        "kind": "report",
                        "status": "draft",
                        "agency_id": a0 + j,
                        "plan_id": pid,
                        "period_id": rid,
                        "report_id": rep0 + i * agencies + j,
                        "title": f"Báo cáo kết quả thực hiện Kế hoạch số {i + 1:02d}/KH-BCĐNQ",
                        "type_abbr": "BC",
                        "snapshot": {"code": "X", "name": "Cơ quan", "abbreviation": "UBND"},
                        "created_at": now,
                    }
                )
        for table, rows in (
            ("plan", plan_rows),
            ("form_version", form_rows),
            ("reporting_period", period_rows),
            ("assignment", assign_rows),
            ("report", report_rows),
            ("document", doc_rows),
            ("register_entry", entry_rows),
        ):
            copy(conn, T[table], rows)
        users = [
            ("bench.chuyenvien", base.standing_agency_id, [Role.SPECIALIST]),
            ("bench.vanthu", base.issuer_id, [Role.CLERK]),
            ("bench.admin", base.issuer_id, [Role.ADMIN]),
            ("bench.baocao", a0, [Role.REPORTER]),
            ("bench.lanhdaocq", a0, [Role.AGENCY_LEADER]),
        ]
        u0 = next_id("user")
        copy(
            conn,
            T["user"],
            [
                {
                    "id": u0 + k,
                    "username": name,
                    "full_name": name,
                    "password_hash": pw,
                    "agency_id": ag,
                    "roles": " ".join(str(r) for r in roles),
                    "active": True,
                }
                for k, (name, ag, roles) in enumerate(users)
            ],
        )
        for name in (
            "agency",
            "plan",
            "form_version",
            "reporting_period",
            "assignment",
            "report",
            "document",
            "register_entry",
            "user",
        ):
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f'(SELECT max(id) FROM "{name}"))'
                )
            )
        db.session.commit()
        conn = db.session.connection()
        conn.execute(sa.text("ANALYZE"))
        db.session.commit()
        counts = {
            n: db.session.execute(sa.text(f'SELECT count(*) FROM "{n}"')).scalar()
            for n in ("plan", "agency", "assignment", "report", "document", "register_entry")
        }
        first_plan, first_period = p0, r0
    app_engine_dispose(app)
    return {
        **counts,
        "seconds": round(time.perf_counter() - t0, 1),
        "plan_id": first_plan + 1,  # an in-progress plan
        "period_id": first_period + 1,
        "consolidated_period_id": first_period,
    }


def app_engine_dispose(app: Any) -> None:
    from app.extensions import db

    with app.app_context():
        db.engine.dispose()


def create_database(admin_url: str, name: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return (
        sa.engine.make_url(admin_url)
        .set(drivername="postgresql+psycopg", database=name)
        .render_as_string(hide_password=False)
    )


def drop_database(admin_url: str, name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


if __name__ == "__main__":
    print(seed(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
