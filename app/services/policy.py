"""Who may do what: one question, one answer (Frappe's ``has_permission``, Redash's
``require_permission``).

Ask ``can(user, action, obj)``; a service that acts calls ``require(user, action, obj)``, which
raises :class:`~app.services.exceptions.NotAllowed` with a Vietnamese sentence. Routes, the plan
import, the CLI and the jobs all act through the services, so they all obey it; pages only ask
``can`` (the ``can(action, obj)`` template global) to decide which buttons to show. The scopes of
:mod:`app.services.access` (which rows a list query returns) stay there; reading one object is
``report.read`` etc. here.

``user`` None is the system (the CLI, a seed, a scheduled job): it may do everything a rule does
not forbid the system (the workflows still guard states).

Actions and their ``obj``:

========================  ======================  ============================================
action                    obj                     who
========================  ======================  ============================================
admin.area                —                       administrator
agency.create             —                       administrator
agency.edit               Agency                  administrator
agency.retire             Agency                  administrator
group.edit                —                       administrator
user.manage               —                       administrator
calendar.edit             —                       administrator
template.upload           Agency                  administrator
api_token.manage          —                       administrator (create, revoke API tokens)
plan.write                —                       admin; specialist (the plan editor on a new
                                                  plan, its live text and document previews,
                                                  the plan file import page; what is saved is
                                                  judged by plan.create / plan.import)
plan.create               PlanScope               admin; specialist of the issuer or standing agency
plan.import               PlanScope               same as plan.create (a new plan) / plan.edit
plan.edit                 Plan                    admin; specialist of the issuer or standing agency
plan.draft_document       Plan                    specialist of the issuer or standing agency, admin
plan.issue                Plan                    clerk of the issuer (PlanFlow ``issue``)
period.close              ReportingPeriod         specialist of the standing agency
period.reopen             ReportingPeriod         specialist of the standing agency
extension.request         PeriodAgency            reporter / agency leader of an assigned agency
extension.decide          ReportingPeriod         specialist of the standing agency
extension.queue           —                       admin; specialist (the page of requests
                                                  waiting; each decision is extension.decide)
report.work               —                       reporter / agency leader (their agency's
                                                  reporting rounds: the inbox, its deadlines
                                                  and buttons; each act is report.start etc.)
report.approvals          —                       agency leader (the approvals queue)
report.review_queue       —                       admin; specialist (the review queue; each
                                                  decision is report.review)
report.start              PeriodAgency            reporter / agency leader of an assigned agency
report.edit               Report                  reporter / agency leader of the report's agency
report.read               Report                  admin; its agency; the issuer and standing
                                                  agencies once it was submitted (drafts stay
                                                  with their agency)
report.attach             Report                  as report.edit
report.submit             Report                  reporter / agency leader of its agency (send
                                                  to the leader: ReportFlow submit_for_approval)
report.approve            Report                  agency leader of its agency (approve, send
                                                  back, resubmit)
report.draft_document     Report                  reporter / agency leader of its agency
report.review             Report                  specialist of the standing agency (accept /
                                                  return; ReportFlow guards the same)
consolidation.run         ReportingPeriod         admin; specialist of the standing agency
consolidation.draft       ReportingPeriod         admin; specialist of the standing agency
consolidation.edit_report ReportingPeriod         specialist of the standing agency, admin
                                                  (its consolidated report's addressee,
                                                  recipients and assessment)
reminder.draft            ReportingPeriod         specialist of the standing agency
document.list             —                       specialist, signer, clerk, agency leader,
                                                  admin (the documents menu; the list is
                                                  scoped by access.documents_query)
document.register         —                       clerk, signer, admin (the outgoing register
                                                  menu)
document.request_signature Document               its drafters (:func:`drafters`)
document.sign             Document                signer / agency leader of the issuing agency
document.decline          Document                as document.sign
document.release          Document                clerk of the issuing agency
document.upload_signed    Document                clerk / signer of the issuing agency
document.verify_signatures Document               admin; anyone of the issuing agency
document.export_edxml     Document                clerk of the issuing agency (edXML packet)
document.import_status    Document                clerk of the issuing agency (edXML status
                                                  packets of its recipients)
plan.import_basis         Plan                    as plan.edit (an incoming edXML packet as
                                                  the plan's legal basis)
exchange.post             None                    admin; a clerk (an exchange adapter posting
                                                  edXML packets to /api/v1/edxml)
api.read                  —                       a reporter, agency leader, specialist or admin
                                                  (the API's reads, each scoped as the pages by
                                                  app.services.access): a token with only the
                                                  clerk's role is an exchange adapter, which
                                                  posts edXML packets and reads nothing
exchange.receive_document list[Agency]            admin; clerk of an addressed agency (an
                                                  incoming edXML document packet)
========================  ======================  ============================================

Transitions are also guarded by the workflow tables (states, reasons); for documents the flow's
drafter guard reads :func:`drafters` from here, so both answer the same. :data:`TRANSITIONS`
names the action behind each workflow trigger: a trigger a flow allows is exactly one the policy
allows (tests/services/test_policy.py checks it for every role and agency, and the route matrix
can ask ``can(user, TRANSITIONS[flow][trigger], obj)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import ColumnElement, and_, false, or_, select, true

from app.extensions import db
from app.models import (
    Document,
    DocumentKind,
    Extension,
    Plan,
    Report,
    ReportingPeriod,
    ReportStatus,
    User,
)
from app.services.exceptions import NotAllowed


def N_(message: str) -> str:
    """Mark for extraction; translated when the refusal is raised."""
    return message


@dataclass(frozen=True)
class PlanScope:
    """A plan that does not exist yet (create, import): the agencies it names."""

    issuer_id: int | None
    standing_agency_id: int | None


@dataclass(frozen=True)
class PeriodAgency:
    """An agency acting in a reporting period (start a report, ask for an extension)."""

    period: ReportingPeriod
    agency_id: int | None


Rule = Callable[[User, Any], bool]

ADMIN_ONLY = N_("Chỉ quản trị viên được làm việc này.")
PLAN_OWNERS = N_("Chỉ chuyên viên của cơ quan ban hành hoặc thường trực được sửa kế hoạch.")
PLAN_CREATE = N_(
    "Chuyên viên chỉ tạo hoặc nhập kế hoạch do cơ quan mình ban hành hoặc thường trực."
)
STANDING = N_("Chỉ chuyên viên của cơ quan thường trực được làm việc này.")
ASSIGNED = N_("Cơ quan của bạn không được giao báo cáo trong kế hoạch này.")
OWN_REPORT = N_("Bạn không được sửa báo cáo của cơ quan khác.")
READ_REPORT = N_("Không tìm thấy hoặc bạn không có quyền xem.")


def is_admin(user: User | None) -> bool:
    return user is not None and user.has_role("admin")


def _in(user: User, agency_id: int | None, *roles: str) -> bool:
    return agency_id is not None and user.agency_id == agency_id and user.has_role(*roles)


def signs_for(user: User, agency_id: int | None) -> bool:
    """May ``user`` sign the documents of agency ``agency_id`` (``document.sign``; the admin's
    signing page lists these users as the agency's possible signers)."""
    return _in(user, agency_id, "signer", "agency_leader")


def _any_of(*roles: str) -> Rule:
    """A rule on no object: the user has one of ``roles`` (a page or menu of that role)."""
    return lambda u, _: u.has_role(*roles)


def _standing(user: User, plan: Plan) -> bool:
    return _in(user, plan.standing_agency_id, "specialist")


def _plan_owner(user: User, issuer_id: int | None, standing_id: int | None) -> bool:
    return user.has_role("specialist") and user.agency_id in {issuer_id, standing_id} - {None}


def _assigned(period: ReportingPeriod, agency_id: int | None) -> bool:
    plan = period.plan
    return any(
        a.agency_id == agency_id and plan.requires_report(a, period) for a in plan.assignments
    )


def drafters(doc: Document) -> tuple[set[int], tuple[str, ...]]:
    """Who drafts ``doc`` and sends it for signature: (agency ids, roles). An agency's own report
    is drafted by its reporter or leader; every other kind by the specialists of the issuing
    agency and, for a plan's documents, of the plan's issuer and standing agency (which drafts
    for its steering committee). Never a reporter of another document's plan."""
    if doc.kind == DocumentKind.REPORT:
        return {doc.agency_id}, ("reporter", "agency_leader")
    agencies = {doc.agency_id}
    plan = db.session.get(Plan, doc.plan_id) if doc.plan_id else None
    if plan is not None:
        agencies |= {plan.issuer_id, plan.standing_agency_id}
    return {a for a in agencies if a is not None}, ("specialist",)


def _is_drafter(user: User, doc: Document) -> bool:
    agencies, roles = drafters(doc)
    return user.agency_id in agencies and user.has_role(*roles)


def _report_read(user: User, report: Report) -> bool:
    if is_admin(user) or user.agency_id == report.agency_id:
        return True
    plan = report.plan
    if user.agency_id not in (plan.issuer_id, plan.standing_agency_id):
        return False
    # an agency's draft (and what waits on its own leader) stays with that agency
    return report.first_submitted_at is not None or report.status not in (
        ReportStatus.DRAFT,
        ReportStatus.AWAITING_APPROVAL,
    )


def _admin(user: User, obj: Any) -> bool:
    return is_admin(user)


RULES: dict[str, tuple[Rule, str]] = {
    "admin.area": (_admin, ADMIN_ONLY),
    "agency.create": (_admin, N_("Chỉ quản trị viên được tạo cơ quan mới.")),
    "agency.edit": (_admin, N_("Chỉ quản trị viên được sửa thông tin cơ quan.")),
    "agency.retire": (_admin, ADMIN_ONLY),
    "group.edit": (_admin, N_("Chỉ quản trị viên được tạo hoặc sửa nhóm cơ quan.")),
    "user.manage": (_admin, ADMIN_ONLY),
    "calendar.edit": (_admin, ADMIN_ONLY),
    "template.upload": (_admin, ADMIN_ONLY),
    "api_token.manage": (
        _admin,
        N_("Chỉ quản trị hệ thống được tạo hoặc thu hồi mã truy cập API."),
    ),
    "plan.write": (
        _any_of("specialist", "admin"),
        N_("Chỉ chuyên viên hoặc quản trị viên được soạn hoặc nhập kế hoạch."),
    ),
    "plan.create": (
        lambda u, s: is_admin(u) or _plan_owner(u, s.issuer_id, s.standing_agency_id),
        PLAN_CREATE,
    ),
    "plan.import": (
        lambda u, s: is_admin(u) or _plan_owner(u, s.issuer_id, s.standing_agency_id),
        PLAN_CREATE,
    ),
    "plan.edit": (
        lambda u, p: is_admin(u) or _plan_owner(u, p.issuer_id, p.standing_agency_id),
        PLAN_OWNERS,
    ),
    "plan.draft_document": (
        lambda u, p: is_admin(u) or _plan_owner(u, p.issuer_id, p.standing_agency_id),
        N_("Chỉ chuyên viên của cơ quan ban hành hoặc thường trực được soạn văn bản kế hoạch."),
    ),
    "plan.issue": (
        lambda u, p: _in(u, p.issuer_id, "clerk"),
        N_("Chỉ văn thư của cơ quan ban hành mới được ban hành kế hoạch."),
    ),
    "period.close": (lambda u, p: _standing(u, p.plan), STANDING),
    "period.reopen": (lambda u, p: _standing(u, p.plan), STANDING),
    "extension.decide": (lambda u, p: _standing(u, p.plan), STANDING),
    "extension.queue": (
        _any_of("specialist", "admin"),
        N_("Chỉ chuyên viên hoặc quản trị viên được xem các đề nghị gia hạn."),
    ),
    "report.work": (
        _any_of("reporter", "agency_leader"),
        N_("Chỉ cán bộ đầu mối hoặc lãnh đạo cơ quan được lập báo cáo."),
    ),
    "report.approvals": (
        _any_of("agency_leader"),
        N_("Chỉ lãnh đạo cơ quan được duyệt báo cáo."),
    ),
    "report.review_queue": (
        _any_of("specialist", "admin"),
        N_("Chỉ chuyên viên hoặc quản trị viên được xem báo cáo chờ xem xét."),
    ),
    "extension.request": (
        lambda u, pa: (
            u.has_role("reporter", "agency_leader")
            and u.agency_id == pa.agency_id
            and _assigned(pa.period, pa.agency_id)
        ),
        N_("Chỉ cơ quan được giao báo cáo mới được đề nghị gia hạn."),
    ),
    "report.start": (
        lambda u, pa: (
            u.has_role("reporter", "agency_leader")
            and u.agency_id == pa.agency_id
            and _assigned(pa.period, pa.agency_id)
        ),
        ASSIGNED,
    ),
    "report.edit": (lambda u, r: _in(u, r.agency_id, "reporter", "agency_leader"), OWN_REPORT),
    "report.attach": (lambda u, r: _in(u, r.agency_id, "reporter", "agency_leader"), OWN_REPORT),
    "report.read": (_report_read, READ_REPORT),
    "report.submit": (lambda u, r: _in(u, r.agency_id, "reporter", "agency_leader"), OWN_REPORT),
    "report.approve": (
        lambda u, r: _in(u, r.agency_id, "agency_leader"),
        N_("Chỉ lãnh đạo cơ quan báo cáo mới được duyệt hoặc trả lại báo cáo."),
    ),
    "report.draft_document": (
        lambda u, r: _in(u, r.agency_id, "reporter", "agency_leader"),
        N_("Chỉ cán bộ đầu mối hoặc lãnh đạo của cơ quan báo cáo được soạn văn bản báo cáo."),
    ),
    "report.review": (
        lambda u, r: _standing(u, r.plan),
        N_("Chỉ chuyên viên của cơ quan thường trực mới được xem xét báo cáo này."),
    ),
    "consolidation.run": (
        lambda u, p: is_admin(u) or _standing(u, p.plan),
        N_("Chỉ chuyên viên của cơ quan thường trực được tổng hợp."),
    ),
    "consolidation.draft": (
        lambda u, p: is_admin(u) or _standing(u, p.plan),
        N_("Chỉ chuyên viên của cơ quan thường trực được tổng hợp."),
    ),
    "consolidation.edit_report": (
        lambda u, p: is_admin(u) or _standing(u, p.plan),
        N_(
            "Chỉ chuyên viên của cơ quan thường trực được sửa nơi nhận và phần đánh giá của báo "
            "cáo tổng hợp."
        ),
    ),
    "reminder.draft": (
        lambda u, p: _standing(u, p.plan),
        N_("Chỉ chuyên viên của cơ quan thường trực được soạn công văn đôn đốc."),
    ),
    "document.list": (
        _any_of("specialist", "signer", "clerk", "agency_leader", "admin"),
        N_("Chỉ chuyên viên, lãnh đạo, văn thư hoặc quản trị viên có mục Văn bản."),
    ),
    "document.register": (
        _any_of("clerk", "signer", "admin"),
        N_("Chỉ văn thư, lãnh đạo ký hoặc quản trị viên được xem sổ văn bản đi."),
    ),
    "document.request_signature": (
        _is_drafter,
        N_("Chỉ người soạn thảo của cơ quan ban hành mới được trình ký văn bản này."),
    ),
    "document.sign": (
        lambda u, d: signs_for(u, d.agency_id),
        N_("Chỉ lãnh đạo của cơ quan ban hành mới được ký văn bản này."),
    ),
    "document.decline": (
        lambda u, d: signs_for(u, d.agency_id),
        N_("Chỉ lãnh đạo của cơ quan ban hành mới được ký văn bản này."),
    ),
    "document.release": (
        lambda u, d: _in(u, d.agency_id, "clerk"),
        N_("Chỉ văn thư của cơ quan ban hành mới được cấp số và phát hành văn bản."),
    ),
    "document.upload_signed": (
        lambda u, d: _in(u, d.agency_id, "clerk", "signer"),
        N_("Chỉ văn thư hoặc lãnh đạo của cơ quan ban hành được tải bản đã ký."),
    ),
    "document.verify_signatures": (
        lambda u, d: is_admin(u) or u.agency_id == d.agency_id,
        N_("Chỉ người của cơ quan ban hành được yêu cầu kiểm tra lại chữ ký số."),
    ),
    "document.export_edxml": (
        lambda u, d: _in(u, d.agency_id, "clerk"),
        N_("Chỉ văn thư của cơ quan ban hành được gửi văn bản qua trục liên thông (edXML)."),
    ),
    "document.import_status": (
        lambda u, d: _in(u, d.agency_id, "clerk"),
        N_("Chỉ văn thư của cơ quan ban hành được nhập trạng thái xử lý của nơi nhận."),
    ),
    "plan.import_basis": (
        lambda u, p: is_admin(u) or _plan_owner(u, p.issuer_id, p.standing_agency_id),
        PLAN_OWNERS,
    ),
    "exchange.post": (
        lambda u, _: is_admin(u) or u.has_role("clerk"),
        N_("Chỉ văn thư (mã truy cập có quyền văn thư) được gửi gói edXML qua trục liên thông."),
    ),
    "api.read": (
        _any_of("reporter", "agency_leader", "specialist", "admin"),
        N_(
            "Mã truy cập chỉ có quyền văn thư chỉ dùng để gửi gói edXML qua trục liên thông, "
            "không đọc dữ liệu."
        ),
    ),
    "exchange.receive_document": (
        lambda u, agencies: is_admin(u) or any(_in(u, a.id, "clerk") for a in agencies),
        N_("Chỉ văn thư của cơ quan nhận được nhận văn bản gửi qua trục liên thông."),
    ),
}

ACTIONS = frozenset(RULES)


# -- the same rules in SQL ---------------------------------------------------------------------
#
# The work queues count and list in the database the objects a user may act on (a badge on every
# page cannot afford to load and ask about a hundred rows). ``WHERE`` is the rule of ``RULES``
# above for those actions, written once more as a clause on the action's object table; each is
# proved equal to ``can`` on random worlds (tests/dashboard/test_queue_sql.py). A user the rules
# refuse whatever the object (inactive) selects nothing; the system (None) selects everything.


def _in_sql(user: User, column: Any, *roles: str) -> ColumnElement[bool]:
    """SQL of ``_in``: ``column`` is the user's agency and the user has one of ``roles``."""
    if user.agency_id is None or not user.has_role(*roles):
        return false()
    return column == user.agency_id


def _standing_plans(user: User) -> Any:
    """Ids of the plans whose standing agency's specialist ``user`` is (SQL of ``_standing``)."""
    return select(Plan.id).where(_in_sql(user, Plan.standing_agency_id, "specialist"))


def _drafter_sql(user: User) -> ColumnElement[bool]:
    """SQL of ``_is_drafter`` on ``Document`` (``drafters``: an agency's report by its reporter
    or leader; other kinds by the specialists of the issuer, and of a plan's issuer and
    standing agency)."""
    own_report = and_(
        Document.kind == DocumentKind.REPORT,
        _in_sql(user, Document.agency_id, "reporter", "agency_leader"),
    )
    if not user.has_role("specialist"):
        return own_report
    plans_of_agency = select(Plan.id).where(
        or_(Plan.issuer_id == user.agency_id, Plan.standing_agency_id == user.agency_id)
    )
    other = and_(
        Document.kind != DocumentKind.REPORT,
        or_(Document.agency_id == user.agency_id, Document.plan_id.in_(plans_of_agency)),
    )
    return or_(own_report, other)


WHERE: dict[str, Callable[[User], ColumnElement[bool]]] = {
    # on Report
    "report.edit": lambda u: _in_sql(u, Report.agency_id, "reporter", "agency_leader"),
    "report.submit": lambda u: _in_sql(u, Report.agency_id, "reporter", "agency_leader"),
    "report.approve": lambda u: _in_sql(u, Report.agency_id, "agency_leader"),
    "report.review": lambda u: Report.plan_id.in_(_standing_plans(u)),
    # on ReportingPeriod; on Extension, its period's (``extension.decide`` takes the period)
    "extension.decide": lambda u: ReportingPeriod.plan_id.in_(_standing_plans(u)),
    "extension.decide@extension": lambda u: Extension.period_id.in_(
        select(ReportingPeriod.id).where(ReportingPeriod.plan_id.in_(_standing_plans(u)))
    ),
    # on Document
    "document.request_signature": _drafter_sql,
    "document.sign": lambda u: _in_sql(u, Document.agency_id, "signer", "agency_leader"),
    "document.decline": lambda u: _in_sql(u, Document.agency_id, "signer", "agency_leader"),
    "document.release": lambda u: _in_sql(u, Document.agency_id, "clerk"),
}


def where(user: User | None, action: str) -> ColumnElement[bool]:
    """The objects ``user`` may do ``action`` on, as a WHERE clause on the action's table (the
    SQL of ``can``; ``extension.decide@extension``: on ``Extension``, by its period's plan)."""
    if user is None:
        return true()
    if getattr(user, "is_authenticated", True) is False or not getattr(user, "active", True):
        return false()
    return WHERE[action](user)


# the action behind each workflow trigger (flow → trigger → action); system triggers have none
TRANSITIONS: dict[str, dict[str, str]] = {
    "plan": {"issue": "plan.issue"},
    "round": {"close": "period.close"},
    "report": {
        "submit_for_approval": "report.submit",
        "send_back": "report.approve",
        "approve": "report.approve",
        "resubmit": "report.approve",
        "return_for_revision": "report.review",
        "accept": "report.review",
    },
    "document": {
        "request_signature": "document.request_signature",
        "decline": "document.decline",
        "sign": "document.sign",
        "release": "document.release",
    },
}


def refusal(user: User | None, action: str, obj: Any = None) -> str | None:
    """Why ``user`` may not do ``action`` on ``obj`` (a translated sentence), or None if they
    may. An unknown action is a programming error (``KeyError``)."""
    rule, message = RULES[action]
    if user is None:  # the system: the CLI, seeds, jobs
        return None
    if getattr(user, "is_authenticated", True) is False or not getattr(user, "active", True):
        return gettext(message)
    return None if rule(user, obj) else gettext(message)


def can(user: User | None, action: str, obj: Any = None) -> bool:
    """May ``user`` do ``action`` on ``obj``? (for buttons and links)."""
    return refusal(user, action, obj) is None


def require(user: User | None, action: str, obj: Any = None) -> None:
    """Raise ``NotAllowed`` with the sentence unless ``user`` may do ``action`` on ``obj``."""
    reason = refusal(user, action, obj)
    if reason is not None:
        raise NotAllowed(reason)


def allowed(user: User | None, obj: Any, *actions: str) -> set[str]:
    """Which of ``actions`` ``user`` may do on ``obj`` (for a matrix test or a page's menu)."""
    return {a for a in actions if can(user, a, obj)}
