"""Who signs a document: the agency's signers as data, the one a draft is made for, the one a
leader signs as with one click. The ONE place a document's signer is decided.

- The admin keeps each agency's signers (:class:`AgencySigner`: name, title, TM./KT./TL./TUQ./Q.
  with whom it is for, the document kinds).
- A new draft is made for the agency's first active signer of its kind (``Document.signer_id``);
  a plan file's ``signer`` is recorded as a signer of the issuing agency when the plan is loaded.
- The drafter (or the leader) may choose another one before signing; the choice is audited.
- Signing records the signer in the document's snapshot; a placeholder title ("THỦ TRƯỞNG CƠ
  QUAN") or an empty name is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, AgencySigner, Document, DocumentStatus, Plan, SignerEntry, User
from app.services import audit
from app.services.exceptions import InvalidInput, NotAllowed

AUTHORITIES = ("", "TM.", "KT.", "TL.", "TUQ.", "Q.")
PLACEHOLDER_TITLES = frozenset({"THỦ TRƯỞNG CƠ QUAN", "THỦ TRƯỞNG ĐƠN VỊ", "THỦ TRƯỞNG"})
# The head of an agency by the start of its name, when it has no signer yet: the title printed
# on a draft and proposed to the leader who signs (never a placeholder).
HEAD_TITLES: tuple[tuple[str, dict[str, str]], ...] = (
    (
        "ủy ban nhân dân",
        {"authority": "TM.", "authority_of": "ỦY BAN NHÂN DÂN", "title": "CHỦ TỊCH"},
    ),
    (
        "hội đồng nhân dân",
        {"authority": "TM.", "authority_of": "THƯỜNG TRỰC HĐND", "title": "CHỦ TỊCH"},
    ),
    ("ban chỉ đạo", {"title": "TRƯỞNG BAN"}),
    ("ban chỉ huy", {"title": "CHỈ HUY TRƯỞNG"}),
    ("bộ chỉ huy", {"title": "CHỈ HUY TRƯỞNG"}),
    ("văn phòng", {"title": "CHÁNH VĂN PHÒNG"}),
    ("thanh tra", {"title": "CHÁNH THANH TRA"}),
    ("ban", {"title": "TRƯỞNG BAN"}),
    ("sở", {"title": "GIÁM ĐỐC"}),
    ("công an", {"title": "GIÁM ĐỐC"}),
    ("đài", {"title": "GIÁM ĐỐC"}),
    ("trung tâm", {"title": "GIÁM ĐỐC"}),
    ("báo", {"title": "TỔNG BIÊN TẬP"}),
    ("cục", {"title": "CỤC TRƯỞNG"}),
    ("chi cục", {"title": "CHI CỤC TRƯỞNG"}),
)


def head_of(agency: Agency) -> dict[str, str]:
    """The usual head's authority and title for ``agency`` (see ``HEAD_TITLES``); empty title
    when the name says nothing (the leader types it when signing)."""
    name = " ".join(agency.name.split()).lower()
    for prefix, signer in sorted(HEAD_TITLES, key=lambda x: -len(x[0])):
        if name == prefix or name.startswith(prefix + " "):
            return {"authority": "", "authority_of": "", **signer}
    return {"authority": "", "authority_of": "", "title": ""}


def signers_of(agency_id: int, kind: str | None = None) -> list[AgencySigner]:
    """The active signers of an agency (for ``kind`` if given), first the default."""
    rows = db.session.scalars(
        select(AgencySigner)
        .where(AgencySigner.agency_id == agency_id, AgencySigner.active.is_(True))
        .order_by(AgencySigner.position, AgencySigner.id)
    ).all()
    return [s for s in rows if kind is None or s.for_kind(kind)]


def default_for(agency_id: int, kind: str) -> AgencySigner | None:
    found = signers_of(agency_id, kind)
    return found[0] if found else None


def _plan_signer(doc: Document) -> dict[str, Any] | None:
    if doc.kind != "plan" or not doc.plan_id:
        return None
    plan = db.session.get(Plan, doc.plan_id)
    signer = (plan.definition or {}).get("signer") if plan is not None else None
    return dict(signer) if isinstance(signer, dict) and signer.get("name") else None


def intended(doc: Document) -> dict[str, Any]:
    """The signer a draft shows: the one recorded at signing, else the chosen one, else the
    plan's, else the agency's head title with the name left blank."""
    snap = doc.snapshot or {}
    if isinstance(snap.get("signer"), dict):
        return dict(snap["signer"])
    chosen = db.session.get(AgencySigner, doc.signer_id) if doc.signer_id else None
    if chosen is not None:
        return chosen.as_dict()
    plan_signer = _plan_signer(doc)
    if plan_signer is not None:
        return plan_signer
    agency = db.session.get(Agency, doc.agency_id)
    return {**head_of(agency), "name": ""} if agency is not None else {"title": "", "name": ""}


def proposed(doc: Document, actor: User) -> dict[str, Any]:
    """What the leader signs as with one click: the chosen signer when it is this person (or
    names nobody's account), else the leader's own signer entry in the agency, else the
    chosen/plan signer, else the agency's head title with the leader's name."""
    chosen = db.session.get(AgencySigner, doc.signer_id) if doc.signer_id else None
    if chosen is not None and chosen.user_id in (None, actor.id):
        return chosen.as_dict()
    own = [s for s in signers_of(doc.agency_id, doc.kind) if s.user_id == actor.id]
    if own:
        return own[0].as_dict()
    if chosen is not None:
        return chosen.as_dict()
    plan_signer = _plan_signer(doc)
    if plan_signer is not None:
        return plan_signer
    agency = db.session.get(Agency, doc.agency_id)
    head = head_of(agency) if agency is not None else {"title": ""}
    return {**head, "name": actor.full_name or actor.username}


SIGNER_FIELDS = ("authority", "authority_of", "title", "position_note", "name")


def check(signer: Mapping[str, Any]) -> SignerEntry:
    """A signer dict cleaned for the snapshot; refuses a placeholder or a missing name/title."""
    clean = {k: " ".join(str(v or "").split()) for k, v in signer.items()}
    errors = {}
    if not clean.get("name"):
        errors["name"] = "Vui lòng nhập “Họ và tên người ký”."
    title = clean.get("title", "").upper()
    if not title or title in PLACEHOLDER_TITLES:
        errors["title"] = (
            "Vui lòng nhập chức vụ thật của người ký (không dùng “THỦ TRƯỞNG CƠ QUAN”)."
        )
    if clean.get("authority", "") not in AUTHORITIES:
        errors["authority"] = "Thẩm quyền ký phải là TM., KT., TL., TUQ. hoặc Q."
    elif clean.get("authority") and not clean.get("authority_of"):
        errors["authority_of"] = "Vui lòng nhập “Thay mặt / ký thay cho”."
    if errors:
        raise InvalidInput(_("Thông tin người ký chưa đúng."), errors)
    return cast(SignerEntry, {k: v for k, v in clean.items() if k in SIGNER_FIELDS})


def choose(doc: Document, signer_id: int | None, actor: User) -> Document:
    """Make the draft for another of the agency's signers (audited); only before signing and
    by someone of the issuing agency."""
    if actor.agency_id != doc.agency_id:
        raise NotAllowed(_("Chỉ người của cơ quan ban hành được chọn người ký."))
    if doc.status not in (DocumentStatus.DRAFT, DocumentStatus.AWAITING_SIGNATURE):
        raise InvalidInput(
            _("Văn bản đã ký hoặc đã phát hành: không đổi người ký được."),
            {"signer_id": _("Văn bản đã ký.")},
        )
    signer = db.session.get(AgencySigner, signer_id) if signer_id else None
    if signer_id and (signer is None or signer.agency_id != doc.agency_id or not signer.active):
        raise InvalidInput(
            _("Người ký không thuộc cơ quan ban hành."), {"signer_id": _("Không hợp lệ.")}
        )
    before = db.session.get(AgencySigner, doc.signer_id) if doc.signer_id else None
    doc.signer_id = signer.id if signer else None
    audit.record(
        actor,
        doc,
        "choose_signer",
        from_state=doc.status,
        to_state=doc.status,
        comment=signer.label if signer else None,
        data={"from": before.label if before else None, "to": signer.label if signer else None},
    )
    return doc


def record_plan_signer(agency: Agency, signer: dict[str, Any]) -> AgencySigner | None:
    """A plan file's ``signer`` becomes a signer of its issuing agency (once)."""
    name = " ".join(str(signer.get("name") or "").split())
    title = " ".join(str(signer.get("title") or "").split())
    if not name or not title:
        return None
    for s in signers_of(agency.id):
        if s.name == name and s.title.upper() == title.upper():
            return s
    row = AgencySigner(
        agency_id=agency.id,
        name=name,
        title=title,
        authority=str(signer.get("authority") or ""),
        authority_of=str(signer.get("authority_of") or ""),
        position_note=str(signer.get("position_note") or ""),
        kinds="plan",
        position=len(signers_of(agency.id)),
        active=True,
    )
    db.session.add(row)
    db.session.flush()
    return row
