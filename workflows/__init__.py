"""State machines as tables of transitions. No Flask, no SQLAlchemy."""

from workflows.document import DocumentFlow
from workflows.exceptions import TransitionRefused
from workflows.plan import PlanFlow, RoundFlow
from workflows.report import ReportFlow

__all__ = ["DocumentFlow", "PlanFlow", "ReportFlow", "RoundFlow", "TransitionRefused"]
