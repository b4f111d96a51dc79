"""Exceptions of the form engine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a schema.

    Attributes:
        path: where it is, e.g. ``fields[3].visible_if.field``.
        message: the reason, in Vietnamese, for the clerk who wrote the plan.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SchemaError(ValueError):
    """A form schema was refused; ``problems`` lists every reason found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class FormulaError(ValueError):
    """A computed field's formula is not plain arithmetic over field names (Vietnamese message)."""
