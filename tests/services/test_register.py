"""The outgoing register: numbers per agency per year, unique, gap-free, under real concurrency."""

import multiprocessing as mp
import time
from datetime import date
from queue import Empty

from app.models import RegisterEntry
from app.services import register

PROCS = 6
PER_PROC = 8


def test_symbol_format():
    assert register.format_symbol(5, "KH", "BCĐNQ") == "05/KH-BCĐNQ"
    assert register.format_symbol(12, "", "UBND", "VX") == "12/UBND-VX"
    assert register.format_symbol(123, "BC", "STTTT") == "123/BC-STTTT"
    assert register.format_symbol(None, "KH", "UBND") == "    /KH-UBND"


def test_numbers_restart_each_year_and_per_agency(db, make_agency):
    a, b = make_agency("A-1", abbreviation="UBND"), make_agency("B-1", abbreviation="CA")
    got = [register.register(a, "KH", "x", date(2024, 12, 30)).symbol for _ in range(2)]
    got.append(register.register(b, "KH", "x", date(2024, 12, 31)).symbol)
    got.append(register.register(a, "KH", "x", date(2025, 1, 1)).symbol)
    assert got == ["01/KH-UBND", "02/KH-UBND", "01/KH-CA", "01/KH-UBND"]


def test_rolled_back_number_is_given_again(db, make_agency):
    a = make_agency("A-2", abbreviation="UBND")
    db.session.commit()
    register.register(a, "KH", "x", date(2024, 5, 1))
    db.session.rollback()
    assert register.register(a, "KH", "x", date(2024, 5, 1)).number == 1


def _issue_many(url: str, agency_id: int, queue) -> None:  # noqa: ANN001
    from tests.conftest import make_app

    app = make_app(
        "postgresql" if url.startswith("postgresql") else "sqlite",
        create_schema=False,
        SQLALCHEMY_DATABASE_URI=url,
    )
    from app.extensions import db
    from app.models import Agency

    got = []
    with app.app_context():
        for _ in range(PER_PROC):
            agency = db.session.get(Agency, agency_id)
            got.append(register.register(agency, "KH", "song song", date(2024, 3, 1)).number)
            db.session.commit()
    queue.put(got)


def _results(procs, queue, timeout: float) -> list[list[int]]:  # noqa: ANN001
    """Each process's numbers, as they come: however long a loaded machine makes them take to
    start (each imports and creates the app) up to ``timeout``, but failing at once when one of
    them dies without giving its numbers (its traceback is in the test's captured output)."""
    results: list[list[int]] = []
    end = time.monotonic() + timeout
    while len(results) < len(procs):
        try:
            results.append(queue.get(timeout=1))
            continue
        except Empty:
            pass
        dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
        assert not dead, f"a process failed (exit codes {dead})"
        assert time.monotonic() < end, f"{len(results)} of {len(procs)} done in {timeout} s"
    return results


def test_parallel_processes_get_distinct_consecutive_numbers(app, db, make_agency):
    agency = make_agency("PAR-1", abbreviation="UBND")
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_issue_many, args=(url, agency.id, queue)) for _ in range(PROCS)]
    try:
        for p in procs:
            p.start()
        results = _results(procs, queue, timeout=600)
        for p in procs:
            p.join(timeout=120)
            assert p.exitcode == 0
    finally:
        # none outlives the test: the fixture then empties the database they write to (a process
        # still issuing numbers would find its agency gone, or another test's agency of that id)
        for p in procs:
            if p.exitcode is None:
                p.kill()
            p.join()
    numbers = sorted(n for r in results for n in r)
    assert numbers == list(range(1, PROCS * PER_PROC + 1))
    rows = db.session.query(RegisterEntry).filter_by(agency_id=agency.id).all()
    assert sorted(r.number for r in rows) == numbers
