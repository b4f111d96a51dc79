"""A document's signing life: draft → awaiting_signature → signed → released."""

from __future__ import annotations

from workflows.base import N_, Flow


class DocumentFlow(Flow):
    """Subject: a document with ``status`` and ``agency_id`` (the issuing agency).
    Facts: ``comment``, ``content_changed`` (set by the service when the source data changed),
    ``drafting_agency_ids`` (agencies that may draft for the issuer, e.g. the standing agency
    drafting a plan its steering committee issues) and ``drafter_roles`` (the roles that draft
    this kind; specialists unless told) — both from the application's policy
    (``app.services.policy.drafters``)."""

    NAME = "văn bản"
    STATES = ["draft", "awaiting_signature", "signed", "released"]
    TRANSITIONS = [
        {
            "trigger": "request_signature",
            "source": "draft",
            "dest": "awaiting_signature",
            "conditions": ["is_actor_drafter"],
        },
        {
            "trigger": "decline",
            "source": "awaiting_signature",
            "dest": "draft",
            "conditions": ["is_actor_signer", "has_reason"],
        },
        {
            "trigger": "withdraw",
            "source": "awaiting_signature",
            "dest": "draft",
            "conditions": ["is_actor_drafter"],
        },
        {
            # the data the document is made from changed (e.g. its plan was edited): the frozen
            # content is stale, so the document goes back to draft and is rendered again
            "trigger": "content_changed",
            "source": "awaiting_signature",
            "dest": "draft",
            "conditions": ["is_content_changed"],
        },
        {
            "trigger": "sign",
            "source": "awaiting_signature",
            "dest": "signed",
            "conditions": ["is_actor_signer"],
        },
        {
            "trigger": "release",
            "source": "signed",
            "dest": "released",
            "conditions": ["is_actor_clerk"],
        },
    ]
    GUARD_MESSAGES = {
        "is_actor_drafter": N_(
            "Chỉ người soạn thảo của cơ quan ban hành mới được trình ký văn bản này."
        ),
        "is_actor_signer": N_("Chỉ lãnh đạo của cơ quan ban hành mới được ký văn bản này."),
        "is_actor_clerk": N_(
            "Chỉ văn thư của cơ quan ban hành mới được cấp số và phát hành văn bản."
        ),
        "has_reason": N_("Vui lòng nêu lý do."),
        "is_content_changed": N_("Nội dung văn bản không thay đổi."),
    }
    STATE_LABELS = {
        "draft": N_("Dự thảo"),
        "awaiting_signature": N_("Chờ ký"),
        "signed": N_("Đã ký"),
        "released": N_("Đã phát hành"),
    }
    TRIGGER_LABELS = {
        "request_signature": N_("Trình ký"),
        "decline": N_("Trả lại dự thảo"),
        "withdraw": N_("Rút lại để sửa"),
        "content_changed": N_("Trở về dự thảo do dữ liệu thay đổi"),
        "sign": N_("Ký"),
        "release": N_("Cấp số và phát hành"),
    }

    def is_actor_drafter(self) -> bool:
        agencies = {self.subject.agency_id, *self.facts.get("drafting_agency_ids", ())}
        roles = tuple(self.facts.get("drafter_roles", ("specialist",)))
        return any(self._actor_in(a, *roles) for a in agencies)

    def is_content_changed(self) -> bool:
        return bool(self.facts.get("content_changed"))

    def is_actor_signer(self) -> bool:
        return self._actor_in(self.subject.agency_id, "signer", "agency_leader")

    def is_actor_clerk(self) -> bool:
        return self._actor_in(self.subject.agency_id, "clerk")
