"""The one permission policy (issue 11 point 2) and the drafter guard (issue 10 item 7): the
services refuse what the policy refuses, and the flows' drafter guard answers as the policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.models import Role
from app.services import documents, loader, plans, policy
from app.services.exceptions import NotAllowed
from workflows import TransitionRefused

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def plan(db):  # noqa: ANN001, ANN201
    p = loader.load(loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml"))
    db.session.commit()
    return p


def test_every_action_is_documented_and_refusals_are_sentences(plan, people):
    doc = policy.__doc__ or ""
    for action in policy.ACTIONS:
        assert action in doc, action
    outsider = people(plan.assignments[3].agency, Role.SPECIALIST)
    reason = policy.refusal(outsider, "plan.edit", plan)
    assert reason and reason.endswith(".") and "chuyên viên" in reason
    with pytest.raises(NotAllowed, match="cơ quan ban hành hoặc thường trực"):
        plans.update_plan(plan, plan.definition, outsider, plan.version)
    assert policy.can(None, "plan.edit", plan)  # the system (CLI, seeds)


@pytest.mark.parametrize("role", [Role.REPORTER, Role.AGENCY_LEADER, Role.CLERK])
def test_only_drafting_specialists_send_a_consolidated_report_for_signature(plan, people, role):
    standing = plan.standing_agency
    specialist = people(standing, Role.SPECIALIST)
    doc = documents.create_document(
        "consolidated", standing, "Kết quả", specialist, plan=plan, render=False
    )
    other = people(standing, role)
    assert not policy.can(other, "document.request_signature", doc)
    with pytest.raises(TransitionRefused, match="người soạn thảo"):
        documents.transition(doc, "request_signature", other)
    assert doc.status == "draft"
    # a reporter of an assigned agency neither
    reporter = people(plan.assignments[2].agency, Role.REPORTER)
    with pytest.raises(TransitionRefused):
        documents.transition(doc, "request_signature", reporter)
    assert policy.can(specialist, "document.request_signature", doc)
    documents.transition(doc, "request_signature", specialist)
    assert doc.status == "awaiting_signature"


def test_the_flow_and_the_policy_agree_on_every_document_trigger(plan, people):
    """Each transition a flow allows is exactly the policy's (roles × agencies)."""
    standing, issuer = plan.standing_agency, plan.issuer
    other = plan.assignments[4].agency
    specialist = people(standing, Role.SPECIALIST)
    doc = documents.create_document("plan", issuer, plan.title, specialist, plan=plan, render=False)
    actions = {
        "request_signature": "document.request_signature",
    }
    for agency in (standing, issuer, other):
        for role in Role:
            user = people(agency, role)
            flow = documents.document_flow(doc, user)
            for trigger, action in actions.items():
                assert flow.can(trigger) == policy.can(user, action, doc), (agency, role, trigger)


def test_a_second_consolidated_draft_is_refused_once_one_went_for_signature(
    app, plan, people, db, client
):
    """Issue 11 point 2: the consolidation POST made a second draft after the first was sent
    for signature (its page did not offer it). The service refuses with the page's reason."""
    from datetime import date

    from app.services import clock, consolidation
    from app.services.exceptions import InvalidInput

    clock.set_now(date(2024, 11, 5))
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(plan.issuer, Role.SIGNER))
    documents.transition(
        doc, "release", people(plan.issuer, Role.CLERK), issued_on=date(2024, 11, 5)
    )
    period = plan.periods[0]
    # the order (docs/status.md): the round is closed first, then the report is drafted
    assert "chưa khóa sổ" in (consolidation.draft_refusal(period, specialist) or "")
    from app.services import plans

    plans.close_round(period, specialist, today=date(2025, 1, 2))
    first = consolidation.draft_consolidated_report(period, specialist)
    assert consolidation.draft_refusal(period, specialist) is None  # drafts may be redone
    documents.transition(first, "request_signature", specialist)
    db.session.commit()
    reason = consolidation.draft_refusal(period, specialist)
    assert reason and "đã được trình ký" in reason
    with pytest.raises(InvalidInput, match="đã được trình ký"):
        consolidation.draft_consolidated_report(period, specialist)
    reporter = people(plan.standing_agency, Role.REPORTER)
    with pytest.raises(NotAllowed):
        consolidation.draft_consolidated_report(period, reporter)
    clock.set_now(None)


def test_each_report_transition_a_flow_allows_is_exactly_the_policys(plan, people, db):
    """For every role of every kind of agency, in a state where the trigger applies, the flow
    allows the trigger exactly when the policy allows its action."""
    from app.services import reports

    agency = plan.reporting_assignments[0].agency
    others = (agency, plan.standing_agency, plan.issuer, plan.reporting_assignments[1].agency)
    period = plan.periods[0]
    period.status = "open"
    report = reports.start_report(plan, period, people(agency, Role.REPORTER))
    source = {
        "submit_for_approval": "draft",
        "send_back": "awaiting_approval",
        "approve": "awaiting_approval",
        "resubmit": "returned",
        "return_for_revision": "submitted",
        "accept": "submitted",
    }
    for trigger, action in policy.TRANSITIONS["report"].items():
        report.status = source[trigger]
        for a in others:
            for role in Role:
                user = people(a, role)
                flow = reports.report_flow(report, user, comment="lý do")
                assert flow.can(trigger) == policy.can(user, action, report), (
                    trigger,
                    a.code,
                    role,
                )


# the pages and menus of a role: verbs on no object, asked by the routes and the navigation
PAGE_VERBS = {
    "plan.write": {Role.SPECIALIST, Role.ADMIN},
    "report.work": {Role.REPORTER, Role.AGENCY_LEADER},
    "report.approvals": {Role.AGENCY_LEADER},
    "report.review_queue": {Role.SPECIALIST, Role.ADMIN},
    "extension.queue": {Role.SPECIALIST, Role.ADMIN},
    "document.list": {Role.SPECIALIST, Role.SIGNER, Role.CLERK, Role.AGENCY_LEADER, Role.ADMIN},
    "document.register": {Role.CLERK, Role.SIGNER, Role.ADMIN},
    "api_token.manage": {Role.ADMIN},
    "api.read": {Role.REPORTER, Role.AGENCY_LEADER, Role.SPECIALIST, Role.ADMIN},
}


def test_the_editor_and_its_previews_are_for_those_who_may_write_plans(plan, people) -> None:
    """``plan.write`` is decided by the policy and enforced by the services the editor's routes
    call (the live text preview, the document preview); creating a plan of one's own agency
    (``plan.create``) is never allowed to one who may not write plans."""
    from app.services import previews

    for agency in (plan.standing_agency, plan.issuer, plan.assignments[4].agency):
        for role in Role:
            user = people(agency, role)
            for action, roles in PAGE_VERBS.items():
                assert policy.can(user, action) == (role in roles), (action, role)
            writes = role in (Role.SPECIALIST, Role.ADMIN)
            scope = policy.PlanScope(agency.id, agency.id)
            assert not policy.can(user, "plan.create", scope) or writes, role
            if writes:
                assert "<strong>Đậm</strong>" in previews.text_html(user, "1. **Đậm**")
                continue
            with pytest.raises(NotAllowed, match="soạn hoặc nhập kế hoạch"):
                previews.text_html(user, "1. **Đậm**")
            with pytest.raises(NotAllowed, match="soạn hoặc nhập kế hoạch"):
                previews.request({"title": "x"}, user)


def test_no_route_template_or_page_helper_checks_a_role_itself() -> None:
    """One rule, one place: outside the services and the models, nothing asks a user's roles;
    the routes, the API, the page helpers and the templates ask the policy (``can``)."""
    app_dir = ROOT / "app"
    found = []
    for path in sorted(app_dir.rglob("*")):
        rel = path.relative_to(app_dir)
        if path.suffix not in (".py", ".html") or rel.parts[0] in ("services", "models"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "has_role(" in line or "current_user.roles" in line:
                found.append(f"app/{rel}:{n}: {line.strip()}")
    assert not found, "\n".join(found)
