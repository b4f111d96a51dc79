"""Agency groups (``AgencyGroup``): one line of a plan ("UBND các huyện, thị xã, thành phố")
that stands for its members. The one place that says who a group's members are, at a date or
over a span: the listed members and those its rule gives (every agency of a level, under a
parent when set), kept only while valid (``Agency.valid_from``/``valid_to``: the district level
ends on 30/6/2025)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Agency, AgencyGroup, User
from app.services import audit


def by_code(code: str) -> AgencyGroup | None:
    return db.session.scalar(select(AgencyGroup).where(AgencyGroup.code == code))


def _valid_between(agency: Agency, first: date | None, last: date | None) -> bool:
    """Valid at some day of [first, last] (an open end: no bound)."""
    if last is not None and agency.valid_from is not None and agency.valid_from > last:
        return False
    return not (first is not None and agency.valid_to is not None and agency.valid_to < first)


def members(
    group: AgencyGroup, first: date | None = None, last: date | None = None
) -> list[Agency]:
    """The group's members valid at some day of [``first``, ``last``] (``first`` alone: on that
    day; neither: every member ever), by name."""
    if first is not None and last is None:
        last = first
    found: dict[int, Agency] = {a.id: a for a in group.members}
    if group.member_level:
        q = select(Agency).where(Agency.level == group.member_level)
        if group.member_parent_id is not None:
            q = q.where(Agency.parent_id == group.member_parent_id)
        found.update({a.id: a for a in db.session.scalars(q)})
    kept = [a for a in found.values() if _valid_between(a, first, last)]
    return sorted(kept, key=lambda a: (a.name, a.code))


def changes(item: dict) -> tuple[AgencyGroup | None, dict]:
    """(existing group or None, {field: new value}) for a group as a plan file declares it."""
    group = by_code(item["code"])
    want = {
        "name": item["name"],
        "member_level": item.get("level"),
        "member_parent": item.get("parent"),
        "members": sorted(item.get("members") or []),
    }
    if group is None:
        return None, want
    have = {
        "name": group.name,
        "member_level": group.member_level,
        "member_parent": group.member_parent.code if group.member_parent else None,
        "members": sorted(a.code for a in group.members),
    }
    return group, {k: v for k, v in want.items() if have[k] != v}


def upsert(item: dict, actor: User | None) -> AgencyGroup:
    """Create or update a group from its declaration (code, name, members, level, parent), the
    change audited. Callers check the policy (``group.edit``) first."""
    group, diff = changes(item)
    created = group is None
    if group is None:
        group = AgencyGroup(code=item["code"], name=item["name"])
        db.session.add(group)
    if created or diff:
        codes = list(item.get("members") or [])
        if item.get("parent"):
            codes.append(item["parent"])
        agencies = {
            a.code: a for a in db.session.scalars(select(Agency).where(Agency.code.in_(codes)))
        }
        group.name = item["name"]
        group.member_level = item.get("level")
        parent = agencies.get(item["parent"]) if item.get("parent") else None
        group.member_parent_id = parent.id if parent is not None else None
        group.members = [agencies[c] for c in item.get("members") or [] if c in agencies]
        db.session.flush()
        audit.record(
            actor,
            group,
            "create" if created else "edit",
            comment="Nhập từ tệp kế hoạch",
            data={"via": "import", "changes": diff},
        )
    return group
