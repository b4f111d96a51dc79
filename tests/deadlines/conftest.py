from pathlib import Path

import pytest

from app.models import Plan
from app.services import calendar, loader

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ninh_thuan(db):
    """The Ninh Thuận plan over the real holiday calendar, with a lock 10 days after the deadline
    and one agency due 10 working days after the cut-off."""

    def load(**schedule) -> Plan:
        calendar.seed_years(range(2023, 2029))
        d = loader.parse_file(ROOT / "plans" / "ninh-thuan-2023-2028.yaml")
        d["schedule"].update(schedule)
        for a in d["assignments"]:
            if a["agency"] == "SNV-NT":
                a["due_working_days"] = 10
        return loader.load(d)

    return load
