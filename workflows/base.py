"""A small layer over ``transitions``: a flow wraps a row (anything with a ``status``) and the
acting user, decides whether a trigger may fire, and explains a refusal in a sentence.

Tables are data: each flow class lists ``STATES``, ``TRANSITIONS`` (dicts as ``transitions``
takes them, with ``conditions`` named as questions), ``GUARD_MESSAGES`` (the sentence shown when a
condition says no), ``STATE_LABELS`` and ``TRIGGER_LABELS`` (Vietnamese).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Protocol

from transitions import Machine

from workflows.exceptions import TransitionRefused


def N_(message: str) -> str:
    """Mark a label or message for translation. The flows stay free of Flask: the application
    translates the Vietnamese text where it shows it (msgid = the Vietnamese text)."""
    return message


# the flows keep their own names (state, triggers called through events): binding notices are noise
logging.getLogger("transitions.core").setLevel(logging.ERROR)


class Actor(Protocol):
    """The user acting. ``agency_id`` is their agency; ``has_role`` tests role names."""

    id: int
    agency_id: int

    def has_role(self, *roles: str) -> bool: ...


class Flow:
    """Base for the workflows. Subclasses provide the tables and the guard methods."""

    NAME: ClassVar[str] = ""
    STATES: ClassVar[list[str]] = []
    TRANSITIONS: ClassVar[list[dict[str, Any]]] = []
    GUARD_MESSAGES: ClassVar[dict[str, str]] = {}
    STATE_LABELS: ClassVar[dict[str, str]] = {}
    TRIGGER_LABELS: ClassVar[dict[str, str]] = {}

    def __init__(self, subject: Any, actor: Actor | None, **facts: Any) -> None:
        self.subject = subject
        self.actor = actor
        self.facts = facts
        self.machine = Machine(
            model=self,
            states=self.STATES,
            transitions=self.TRANSITIONS,
            initial=str(subject.status),  # never let transitions reset a loaded row
            auto_transitions=False,
            model_override=True,
        )

    # the machine's state is the row's status
    @property
    def state(self) -> str:
        return str(self.subject.status)

    @state.setter
    def state(self, value: str) -> None:
        self.subject.status = value

    # -- asking ------------------------------------------------------------------------------
    def refusal(self, trigger: str) -> str | None:
        """The sentence explaining why ``trigger`` may not fire now, or None if it may."""
        label = self.TRIGGER_LABELS.get(trigger, trigger)
        if trigger not in self.machine.events:
            return f"Không có thao tác “{label}”."
        candidates = self.machine.get_transitions(trigger=trigger, source=self.state)
        if not candidates:
            state = self.STATE_LABELS.get(self.state, self.state)
            return f"Không thể {label.lower()} khi {self._noun()} đang ở trạng thái “{state}”."
        first_no: str | None = None
        for transition in candidates:
            failed: list[str] = []
            for c in transition.conditions:
                assert isinstance(c.func, str), "guards are named methods (questions)"
                if bool(getattr(self, c.func)()) != c.target:
                    failed.append(c.func)
            if not failed:
                return None
            first_no = first_no or failed[0]
        assert first_no is not None
        return self.GUARD_MESSAGES.get(first_no, f"Không thể {label.lower()} lúc này.")

    def can(self, trigger: str) -> bool:
        return self.refusal(trigger) is None

    def allowed_triggers(self) -> list[str]:
        """Triggers this actor may fire now, in table order (for showing buttons)."""
        seen: list[str] = []
        for t in self.TRANSITIONS:
            trig = t["trigger"]
            if trig not in seen and self.can(trig):
                seen.append(trig)
        return seen

    # -- acting -----------------------------------------------------------------------------
    def fire(self, trigger: str) -> tuple[str, str]:
        """Fire ``trigger`` or raise ``TransitionRefused``; returns (from, to)."""
        reason = self.refusal(trigger)
        if reason is not None:
            raise TransitionRefused(reason, trigger=trigger, state=self.state)
        before = self.state
        if not self.machine.events[trigger].trigger(self):
            raise TransitionRefused(
                f"Không thể {self.TRIGGER_LABELS.get(trigger, trigger).lower()} lúc này.",
                trigger=trigger,
                state=before,
            )
        return before, self.state

    def _noun(self) -> str:
        return self.NAME

    # -- shared guards -----------------------------------------------------------------------
    def _actor_in(self, agency_id: int | None, *roles: str) -> bool:
        return (
            self.actor is not None
            and agency_id is not None
            and self.actor.agency_id == agency_id
            and self.actor.has_role(*roles)
        )

    def has_reason(self) -> bool:
        return bool(str(self.facts.get("comment") or "").strip())
