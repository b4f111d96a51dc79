"""Workflow errors."""


class TransitionRefused(Exception):
    """A trigger that may not fire now. ``str(exc)`` is a sentence for the user (Vietnamese)."""

    def __init__(self, message: str, *, trigger: str = "", state: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.trigger = trigger
        self.state = state
