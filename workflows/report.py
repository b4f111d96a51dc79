"""An agency's report:
draft → awaiting_approval → submitted → (returned → submitted)* → accepted."""

from __future__ import annotations

from workflows.base import N_, Flow


class ReportFlow(Flow):
    """Subject: a report with ``status`` and ``agency_id``.
    Facts: ``standing_agency_id``, ``comment``, ``period_open`` (the round still takes reports),
    ``locked`` (the period is locked for this agency)."""

    NAME = "báo cáo"
    STATES = ["draft", "awaiting_approval", "submitted", "returned", "accepted"]
    TRANSITIONS = [
        {
            "trigger": "submit_for_approval",
            "source": ["draft", "returned"],
            "dest": "awaiting_approval",
            "conditions": ["is_actor_agency_reporter", "is_round_open", "is_not_locked"],
        },
        {
            "trigger": "send_back",
            "source": "awaiting_approval",
            "dest": "draft",
            "conditions": ["is_actor_agency_leader", "has_reason"],
        },
        {
            "trigger": "approve",
            "source": "awaiting_approval",
            "dest": "submitted",
            "conditions": ["is_actor_agency_leader", "is_round_open", "is_not_locked"],
        },
        {
            "trigger": "resubmit",
            "source": "returned",
            "dest": "submitted",
            "conditions": ["is_actor_agency_leader", "is_round_open", "is_not_locked"],
        },
        {
            "trigger": "return_for_revision",
            "source": "submitted",
            "dest": "returned",
            "conditions": ["is_actor_standing_specialist", "has_reason"],
        },
        {
            "trigger": "accept",
            "source": "submitted",
            "dest": "accepted",
            "conditions": ["is_actor_standing_specialist"],
        },
    ]
    GUARD_MESSAGES = {
        "is_actor_agency_reporter": N_(
            "Chỉ cán bộ đầu mối của cơ quan được giao mới được trình báo cáo này."
        ),
        "is_actor_agency_leader": N_(
            "Chỉ lãnh đạo của cơ quan được giao mới được duyệt báo cáo này."
        ),
        "is_actor_standing_specialist": N_(
            "Chỉ chuyên viên của cơ quan thường trực mới được xem xét báo cáo này."
        ),
        "has_reason": N_("Vui lòng nêu lý do."),
        "is_round_open": N_("Kỳ báo cáo đã khóa sổ, không nhận thêm báo cáo."),
        "is_not_locked": N_(
            "Kỳ báo cáo đã bị khóa đối với cơ quan này; vui lòng đề nghị cơ quan "
            "thường trực mở lại."
        ),
    }
    STATE_LABELS = {
        "draft": N_("Đang soạn"),
        "awaiting_approval": N_("Chờ lãnh đạo cơ quan duyệt"),
        "submitted": N_("Đã gửi"),
        "returned": N_("Bị trả lại"),
        "accepted": N_("Đã chấp nhận"),
    }
    TRIGGER_LABELS = {
        "submit_for_approval": N_("Trình lãnh đạo duyệt"),
        "send_back": N_("Trả lại cán bộ soạn"),
        "approve": N_("Duyệt và gửi"),
        "resubmit": N_("Gửi lại"),
        "return_for_revision": N_("Trả lại để bổ sung"),
        "accept": N_("Chấp nhận"),
    }

    def is_actor_agency_reporter(self) -> bool:
        return self._actor_in(self.subject.agency_id, "reporter", "agency_leader")

    def is_actor_agency_leader(self) -> bool:
        return self._actor_in(self.subject.agency_id, "agency_leader")

    def is_actor_standing_specialist(self) -> bool:
        return self._actor_in(self.facts.get("standing_agency_id"), "specialist")

    def is_round_open(self) -> bool:
        return bool(self.facts.get("period_open", True))

    def is_not_locked(self) -> bool:
        return not self.facts.get("locked", False)
