"""A small layer over ``transitions``: a flow wraps a row (anything with a ``status``) and the
acting user, decides whether a trigger may fire, and explains a refusal in a sentence.

Tables are data: each flow class lists ``STATES``, ``TRANSITIONS`` (dicts as ``transitions``
takes them, with ``conditions`` named as questions), ``GUARD_MESSAGES`` (the sentence shown when a
condition says no), ``STATE_LABELS`` and ``TRIGGER_LABELS`` (Vietnamese).

Asking (``refusal``, ``can``, ``allowed_triggers``) reads the table directly, in the order
``transitions`` would try it; the ``transitions`` machine is built only when a trigger fires
(building one costs ~0.3 ms, too much for a page asking about many rows). ``sources`` and
``guards`` give the table to the application, which writes the same questions in SQL for its
work queues (``app.services.workqueue``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Row:
    """One transition of a table: its source states and guards (name, the answer it needs)."""

    sources: frozenset[str] | None  # None: from any state ("*")
    dest: str
    conditions: tuple[tuple[str, bool], ...]


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class Flow:
    """Base for the workflows. Subclasses provide the tables and the guard methods."""

    NAME: ClassVar[str] = ""
    STATES: ClassVar[list[str]] = []
    TRANSITIONS: ClassVar[list[dict[str, Any]]] = []
    GUARD_MESSAGES: ClassVar[dict[str, str]] = {}
    STATE_LABELS: ClassVar[dict[str, str]] = {}
    TRIGGER_LABELS: ClassVar[dict[str, str]] = {}

    _tables: ClassVar[dict[type, dict[str, list[_Row]]]] = {}

    def __init__(self, subject: Any, actor: Actor | None, **facts: Any) -> None:
        if str(subject.status) not in self.STATES:
            raise ValueError(f"State '{subject.status}' is not a registered state.")
        self.subject = subject
        self.actor = actor
        self.facts = facts
        self._machine: Machine | None = None

    @property
    def machine(self) -> Machine:
        """The ``transitions`` machine over this flow, built the first time it is needed."""
        if self._machine is None:
            self._machine = Machine(
                model=self,
                states=self.STATES,
                transitions=self.TRANSITIONS,
                initial=str(self.subject.status),  # never let transitions reset a loaded row
                auto_transitions=False,
                model_override=True,
            )
        return self._machine

    # -- the table ---------------------------------------------------------------------------
    @classmethod
    def _table(cls) -> dict[str, list[_Row]]:
        """Trigger → its transitions in table order (read once per class)."""
        table = Flow._tables.get(cls)
        if table is None:
            table = {}
            for t in cls.TRANSITIONS:
                src = t["source"]
                conditions = [(c, True) for c in _names(t.get("conditions"))]
                conditions += [(c, False) for c in _names(t.get("unless"))]
                table.setdefault(t["trigger"], []).append(
                    _Row(
                        None if src == "*" else frozenset(_names(src)),
                        t["dest"],
                        tuple(conditions),
                    )
                )
            Flow._tables[cls] = table
        return table

    @classmethod
    def sources(cls, trigger: str) -> list[str]:
        """The states ``trigger`` may fire from, in ``STATES`` order."""
        rows = cls._table()[trigger]
        return [s for s in cls.STATES if any(r.sources is None or s in r.sources for r in rows)]

    @classmethod
    def guards(cls, trigger: str) -> list[str]:
        """The questions ``trigger`` asks (all of them must answer as the table says). A
        trigger whose transitions ask different questions per source is refused: the
        application's SQL copy of a queue needs one list."""
        rows = cls._table()[trigger]
        asked = {r.conditions for r in rows}
        if len(asked) != 1:
            raise ValueError(f"{cls.__name__}.{trigger}: guards differ between its transitions")
        return [name for name, target in rows[0].conditions if target]

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
        rows = self._table().get(trigger)
        if rows is None:
            return f"Không có thao tác “{label}”."
        here = self.state
        candidates = [r for r in rows if r.sources is None or here in r.sources]
        if not candidates:
            state = self.STATE_LABELS.get(here, here)
            return f"Không thể {label.lower()} khi {self._noun()} đang ở trạng thái “{state}”."
        first_no: str | None = None
        for transition in candidates:
            failed: list[str] = []
            for name, target in transition.conditions:
                if bool(getattr(self, name)()) != target:
                    failed.append(name)
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
