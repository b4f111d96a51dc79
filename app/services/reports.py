"""Reports: starting, saving drafts, and their workflow."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import (
    PeriodStatus,
    Plan,
    Report,
    ReportingPeriod,
    ReportStatus,
    ReportVersion,
    User,
)
from app.services import audit, clock, flows, notifications, plans, policy, status, storage, uploads
from app.services.exceptions import ConcurrentEdit, InvalidInput, NotAllowed, NotFound
from app.services.jobs import after_commit
from app.services.wording import plan_name, report_name
from workflows import ReportFlow

# states after which the content is frozen as a version
_SNAPSHOT_ON = {
    "submit_for_approval",
    "approve",
    "resubmit",
    "return_for_revision",
    "accept",
    "send_back",
}
_EDITABLE = {ReportStatus.DRAFT, ReportStatus.RETURNED}


_LOOK_UP = object()


def can_edit(user: User | None, report: Report, st: Any = _LOOK_UP) -> bool:
    """May ``user`` edit ``report`` now? The one rule every page and the work queue ask: the
    report is a draft or returned, the policy allows ``report.edit``, the round takes reports
    and the period is not locked for the agency (docs/status.md). ``st`` is the report's
    ``status.Status`` when the caller already has it (None: no assignment); looked up if
    omitted."""
    if not (
        report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
        and policy.can(user, "report.edit", report)
        and report.period.status == PeriodStatus.OPEN
    ):
        return False
    if st is _LOOK_UP:
        st = status.for_report(report)
    return st is None or not st.locked


def start_report(plan: Plan, period: ReportingPeriod, actor: User) -> Report:
    """The actor's agency starts (or reopens) its report for ``period``."""
    assignment = next(
        (
            a
            for a in plan.assignments
            if a.agency_id == actor.agency_id and plan.requires_report(a, period)
        ),
        None,
    )
    policy.require(actor, "report.start", policy.PeriodAgency(period, actor.agency_id))
    if assignment is None:
        raise NotAllowed(_("Cơ quan của bạn không được giao báo cáo trong kế hoạch này."))
    existing = db.session.scalar(
        select(Report).where(Report.period_id == period.id, Report.agency_id == actor.agency_id)
    )
    if existing is not None:
        return existing
    if period.status != PeriodStatus.OPEN:
        raise InvalidInput(_("Kỳ báo cáo này chưa mở hoặc đã khóa sổ."))
    form = plan.current_form
    assert form is not None
    report = Report(
        plan_id=plan.id,
        period_id=period.id,
        assignment_id=assignment.id,
        agency_id=actor.agency_id,
        status=ReportStatus.DRAFT,
        form_version_id=form.id,
        data={},
        created_by_id=actor.id,
    )
    db.session.add(report)
    db.session.flush()
    audit.record(actor, report, "create", to_state=report.status, plan_id=plan.id)
    return report


def save_draft(report: Report, data: dict, actor: User, expected_version: int | None) -> Report:
    """Store what was typed, without required-field checks. Refuses a save over someone else's
    newer save (``expected_version`` is the version the form was opened at)."""
    policy.require(actor, "report.edit", report)
    if report.status not in _EDITABLE:
        raise InvalidInput(
            _(
                "Báo cáo đã được trình hoặc gửi, không thể sửa. "
                "Nếu cần sửa, đề nghị lãnh đạo trả lại."
            )
        )
    if expected_version is not None and report.version != expected_version:
        raise ConcurrentEdit(
            _(
                "Báo cáo đã được người khác lưu sau khi bạn mở. Nội dung bạn vừa "
                "nhập vẫn còn trên trang; hãy so sánh rồi lưu lại."
            )
        )
    # a returned report filled on an old form moves to the current form when edited
    current = report.plan.current_form
    if current is not None and report.form_version_id != current.id:
        report.form_version_id = current.id
    replaced = file_paths(report.data) - file_paths(data)
    report.data = copy.deepcopy(data)
    db.session.flush()
    _remove_unreferenced(report, replaced)
    audit.record(
        actor,
        report,
        "save_draft",
        from_state=report.status,
        to_state=report.status,
        plan_id=report.plan_id,
    )
    return report


# -- attachments -------------------------------------------------------------------------------


def file_paths(data: Any) -> set[str]:
    """The stored paths of every attachment referred to in report ``data`` (any depth)."""
    out: set[str] = set()
    if isinstance(data, dict):
        if isinstance(data.get("path"), str) and "filename" in data:
            out.add(data["path"])
        for v in data.values():
            out |= file_paths(v)
    elif isinstance(data, list):
        for v in data:
            out |= file_paths(v)
    return out


def store_attachment(
    report: Report, field: str, label: str, filename: str, content: bytes, actor: User
) -> dict[str, Any]:
    """Store an attachment of ``report`` after checking it by content: its bytes must be what
    its extension says (magic numbers; an ``MZ`` program named ``x.pdf`` is refused) and within
    the size limit. Returns the reference kept in the report's data."""
    policy.require(actor, "report.attach", report)
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    limit = int(current_app.config.get("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))
    if len(content) > limit:
        message = f"“{label}”: tệp lớn hơn {limit // (1024 * 1024)} MB."
        raise InvalidInput(message, {field: message})
    if not uploads.content_matches(ext, content):
        message = f"“{label}”: nội dung tệp không đúng định dạng “.{ext or '?'}”."
        raise InvalidInput(message, {field: message})
    digest = hashlib.sha256(content).hexdigest()
    rel = f"reports/{report.id}/{field}-{digest[:16]}.{ext}"
    storage.write(rel, content)
    return {"filename": filename[-200:], "path": rel, "size": len(content), "sha256": digest}


def _remove_unreferenced(report: Report, paths: set[str]) -> None:
    """Delete the files of ``paths`` once the transaction commits, unless a kept version of the
    report still refers to them (the history keeps what each version referred to)."""
    kept: set[str] = set()
    for v in report.versions:
        kept |= file_paths(v.data)
    gone = sorted(paths - kept)
    if not gone:
        return
    if storage.backend_name() == "database":  # joins the transaction: rolled back with it
        for key in gone:
            storage.delete(key)
        return

    def unlink() -> None:
        for key in gone:
            storage.delete(key)

    after_commit(unlink)


def attachment(report: Report, field: str, actor: User, version: int | None = None) -> dict:
    """The reference of ``field``'s attachment (of ``version``, or the current data), for a
    download by whoever may read the report."""
    policy.require(actor, "report.read", report)
    data = report.data
    if version is not None:
        match = [v for v in report.versions if v.number == version]
        if not match:
            raise NotFound("Không tìm thấy phiên bản này của báo cáo.")
        data = match[0].data
    ref = (data or {}).get(field)
    if not isinstance(ref, dict) or not isinstance(ref.get("path"), str):
        raise NotFound("Báo cáo không có tệp đính kèm này.")
    return ref


def report_flow(report: Report, actor: User | None, comment: str | None = None) -> ReportFlow:
    period = report.period
    locked = False
    st = status.for_report(report)
    locked = st is not None and st.locked
    return ReportFlow(
        report,
        actor,
        standing_agency_id=report.plan.standing_agency_id,
        comment=comment,
        period_open=period.status == PeriodStatus.OPEN,
        locked=locked,
    )


def transition(
    report: Report,
    trigger: str,
    actor: User,
    comment: str | None = None,
    expected_version: int | None = None,
) -> Report:
    """Fire a report trigger (submit_for_approval, send_back, approve, resubmit,
    return_for_revision, accept); freeze a version; stamp times; finish the round when all
    are accepted. Refusals raise ``TransitionRefused`` with the reason."""
    if expected_version is not None and report.version != expected_version:
        raise ConcurrentEdit(_("Báo cáo đã thay đổi sau khi bạn mở. Vui lòng tải lại trang."))
    flow = report_flow(report, actor, comment)
    now = clock.now()
    flows.fire(flow, trigger, actor, comment=comment, plan_id=report.plan_id)
    if trigger in ("approve", "resubmit"):
        report.first_submitted_at = report.first_submitted_at or now
        report.submitted_at = now
        report.return_reason = None
    elif trigger == "return_for_revision":
        report.return_reason = comment
        report.times_returned += 1
    elif trigger == "accept":
        report.accepted_at = now
    if trigger in _SNAPSHOT_ON:
        report.versions.append(
            ReportVersion(
                number=len(report.versions) + 1,
                status=report.status,
                data=copy.deepcopy(report.data),
                form_version_id=report.form_version_id,
                comment=comment,
                created_by_id=actor.id,
            )
        )
    db.session.flush()
    _notify(report, trigger, comment)
    if trigger == "accept":
        plans.check_round_complete(report.period)
    return report


def _notify(report: Report, trigger: str, comment: str | None) -> None:
    """One notification per hand-over, to the people who act next."""
    plan = report.plan
    agency = report.agency.display_name
    what = f"{report_name(report)} của {agency} ({plan_name(plan)})"
    mine = f"{report_name(report)} ({plan_name(plan)})"
    link = f"/reports/{report.id}"
    if trigger == "submit_for_approval":
        to = notifications.users_of(report.agency_id, "agency_leader")
        kind, text = "report_awaiting_approval", f"{mine} chờ lãnh đạo cơ quan duyệt."
    elif trigger == "send_back":
        to = notifications.users_of(report.agency_id, "reporter")
        reason = f" Lý do: {comment}" if comment else ""
        kind, text = "report_sent_back", f"{mine} được lãnh đạo cơ quan trả lại để sửa.{reason}"
    elif trigger in ("approve", "resubmit"):
        to = notifications.users_of(plan.standing_agency_id, "specialist")
        again = " (gửi lại sau khi bổ sung)" if report.times_returned else ""
        kind, text = "report_submitted", f"{what} đã gửi{again}, chờ xem xét."
    elif trigger == "return_for_revision":
        to = notifications.users_of(report.agency_id, "reporter")
        kind, text = "report_returned", f"{mine} bị trả lại để bổ sung. Lý do: {comment}"
    elif trigger == "accept":
        to = notifications.users_of(report.agency_id, "reporter", "agency_leader")
        kind, text = "report_accepted", f"{mine} đã được cơ quan thường trực chấp nhận."
    else:
        return
    notifications.notify(to, kind, text, link=link)


def validate_reason(comment: str | None) -> str:
    if not (comment or "").strip():
        raise InvalidInput(_("Vui lòng nêu lý do."), {"comment": _("Vui lòng nêu lý do.")})
    return comment.strip()  # type: ignore[union-attr]
