"""The plan and the reporting round (one per period).

Plan: draft → issued → in_progress → reported → consolidated.
Round (ReportingPeriod): pending → open → reported → consolidated.
"""

from __future__ import annotations

from workflows.base import N_, Flow

SYSTEM = "system"  # facts["system"] = True when the system itself fires (no actor check)


class PlanFlow(Flow):
    """Subject: a plan with ``status``, ``issuer_id``, ``standing_agency_id``.
    Facts: ``document_signed`` (the plan document is signed), ``all_periods_reported``,
    ``all_periods_consolidated``, ``system``."""

    NAME = "kế hoạch"
    STATES = ["draft", "issued", "in_progress", "reported", "consolidated"]
    TRANSITIONS = [
        {
            "trigger": "issue",
            "source": "draft",
            "dest": "issued",
            "conditions": ["is_actor_issuer_clerk", "is_document_signed"],
        },
        {
            "trigger": "start",
            "source": "issued",
            "dest": "in_progress",
            "conditions": ["is_system"],
        },
        {
            "trigger": "mark_reported",
            "source": "in_progress",
            "dest": "reported",
            "conditions": ["is_system", "are_all_periods_reported"],
        },
        {
            "trigger": "mark_consolidated",
            "source": "reported",
            "dest": "consolidated",
            "conditions": ["is_system", "are_all_periods_consolidated"],
        },
    ]
    GUARD_MESSAGES = {
        "is_actor_issuer_clerk": N_(
            "Chỉ văn thư của cơ quan ban hành mới được cấp số và phát hành kế hoạch."
        ),
        "is_document_signed": N_("Kế hoạch chưa được lãnh đạo ký nên chưa thể phát hành."),
        "is_system": N_("Thao tác này do hệ thống tự thực hiện."),
        "are_all_periods_reported": N_("Còn kỳ báo cáo chưa hoàn thành."),
        "are_all_periods_consolidated": N_("Còn kỳ báo cáo chưa được tổng hợp."),
    }
    STATE_LABELS = {
        "draft": N_("Dự thảo"),
        "issued": N_("Đã ban hành"),
        "in_progress": N_("Đang thực hiện"),
        "reported": N_("Đã nhận đủ báo cáo"),
        "consolidated": N_("Đã tổng hợp"),
    }
    TRIGGER_LABELS = {
        "issue": N_("Ban hành"),
        "start": N_("Bắt đầu thực hiện"),
        "mark_reported": N_("Ghi nhận đã đủ báo cáo"),
        "mark_consolidated": N_("Ghi nhận đã tổng hợp"),
    }

    def is_actor_issuer_clerk(self) -> bool:
        return self._actor_in(self.subject.issuer_id, "clerk")

    def is_document_signed(self) -> bool:
        return bool(self.facts.get("document_signed"))

    def is_system(self) -> bool:
        return bool(self.facts.get(SYSTEM))

    def are_all_periods_reported(self) -> bool:
        return bool(self.facts.get("all_periods_reported"))

    def are_all_periods_consolidated(self) -> bool:
        return bool(self.facts.get("all_periods_consolidated"))


class RoundFlow(Flow):
    """Subject: a reporting period with ``status``; facts: ``standing_agency_id``,
    ``all_accepted``, ``deadline_passed``, ``plan_issued``, ``consolidation_released``,
    ``system``."""

    NAME = "kỳ báo cáo"
    STATES = ["pending", "open", "reported", "consolidated"]
    TRANSITIONS = [
        {
            "trigger": "open",
            "source": "pending",
            "dest": "open",
            "conditions": ["is_system", "is_plan_issued"],
        },
        {
            "trigger": "complete",
            "source": "open",
            "dest": "reported",
            "conditions": ["is_system", "are_all_accepted"],
        },
        {
            "trigger": "close",
            "source": "open",
            "dest": "reported",
            "conditions": ["is_actor_standing_specialist", "is_deadline_passed"],
        },
        {
            "trigger": "consolidate",
            "source": "reported",
            "dest": "consolidated",
            "conditions": ["is_system", "is_consolidation_released"],
        },
    ]
    GUARD_MESSAGES = {
        "is_system": N_("Thao tác này do hệ thống tự thực hiện."),
        "is_plan_issued": N_("Kế hoạch chưa được ban hành."),
        "are_all_accepted": N_("Chưa phải tất cả báo cáo đều đã được chấp nhận."),
        "is_actor_standing_specialist": N_(
            "Chỉ chuyên viên của cơ quan thường trực mới được khóa sổ kỳ báo cáo."
        ),
        "is_deadline_passed": N_("Chưa hết hạn gửi báo cáo nên chưa thể khóa sổ kỳ này."),
        "is_consolidation_released": N_("Báo cáo tổng hợp chưa được ký và phát hành."),
    }
    STATE_LABELS = {
        "pending": N_("Chưa đến kỳ"),
        "open": N_("Đang nhận báo cáo"),
        "reported": N_("Đã khóa sổ"),
        "consolidated": N_("Đã tổng hợp"),
    }
    TRIGGER_LABELS = {
        "open": N_("Mở kỳ báo cáo"),
        "complete": N_("Ghi nhận đủ báo cáo"),
        "close": N_("Khóa sổ kỳ báo cáo"),
        "consolidate": N_("Ghi nhận đã tổng hợp"),
    }

    def is_system(self) -> bool:
        return bool(self.facts.get(SYSTEM))

    def is_plan_issued(self) -> bool:
        return bool(self.facts.get("plan_issued"))

    def are_all_accepted(self) -> bool:
        return bool(self.facts.get("all_accepted"))

    def is_actor_standing_specialist(self) -> bool:
        return self._actor_in(self.facts.get("standing_agency_id"), "specialist")

    def is_deadline_passed(self) -> bool:
        return bool(self.facts.get("deadline_passed"))

    def is_consolidation_released(self) -> bool:
        return bool(self.facts.get("consolidation_released"))
