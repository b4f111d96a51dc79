"""Plans: creating them from a definition, issuing them, running their rounds."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app import signals
from app.extensions import db
from app.models import (
    Agency,
    AgencyGroup,
    Assignment,
    AssignmentTask,
    Document,
    DocumentKind,
    DocumentStatus,
    FormVersion,
    PeriodStatus,
    Plan,
    PlanStatus,
    Report,
    ReportingPeriod,
    ReportStatus,
    User,
)
from app.services import (
    audit,
    calendar,
    clock,
    consolidation,
    deadline_text,
    documents,
    flows,
    groups,
    notifications,
    policy,
    reminders,
    richtext,
    status,
)
from app.services.exceptions import ConcurrentEdit, InvalidInput
from app.services.schedule import periods_for
from workflows import PlanFlow, RoundFlow


def agency_by_code(code: str) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise InvalidInput(_("Không có cơ quan có mã “%(code)s”.", code=code))
    return agency


def create_plan(definition: dict, actor: User | None = None) -> Plan:
    """Create a draft plan from a validated definition (docs/plan-format.md): the plan row, its
    assignments, form version 1 and its reporting periods (pending)."""
    d = copy.deepcopy(definition)
    issuer = agency_by_code(d["issuer"])
    standing = agency_by_code(d["standing_agency"])
    policy.require(actor, "plan.create", policy.PlanScope(issuer.id, standing.id))
    plan = Plan(
        code=d["code"],
        title=d["title"],
        type_abbr=d.get("type") or "KH",
        status=PlanStatus.DRAFT,
        issuer_id=issuer.id,
        standing_agency_id=agency_by_code(d["standing_agency"]).id,
        schedule_kind=d["schedule"].get("kind", "once"),
        definition=d,
        parent_plan_id=_parent_id(d),
    )
    db.session.add(plan)
    _sync_assignments(plan, d.get("assignments", []), d.get("schedule") or {})
    plan.form_versions.append(FormVersion(version=1, schema=d.get("form") or {"fields": []}))
    _sync_periods(plan)
    db.session.flush()
    audit.record(actor, plan, "create", to_state=plan.status, comment=plan.title)
    return plan


def update_plan(plan: Plan, definition: dict, actor: User | None, expected_version: int) -> Plan:
    """Replace a draft plan's definition. A changed reporting form becomes a new form version
    (reports keep the version they were filled with)."""
    if plan.version != expected_version:
        raise ConcurrentEdit(
            _(
                "Kế hoạch đã được người khác sửa sau khi bạn mở. Vui lòng tải lại trang; "
                "nội dung bạn nhập vẫn được giữ trong biểu mẫu."
            )
        )
    policy.require(actor, "plan.edit", plan)
    d = copy.deepcopy(definition)
    editable_body = plan.status == PlanStatus.DRAFT
    doc = plan_document(plan)
    refusal = edit_refusal(plan)
    if refusal:
        raise InvalidInput(refusal)
    before = copy.deepcopy(plan.definition)
    if editable_body:
        plan.title = d["title"]
        plan.type_abbr = d.get("type") or "KH"
        plan.issuer_id = agency_by_code(d["issuer"]).id
        plan.standing_agency_id = agency_by_code(d["standing_agency"]).id
        plan.schedule_kind = d["schedule"].get("kind", "once")
        _sync_assignments(plan, d.get("assignments", []), d.get("schedule") or {})
        _sync_periods(plan)
    else:
        # after issue only the reporting form may change; everything else stays as issued
        kept = copy.deepcopy(plan.definition)
        kept["form"] = d.get("form")
        d = kept
    set_form(plan, d.get("form") or {"fields": []})
    plan.definition = d
    db.session.flush()
    audit.record(actor, plan, "edit", from_state=plan.status, to_state=plan.status)
    if editable_body and doc is not None and _printed(before) != _printed(d):
        # Signed = reviewed: what awaits signature is no longer what the plan says.
        documents.content_changed(doc, actor, "Nội dung kế hoạch đã được sửa sau khi soạn văn bản.")
    return plan


def edit_refusal(plan: Plan) -> str | None:
    """Why the plan cannot be edited now, ``None`` when it can (the one rule the editor, the
    plan page and :func:`update_plan` read): a draft plan whose document the leader has signed
    keeps the signed text until it is released."""
    doc = plan_document(plan) if plan.status == PlanStatus.DRAFT else None
    if doc is not None and doc.status == DocumentStatus.SIGNED:
        return (
            "Văn bản kế hoạch đã được lãnh đạo ký và đang chờ văn thư cấp số, phát hành; nội "
            "dung kế hoạch không sửa được nữa. Sau khi phát hành, mọi thay đổi cần một văn bản "
            "sửa đổi, bổ sung."
        )
    return None


def _printed(definition: dict | None) -> dict:
    """The part of a definition the plan document prints (not the reporting form), a section's
    paragraphs read as the end of its body (:func:`lead_in_body`: printed the same)."""
    out = {k: v for k, v in (definition or {}).items() if k != "form"}
    if isinstance(out.get("sections"), list):
        out["sections"] = [
            (lead_in_body(s) or s) if isinstance(s, dict) else s for s in out["sections"]
        ]
    return out


def set_form(plan: Plan, schema: dict) -> FormVersion:
    """Make ``schema`` the plan's current form: a new version only if it differs."""
    current = plan.current_form
    if current is not None and current.schema == schema:
        return current
    has_reports = current is not None and db.session.scalar(
        select(Report.id).where(Report.form_version_id == current.id).limit(1)
    )
    if current is not None and not has_reports:
        current.schema = copy.deepcopy(schema)
        return current
    version = FormVersion(
        version=(current.version + 1) if current else 1, schema=copy.deepcopy(schema)
    )
    plan.form_versions.append(version)
    db.session.flush()
    return version


def _sync_assignments(plan: Plan, items: list[dict], schedule: dict) -> None:
    """One ``Assignment`` per agency, whatever the number of lines that name it: a line may name
    an agency or a group (expanded to its members valid while the plan runs), in one section or
    in every listing section. Each line becomes a task block (``AssignmentTask``) of each agency
    it names; the agency's assignment carries all its tasks, lead when any line makes it lead,
    the first deadline given. Existing rows are kept (reports point at them)."""
    by_agency = {a.agency_id: a for a in plan.assignments}
    first, last, cutoff = _span(schedule)
    merged: dict[int, Assignment] = {}
    direct: set[int] = set()
    blocks: dict[int, list[AssignmentTask]] = {}
    # lines naming the agency itself first: their label and deadline win over a group's
    ordered = sorted(enumerate(items), key=lambda p: (bool(p[1].get("group")), p[0]))
    for pos, item in ordered:
        group = None
        if item.get("group"):
            group = groups.by_code(item["group"])
            if group is None:
                raise InvalidInput(_("Không có nhóm cơ quan có mã “%(code)s”.", code=item["group"]))
            agencies = groups.members(group, first, last)
        else:
            agencies = [agency_by_code(item["agency"])]
        for agency in agencies:
            a = merged.get(agency.id)
            if a is None:
                a = by_agency.get(agency.id) or Assignment(agency_id=agency.id)
                merged[agency.id] = a
                a.role, a.label, a.tasks, a.reports, a.listed = "cooperate", None, [], False, False
                a.inline, a.due, a.due_working_days, a.due_text = False, None, None, None
                a.group_id, a.position = None, pos
                if group is None:
                    a.label, a.inline = item.get("label"), bool(item.get("inline", False))
            if group is None:
                direct.add(agency.id)
                a.group_id = None
            elif agency.id not in direct and a.group_id is None and not blocks.get(agency.id):
                a.group_id = group.id
            a.position = min(a.position, pos)
            if item.get("role", "cooperate") == "lead":
                a.role = "lead"
            a.reports = a.reports or bool(item.get("reports", True))
            a.listed = a.listed or bool(item.get("listed", True))
            if a.due is None and a.due_working_days is None and a.due_text is None:
                a.due = _date_or_none(item.get("due"))
                dwd = item.get("due_working_days")
                a.due_working_days = None if dwd is None or dwd == "" else int(dwd)
                a.due_text = item.get("due_text") or None
            blocks.setdefault(agency.id, []).append(_block(item, pos, group, cutoff))
    keep = sorted(merged.values(), key=lambda a: a.position)
    for a in keep:
        mine = sorted(blocks[a.agency_id], key=lambda b: b.position)
        a.tasks = [t for b in mine for t in b.tasks]
        a.blocks[:] = mine
    plan.assignments[:] = keep


def _block(item: dict, pos: int, group: AgencyGroup | None, cutoff: date | None) -> AssignmentTask:
    window = item.get("window") or None
    start = end = None
    if window and cutoff is not None and deadline_text.problem(window, window=True) is None:
        start, end = deadline_text.parse_window(window).near(cutoff)
    section = item.get("section")
    return AssignmentTask(
        position=pos,
        section=int(section) if isinstance(section, int | str) and section != "" else None,
        role=item.get("role", "cooperate"),
        group_id=group.id if group is not None else None,
        tasks=list(item.get("tasks") or []),
        window_text=window,
        window_from=start,
        window_to=end,
        due_text=item.get("due_text") or None,
    )


def _span(schedule: dict) -> tuple[date | None, date | None, date | None]:
    """(first day, last day) of the plan's periods' data windows and its first cut-off: who of
    a group is assigned, and which year a window worded without one is in."""
    try:
        specs = periods_for(schedule)
    except (KeyError, ValueError, TypeError, AssertionError):
        return None, None, None
    if not specs:
        return None, None, None
    return (
        min(s.starts_on for s in specs),
        max(s.ends_on for s in specs),
        specs[0].ends_on,
    )


def _sync_periods(plan: Plan) -> None:
    hol, work = calendar.days_off_and_makeups()
    specs = periods_for(plan.definition["schedule"], hol, work)
    existing = {p.key: p for p in plan.periods}
    lock = plan.definition["schedule"].get("lock_after_days")
    keep = []
    for s in specs:
        p = existing.get(s.key) or ReportingPeriod(key=s.key, status=PeriodStatus.PENDING)
        p.label, p.kind, p.starts_on, p.ends_on, p.due_on = (
            s.label,
            s.kind,
            s.starts_on,
            s.ends_on,
            s.due_on,
        )
        p.lock_after_days = int(lock) if lock not in (None, "") else None
        keep.append(p)
    plan.periods[:] = keep


def _parent_id(d: dict) -> int | None:
    code = d.get("parent_plan")
    if not code:
        return None
    parent = db.session.scalar(select(Plan).where(Plan.code == code))
    if parent is None:
        raise InvalidInput(_("Không có kế hoạch cấp trên có mã “%(code)s”.", code=code))
    return parent.id


def _date_or_none(v: object) -> date | None:
    if v in (None, ""):
        return None
    return v if isinstance(v, date) else date.fromisoformat(str(v))


# -- the round -----------------------------------------------------------------------------


def plan_document(plan: Plan) -> Document | None:
    return db.session.scalar(
        select(Document)
        .where(Document.plan_id == plan.id, Document.kind == DocumentKind.PLAN)
        .order_by(Document.id.desc())
    )


def on_plan_document_released(plan: Plan, doc: Document, actor: User) -> None:
    """Called when the clerk releases the signed plan: the plan takes the document's number and
    is issued; periods already started open."""
    flow = PlanFlow(plan, actor, document_signed=True)
    plan.number, plan.year = doc.number, doc.year
    plan.symbol, plan.issued_on = doc.symbol, doc.issued_on
    flows.fire(flow, "issue", actor, comment=f"Số {doc.symbol}")
    for a in plan.assignments:
        notifications.notify(
            notifications.users_of(a.agency_id, "reporter", "agency_leader"),
            "assignment_received",
            f"Cơ quan được giao nhiệm vụ tại Kế hoạch số {plan.symbol}: {plan.title}.",
            link=f"/plans/{plan.id}",
        )
    open_due_periods(plan, plan.issued_on or clock.today())


@signals.document_released.connect
def _on_document_released(doc: Document, actor: User | None = None, **_: object) -> None:
    """A released plan document issues the plan; a released consolidated report consolidates
    its round (``app.signals``)."""
    if doc.kind == DocumentKind.PLAN and doc.plan_id:
        plan = db.session.get(Plan, doc.plan_id)
        assert plan is not None and actor is not None
        on_plan_document_released(plan, doc, actor)
    elif doc.kind == DocumentKind.CONSOLIDATED and doc.period_id:
        period = db.session.get(ReportingPeriod, doc.period_id)
        assert period is not None and actor is not None
        on_consolidation_released(period, actor)


def open_due_periods(plan: Plan, today: date | None = None) -> list[ReportingPeriod]:
    """Open every pending period whose window has started (a one-off plan's only period opens at
    once); the plan is then in progress."""
    today = today or clock.today()
    opened: list[ReportingPeriod] = []
    if plan.status not in (PlanStatus.ISSUED, PlanStatus.IN_PROGRESS):
        return opened
    for period in plan.periods:
        started = period.kind == "once" or period.starts_on <= today
        if period.status == PeriodStatus.PENDING and started:
            flows.fire(
                RoundFlow(period, None, system=True, plan_issued=True),
                "open",
                None,
                plan_id=plan.id,
            )
            opened.append(period)
            add_group_members(plan, period)
            reminders.schedule_period(period)
    if opened and plan.status == PlanStatus.ISSUED:
        flows.fire(PlanFlow(plan, None, system=True), "start", None)
    return opened


def add_group_members(plan: Plan, period: ReportingPeriod) -> list[Assignment]:
    """When a round opens, members of the plan's group lines that are valid at its cut-off and
    were created after the plan was saved (the communes of the 2025 reform) join it with the
    group's tasks. Add-only: an existing assignment is never changed or removed (reports point
    at it; an agency retired and replaced keeps its history). Audited."""
    lines = [
        (pos, item)
        for pos, item in enumerate((plan.definition or {}).get("assignments") or [])
        if isinstance(item, dict) and item.get("group")
    ]
    if not lines:
        return []
    have = {a.agency_id for a in plan.assignments}
    added: dict[int, Assignment] = {}
    for pos, item in lines:
        group = groups.by_code(item["group"])
        if group is None:
            continue
        for agency in groups.members(group, period.ends_on):
            if agency.id in have and agency.id not in added:
                continue
            a = added.get(agency.id)
            if a is None:
                a = Assignment(
                    agency_id=agency.id,
                    role="cooperate",
                    tasks=[],
                    reports=False,
                    listed=False,
                    inline=False,
                    group_id=group.id,
                    position=len(plan.assignments) + len(added),
                )
                added[agency.id] = a
            if item.get("role", "cooperate") == "lead":
                a.role = "lead"
            a.reports = a.reports or bool(item.get("reports", True))
            a.listed = a.listed or bool(item.get("listed", True))
            if a.due is None and a.due_working_days is None and a.due_text is None:
                a.due = _date_or_none(item.get("due"))
                dwd = item.get("due_working_days")
                a.due_working_days = None if dwd is None or dwd == "" else int(dwd)
                a.due_text = item.get("due_text") or None
            block = _block(item, pos, group, period.ends_on)
            a.blocks.append(block)
            a.tasks = list(a.tasks) + list(block.tasks)
    for a in added.values():
        plan.assignments.append(a)
    db.session.flush()
    for a in added.values():
        audit.record(
            None,
            a,
            "add_group_member",
            plan_id=plan.id,
            comment=f"Thành viên mới của nhóm, từ kỳ {period.label}",
            data={"period": period.key},
        )
    return list(added.values())


def expected_assignments(plan: Plan) -> list[Assignment]:
    """The assignments that owe a report (``status.required``)."""
    return plan.reporting_assignments


def period_reports(period: ReportingPeriod) -> list[Report]:
    return list(db.session.scalars(select(Report).where(Report.period_id == period.id)))


def check_round_complete(period: ReportingPeriod) -> bool:
    """If every expected agency's report of ``period`` is accepted, the round is reported."""
    if period.status != PeriodStatus.OPEN:
        return False
    plan = period.plan
    accepted = {r.agency_id for r in period_reports(period) if r.status == ReportStatus.ACCEPTED}
    expected = {st.agency_id for st in status.for_period(period)}  # the required ones
    if not expected <= accepted:
        return False
    flows.fire(
        RoundFlow(period, None, system=True, all_accepted=True), "complete", None, plan_id=plan.id
    )
    _after_round_reported(plan)
    return True


def close_round(
    period: ReportingPeriod, actor: User, comment: str | None = None, today: date | None = None
) -> list[str]:
    """The standing agency closes the round after the deadline; the agencies whose report was
    not accepted are recorded as missing. Returns their codes."""
    today = today or clock.today()
    plan = period.plan
    flow = RoundFlow(
        period,
        actor,
        standing_agency_id=plan.standing_agency_id,
        deadline_passed=today > period.due_on,
    )
    accepted = {r.agency_id for r in period_reports(period) if r.status == ReportStatus.ACCEPTED}
    missing = [
        st.agency_code for st in status.for_period(period, today) if st.agency_id not in accepted
    ]
    flows.fire(flow, "close", actor, comment=comment, plan_id=plan.id, data={"missing": missing})
    period.missing_agencies = missing
    period.closed_at = clock.now()
    _after_round_reported(plan)
    return missing


def _after_round_reported(plan: Plan) -> None:
    if plan.status == PlanStatus.IN_PROGRESS and all(
        p.status in (PeriodStatus.REPORTED, PeriodStatus.CONSOLIDATED) for p in plan.periods
    ):
        flows.fire(
            PlanFlow(plan, None, system=True, all_periods_reported=True), "mark_reported", None
        )


def on_consolidation_released(period: ReportingPeriod, actor: User) -> None:
    """The consolidated report of ``period`` is signed and released: the round is consolidated;
    when every round is, so is the plan."""
    plan = period.plan
    flows.fire(
        RoundFlow(period, actor, system=True, consolidation_released=True),
        "consolidate",
        actor,
        plan_id=plan.id,
    )
    if plan.status == PlanStatus.REPORTED and all(
        p.status == PeriodStatus.CONSOLIDATED for p in plan.periods
    ):
        flows.fire(
            PlanFlow(plan, None, system=True, all_periods_consolidated=True),
            "mark_consolidated",
            None,
        )
    if plan.parent_plan_id:
        cascade_to_parent(period, actor)


def cascade_to_parent(period: ReportingPeriod, actor: User | None) -> Report | None:
    """Plans cascade (Government → province → commune): the consolidation of a plan that
    implements a parent plan in the system becomes its issuing agency's report on the parent
    plan — a draft prefilled with the consolidated figures, for the agency to check and send.
    Fields are matched by name; texts are listed by agency; rows are concatenated."""
    plan = period.plan
    parent = db.session.get(Plan, plan.parent_plan_id)
    if parent is None or parent.status != PlanStatus.IN_PROGRESS:
        return None
    agency_id = plan.issuer_id
    if not any(a.agency_id == agency_id and a.reports for a in parent.assignments):
        agency_id = plan.standing_agency_id
        if not any(a.agency_id == agency_id and a.reports for a in parent.assignments):
            return None
    target = next((p for p in parent.periods if p.status == PeriodStatus.OPEN), None)
    if target is None or parent.current_form is None:
        return None
    report = db.session.scalar(
        select(Report).where(Report.period_id == target.id, Report.agency_id == agency_id)
    )
    if report is not None and report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        return report
    results = consolidation.compute(period)
    data: dict[str, Any] = {}
    for f in parent.current_form.schema.get("fields", []):
        got = results["by_name"].get(f["name"])
        if got is None:
            continue
        if got["rule"] == "list":
            data[f["name"]] = "\n".join(
                f"- {a['agency_name']}: {a['display']}" for a in got["agencies"] if a.get("display")
            )
        elif got["rule"] == "rows":
            cols = {c["name"] for c in f.get("fields", [])}
            data[f["name"]] = [
                {k: v for k, v in r["values"].items() if k in cols} for r in got.get("rows", [])
            ]
        else:
            data[f["name"]] = got["value"]
    if report is None:
        assignment = next(a for a in parent.assignments if a.agency_id == agency_id)
        report = Report(
            plan_id=parent.id,
            period_id=target.id,
            assignment_id=assignment.id,
            agency_id=agency_id,
            status=ReportStatus.DRAFT,
            form_version_id=parent.current_form.id,
            data={},
        )
        db.session.add(report)
    report.data = data
    db.session.flush()
    audit.record(
        actor,
        report,
        "cascade",
        to_state=report.status,
        plan_id=parent.id,
        comment=f"Tổng hợp từ kế hoạch {plan.symbol or plan.code}",
        data={"from_plan": plan.id, "period": period.key},
    )
    return report


def task_blocks(
    assignment_ids: list[int],
) -> tuple[dict[int, list[AssignmentTask]], dict[int, str]]:
    """Each assignment's task blocks (section, role, group, tasks, worded deadline and window),
    and the names of the groups they come from, in two queries whatever the number of
    assignments (the plan page and the API read them here)."""
    blocks: dict[int, list[AssignmentTask]] = {}
    if not assignment_ids:
        return blocks, {}
    rows = db.session.scalars(
        select(AssignmentTask)
        .where(AssignmentTask.assignment_id.in_(assignment_ids))
        .order_by(AssignmentTask.assignment_id, AssignmentTask.position)
    )
    for b in rows:
        blocks.setdefault(b.assignment_id, []).append(b)
    ids = {b.group_id for bs in blocks.values() for b in bs if b.group_id}
    names: dict[int, str] = {}
    if ids:
        found = select(AgencyGroup.id, AgencyGroup.name).where(AgencyGroup.id.in_(ids))
        names = {gid: name for gid, name in db.session.execute(found)}
    return blocks, names


def group_lines(plan: Plan) -> list[dict[str, Any]]:
    """The agency groups the plan's lines name, each with the member agencies it expanded to
    in this plan (each has its own assignment, report and status), by name: ``{code, name,
    members: [agency code]}`` in two queries."""
    rows = db.session.execute(
        select(AssignmentTask.group_id, Agency.code, Agency.name)
        .join(Assignment, Assignment.id == AssignmentTask.assignment_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Assignment.plan_id == plan.id, AssignmentTask.group_id.is_not(None))
        .distinct()
    ).all()
    members: dict[int, list[tuple[str, str]]] = {}
    for gid, code, name in rows:
        if gid is not None:
            members.setdefault(gid, []).append((name, code))
    if not members:
        return []
    found = db.session.scalars(
        select(AgencyGroup).where(AgencyGroup.id.in_(members)).order_by(AgencyGroup.name)
    )
    return [
        {
            "code": g.code,
            "name": g.name,
            "members": [code for _name, code in sorted(members[g.id])],
        }
        for g in found
    ]


def lead_in_body(section: dict[str, Any]) -> dict[str, Any] | None:
    """``section`` with its plain ``paragraphs`` (printed right after its ``body``) written at
    the end of the body instead, so the editor has one text box per section, printed the same
    (each line a paragraph, markers and emphasis as typed). The section itself when it has no
    paragraphs; ``None`` when the merged text would print differently (a paragraph that is a
    top-level "N." item would renumber the items and assignment lines after it)."""
    paragraphs = [p for p in section.get("paragraphs") or [] if isinstance(p, str)]
    if not section.get("paragraphs"):
        return section
    if len(paragraphs) != len(section["paragraphs"]):
        return None
    body = section.get("body") or ""
    merged = richtext.normalize("\n".join([body, *paragraphs]))
    if richtext.last_number(richtext.parse(merged)) != richtext.last_number(richtext.parse(body)):
        return None
    out = {k: v for k, v in section.items() if k != "paragraphs"}
    out["body"] = merged or None
    return out
