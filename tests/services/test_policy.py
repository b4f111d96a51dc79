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
