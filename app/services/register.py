"""The outgoing register (sổ đăng ký văn bản đi): numbers per issuing agency per year."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text

from app.extensions import db
from app.models import Agency, RegisterEntry


def format_symbol(
    number: int | None, type_abbr: str, agency_abbr: str, unit: str | None = None
) -> str:
    """``05/KH-BCĐNQ``; a công văn (no type) is ``12/UBND-VX``; an unnumbered draft keeps blanks."""
    num = f"{number:02d}" if number is not None else "    "
    if type_abbr:
        tail = f"{type_abbr}-{agency_abbr}"
    else:
        tail = f"{agency_abbr}-{unit}" if unit else agency_abbr
    return f"{num}/{tail}"


def next_number(agency_id: int, year: int) -> int:
    """Take the next number of ``agency_id``'s register for ``year``, inside the caller's
    transaction. The counter row is locked by the UPDATE until commit, so concurrent issuers get
    distinct consecutive numbers; a rolled-back transaction gives its number back (no gaps)."""
    db.session.flush()
    db.session.execute(
        text(
            "INSERT INTO register_counter (agency_id, year, last) VALUES (:a, :y, 0) "
            "ON CONFLICT (agency_id, year) DO NOTHING"
        ),
        {"a": agency_id, "y": year},
    )
    return int(
        db.session.execute(
            text(
                "UPDATE register_counter SET last = last + 1 "
                "WHERE agency_id = :a AND year = :y RETURNING last"
            ),
            {"a": agency_id, "y": year},
        ).scalar_one()
    )


def register(
    agency: Agency,
    type_abbr: str,
    summary: str,
    issued_on: date,
    *,
    unit: str | None = None,
    signer_name: str | None = None,
    document_id: int | None = None,
) -> RegisterEntry:
    """Give the next number and write the register line."""
    number = next_number(agency.id, issued_on.year)
    entry = RegisterEntry(
        agency_id=agency.id,
        year=issued_on.year,
        number=number,
        symbol=format_symbol(number, type_abbr, agency.abbreviation, unit),
        issued_on=issued_on,
        summary=summary,
        signer_name=signer_name,
        document_id=document_id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def taken(agency_id: int, year: int, number: int) -> RegisterEntry | None:
    """The register line holding ``number`` of ``agency_id``'s ``year``, if any."""
    return db.session.scalar(
        select(RegisterEntry).where(
            RegisterEntry.agency_id == agency_id,
            RegisterEntry.year == year,
            RegisterEntry.number == number,
        )
    )


def record_issued(
    agency: Agency,
    type_abbr: str,
    summary: str,
    issued_on: date,
    number: int,
    *,
    signer_name: str | None = None,
) -> RegisterEntry:
    """Write the register line of a document issued outside the application (a plan recorded
    as already issued) with the number it carries. The caller checks :func:`taken` first; the
    year's counter moves past ``number`` so the next number given is never a duplicate."""
    db.session.flush()
    db.session.execute(
        text(
            "INSERT INTO register_counter (agency_id, year, last) VALUES (:a, :y, 0) "
            "ON CONFLICT (agency_id, year) DO NOTHING"
        ),
        {"a": agency.id, "y": issued_on.year},
    )
    db.session.execute(
        text(
            "UPDATE register_counter SET last = CASE WHEN last < :n THEN :n ELSE last END "
            "WHERE agency_id = :a AND year = :y"
        ),
        {"a": agency.id, "y": issued_on.year, "n": number},
    )
    entry = RegisterEntry(
        agency_id=agency.id,
        year=issued_on.year,
        number=number,
        symbol=format_symbol(number, type_abbr, agency.abbreviation),
        issued_on=issued_on,
        summary=summary,
        signer_name=signer_name,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
