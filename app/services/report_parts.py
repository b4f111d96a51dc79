"""The standing agency's own parts of its consolidated report (Báo cáo tổng hợp).

The figures of a consolidated report come from the reports; what the standing agency writes
itself is kept here, per reporting period, on its ``Consolidation`` row (``report_parts``):

- ``addressees`` — "Kính gửi:" (one per line);
- ``recipients`` — "Nơi nhận:" after "- Như trên;" (one per line; a line wholly in brackets such
  as "(để thực hiện)" is a note line under the one above);
- ``assessment``, ``next_steps``, ``proposals`` — sections "Đánh giá chung", "Nhiệm vụ thời gian
  tới", "Đề xuất, kiến nghị" (paragraphs, one per line; an empty one is not printed).

Until the standing agency edits them the report prints the defaults taken from the plan
(:func:`defaults`). They are edited before signing, under the rule of plan edits
(docs/documents.md): a draft is rendered again, a report awaiting signature goes back to draft
(the signers are told), a signed or released one is not changed (refused with the reason).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defer

from app.extensions import db
from app.models import (
    Consolidation,
    Document,
    DocumentKind,
    DocumentStatus,
    PeriodStatus,
    ReportingPeriod,
    User,
)
from app.services import audit, documents, policy
from app.services.exceptions import ConcurrentEdit, InvalidInput

KEYS = ("addressees", "recipients", "assessment", "next_steps", "proposals")
LISTS = ("addressees", "recipients")
_VIA = re.compile(r"\s*\((?:thông qua|qua)\b[^)]*\)\s*$", re.IGNORECASE)


def _lines(text: Any) -> list[str]:
    if isinstance(text, list):
        text = "\n".join(str(x) for x in text)
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def defaults(period: ReportingPeriod) -> dict[str, list[str]]:
    """What the report says before the standing agency edits it: addressed to whom the plan's
    agencies report (``schedule.report_to``) when that is not the standing agency itself (its
    name, or its name shortened: "Công an huyện" for "Công an huyện Càng Long") — less
    a trailing "(thông qua …)" — else to the issuer; the plan's own recipients; no assessment."""
    plan = period.plan
    definition = plan.definition or {}
    report_to = str((definition.get("schedule") or {}).get("report_to") or "").strip()
    standing = plan.standing_agency
    names = {n for n in (standing.name, standing.short_name) if n}
    # "Công an huyện" written for "Công an huyện Càng Long": a name or its short form without
    # the place names the standing agency too
    bare = _VIA.sub("", report_to).strip().lower()
    own = (
        any(n.lower() in report_to.lower() or (bare and bare in n.lower()) for n in names)
        or "thường trực" in report_to.lower()
    )
    if report_to and not own:
        addressee = _VIA.sub("", report_to).strip() or plan.issuer.name
    else:
        addressee = plan.issuer.name
    return {
        "addressees": [addressee],
        "recipients": [str(r) for r in definition.get("recipients") or [] if str(r).strip()],
        "assessment": [],
        "next_steps": [],
        "proposals": [],
    }


def _row(period: ReportingPeriod) -> Consolidation | None:
    # not the stored figures (every agency's, read by the document, not by the parts)
    return db.session.scalar(
        select(Consolidation)
        .where(Consolidation.period_id == period.id)
        .options(defer(Consolidation.results))
    )


def current(period: ReportingPeriod, row: Consolidation | None = None) -> dict[str, list[str]]:
    """The parts as the report prints them now: the edited ones, else the defaults (an earlier
    consolidation's narrative is the assessment)."""
    row = _row(period) if row is None else row
    out = defaults(period)
    if row is not None and row.narrative:
        out["assessment"] = _lines(row.narrative)
    if row is not None and row.report_parts:
        for key in KEYS:
            if key in row.report_parts:
                out[key] = _lines(row.report_parts[key])
    return out


def fingerprint(parts: dict[str, list[str]]) -> str:
    """A short hash of the parts as shown, sent back with the form: a save over parts someone
    else changed meanwhile is refused (:class:`ConcurrentEdit`), nothing overwritten."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def edited(period: ReportingPeriod) -> bool:
    row = _row(period)
    return bool(row is not None and row.report_parts)


def _documents(period: ReportingPeriod) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.period_id == period.id, Document.kind == DocumentKind.CONSOLIDATED)
            .order_by(Document.id)
        )
    )


def refusal(period: ReportingPeriod, actor: User | None) -> str | None:
    """Why ``actor`` cannot edit the parts now (a sentence), or None."""
    reason = policy.refusal(actor, "consolidation.edit_report", period)
    if reason is not None:
        return reason
    if period.status == PeriodStatus.CONSOLIDATED or any(
        d.status in (DocumentStatus.SIGNED, DocumentStatus.RELEASED) for d in _documents(period)
    ):
        return _(
            "Báo cáo tổng hợp của kỳ này đã được ký; nội dung không sửa được nữa. Mọi thay đổi "
            "cần một văn bản khác."
        )
    return None


def save(
    period: ReportingPeriod, parts: dict[str, Any], actor: User, seen: str | None = None
) -> list[tuple[Document, str]]:
    """Keep the edited parts of ``period``'s consolidated report. Returns the consolidated
    documents rendered again, each with its status before (``awaiting_signature`` ones went back
    to draft). Raises ``NotAllowed`` (not the standing agency), ``InvalidInput`` (signed) or
    ``ConcurrentEdit`` (``seen``, the :func:`fingerprint` of the parts the form showed, is not
    that of the parts now)."""
    policy.require(actor, "consolidation.edit_report", period)
    reason = refusal(period, actor)
    if reason is not None:
        raise InvalidInput(reason)
    new = {key: _lines(parts.get(key)) for key in KEYS}
    if not new["addressees"]:
        raise InvalidInput(_("Kính gửi: ghi ít nhất một nơi nhận báo cáo."))
    row = _row(period)
    before = current(period, row)
    if seen and seen != fingerprint(before):
        raise ConcurrentEdit(
            _(
                "Nội dung này vừa được người khác sửa sau khi bạn mở trang; chưa lưu gì. Nội "
                "dung bạn nhập vẫn còn dưới đây; mở trang này ở thẻ mới để xem bản vừa sửa. "
                "Bấm lưu lần nữa sẽ thay bản đó bằng nội dung dưới đây."
            )
        )
    if new == before:
        return []
    if row is None:
        row = Consolidation(plan_id=period.plan_id, period_id=period.id, results={})
        db.session.add(row)
    row.report_parts = copy.deepcopy(new)
    db.session.flush()
    audit.record(
        actor,
        row,
        "edit_report",
        plan_id=period.plan_id,
        data={"period": period.key, "changed": [k for k in KEYS if new[k] != before[k]]},
    )
    changed = []
    for doc in _documents(period):
        status = doc.status
        if documents.content_changed(
            doc, actor, "Nơi nhận hoặc phần đánh giá của báo cáo tổng hợp đã được sửa."
        ):
            changed.append((doc, status))
    return changed


def printed(period: ReportingPeriod, row: Consolidation | None = None) -> dict[str, list[str]]:
    """The parts as the consolidated report's context takes them (``worker.contexts``):
    ``addressees`` and ``recipients`` always, the three sections only when written."""
    parts = current(period, row)
    return {k: v for k, v in parts.items() if k in LISTS or v}
