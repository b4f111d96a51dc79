"""Names of things as a civil servant says them, computed in one place (no database access)."""

from __future__ import annotations

from typing import Any


def report_name(report_or_period: Any) -> str:
    """ "Báo cáo năm 2025", "Báo cáo quý 1 năm 2025"; a round already labelled "Báo cáo kết quả"
    keeps its label (never "Báo cáo báo cáo kết quả")."""
    period = getattr(report_or_period, "period", report_or_period)
    label = str(period.label)
    if label.lower().startswith("báo cáo"):
        return label
    return f"Báo cáo {label[:1].lower()}{label[1:]}"


def plan_name(plan: Any) -> str:
    """ "Kế hoạch số 01/KH-UBND", or the title of a plan without a number yet."""
    return f"Kế hoạch số {plan.symbol}" if plan.symbol else f"Kế hoạch “{plan.title}”"
