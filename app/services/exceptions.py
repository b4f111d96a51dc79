"""Service errors. Each carries a sentence for the user (Vietnamese)."""

from workflows.exceptions import TransitionRefused


class ServiceError(Exception):
    """Base: ``str(exc)`` is shown to the user."""


class NotAllowed(ServiceError):
    """The user's agency or role may not see or do this (403)."""


class NotFound(ServiceError):
    """No such object, or not one this user may see (404)."""


class ConcurrentEdit(ServiceError):
    """Someone else saved this object after it was opened (409)."""


class InvalidInput(ServiceError):
    """Input refused; ``errors`` maps field → message."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


__all__ = [
    "ConcurrentEdit",
    "InvalidInput",
    "NotAllowed",
    "NotFound",
    "ServiceError",
    "TransitionRefused",
]
