"""The state machines on plain objects: no database."""

from dataclasses import dataclass, field

import pytest

from workflows import DocumentFlow, PlanFlow, ReportFlow, RoundFlow, TransitionRefused


@dataclass
class Actor:
    agency_id: int
    roles: set = field(default_factory=set)
    id: int = 1

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


@dataclass
class Row:
    status: str
    agency_id: int = 10
    issuer_id: int = 1
    standing_agency_id: int = 2


STANDING = 2
reporter = Actor(10, {"reporter"})
leader = Actor(10, {"agency_leader"})
other_reporter = Actor(11, {"reporter"})
specialist = Actor(STANDING, {"specialist"})
other_specialist = Actor(99, {"specialist"})


def flow(row, actor, **facts):
    return ReportFlow(row, actor, standing_agency_id=STANDING, **facts)


def test_report_full_path_with_one_return():
    row = Row("draft")
    assert flow(row, reporter).fire("submit_for_approval") == ("draft", "awaiting_approval")
    assert flow(row, leader).fire("approve") == ("awaiting_approval", "submitted")
    assert flow(row, specialist, comment="Thiếu số liệu").fire("return_for_revision") == (
        "submitted",
        "returned",
    )
    assert flow(row, leader).fire("resubmit") == ("returned", "submitted")
    assert flow(row, specialist).fire("accept") == ("submitted", "accepted")


def test_return_without_reason_is_refused_and_changes_nothing():
    row = Row("submitted")
    with pytest.raises(TransitionRefused) as exc:
        flow(row, specialist, comment="   ").fire("return_for_revision")
    assert "lý do" in str(exc.value)
    assert row.status == "submitted"


@pytest.mark.parametrize(
    ("status", "actor", "trigger", "words"),
    [
        ("draft", other_reporter, "submit_for_approval", "cán bộ đầu mối của cơ quan được giao"),
        ("awaiting_approval", reporter, "approve", "lãnh đạo của cơ quan được giao"),
        ("submitted", other_specialist, "accept", "chuyên viên của cơ quan thường trực"),
        ("draft", specialist, "accept", "đang ở trạng thái “Đang soạn”"),
        ("accepted", reporter, "submit_for_approval", "“Đã chấp nhận”"),
    ],
)
def test_illegal_triggers_are_refused_with_a_sentence(status, actor, trigger, words):
    row = Row(status)
    f = flow(row, actor, comment="x")
    assert not f.can(trigger)
    with pytest.raises(TransitionRefused) as exc:
        f.fire(trigger)
    assert words in str(exc.value)
    assert row.status == status


def test_locked_period_refuses_submission():
    row = Row("awaiting_approval")
    with pytest.raises(TransitionRefused, match="khóa"):
        flow(row, leader, locked=True).fire("approve")


def test_allowed_triggers_lists_only_what_the_actor_may_do():
    assert flow(Row("submitted"), specialist, comment="").allowed_triggers() == ["accept"]
    assert flow(Row("submitted"), specialist, comment="r").allowed_triggers() == [
        "return_for_revision",
        "accept",
    ]
    assert flow(Row("submitted"), reporter).allowed_triggers() == []


def test_loaded_row_keeps_its_state():
    row = Row("returned")
    f = flow(row, reporter)
    assert f.state == "returned" and row.status == "returned"


def test_plan_issue_needs_clerk_of_issuer_and_signature():
    clerk = Actor(1, {"clerk"})
    with pytest.raises(TransitionRefused, match="chưa được lãnh đạo ký"):
        PlanFlow(Row("draft"), clerk, document_signed=False).fire("issue")
    with pytest.raises(TransitionRefused, match="văn thư"):
        PlanFlow(Row("draft"), Actor(2, {"clerk"}), document_signed=True).fire("issue")
    row = Row("draft")
    assert PlanFlow(row, clerk, document_signed=True).fire("issue") == ("draft", "issued")


def test_round_close_only_after_deadline_by_standing_specialist():
    period = Row("open")
    with pytest.raises(TransitionRefused, match="Chưa hết hạn"):
        RoundFlow(period, specialist, standing_agency_id=STANDING, deadline_passed=False).fire(
            "close"
        )
    with pytest.raises(TransitionRefused, match="chuyên viên"):
        RoundFlow(period, reporter, standing_agency_id=STANDING, deadline_passed=True).fire("close")
    assert RoundFlow(period, specialist, standing_agency_id=STANDING, deadline_passed=True).fire(
        "close"
    ) == ("open", "reported")


def test_document_signing_roles():
    doc = Row("draft", agency_id=1)
    with pytest.raises(TransitionRefused):
        DocumentFlow(doc, Actor(1, {"clerk"})).fire("request_signature")
    DocumentFlow(doc, Actor(3, {"specialist"}), drafting_agency_ids=[3]).fire("request_signature")
    with pytest.raises(TransitionRefused, match="lãnh đạo"):
        DocumentFlow(doc, Actor(1, {"clerk"})).fire("sign")
    DocumentFlow(doc, Actor(1, {"signer"})).fire("sign")
    with pytest.raises(TransitionRefused, match="văn thư"):
        DocumentFlow(doc, Actor(1, {"signer"})).fire("release")
    DocumentFlow(doc, Actor(1, {"clerk"})).fire("release")
    assert doc.status == "released"
    with pytest.raises(TransitionRefused):
        DocumentFlow(doc, Actor(1, {"signer"}), comment="x").fire("decline")
