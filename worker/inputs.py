"""The typed hand-over between the application and the document builders (issue 11, point 7).

:mod:`worker.context` reads the rows of a document and hands each builder of
:mod:`worker.contexts` one of these inputs; mypy checks that both sides name the same keys with
the same types. They are ``TypedDict``\\ s, i.e. plain dicts at run time: the samples and the
tests still pass literals, and what is stored as JSON (``DocumentVersion.context`` keeps the
*output* of a builder, not these inputs) is unchanged.

Keys marked ``NotRequired`` are optional for the builder (a default is printed when absent).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, NotRequired, TypedDict

from app.models.document import SignerEntry

Number = int | float | Decimal


Signer = SignerEntry  # who signs, as the signer block prints it (contexts.signer_block)


class AgencyInput(TypedDict):
    """An agency as the builders print it (docs/plan-format.md); the issuing one as the
    document's snapshot keeps it."""

    code: str
    name: str
    short_name: str | None
    abbreviation: str
    place: str
    level: str
    parent: str | None
    header_parent: str | None
    header_name: str | None


Agencies = dict[str, AgencyInput]


class DraftDate(TypedDict):
    """The month and year an unnumbered draft's date line shows."""

    draft_month: int
    draft_year: int


class _Common(TypedDict):
    """What every addressed document carries after its body: recipients, archive, signer and,
    for an unnumbered draft, the month and year its date line shows."""

    recipients: list[str]
    archive: str
    archive_copies: NotRequired[str]
    signer: Signer
    draft_month: NotRequired[int]
    draft_year: NotRequired[int]


# --------------------------------------------------------------------------- plan


class PlanInput(TypedDict):
    """A plan definition (docs/plan-format.md) as the plan's document prints it."""

    issuer: str  # the issuing agency's code
    type: str  # "KH"
    title: str
    legal_basis: NotRequired[list[str]]
    preamble: NotRequired[str]
    sections: NotRequired[list[dict[str, Any]]]  # heading, paragraphs, items, closing
    assignments: NotRequired[list[dict[str, Any]]]  # agency, label, tasks, inline, listed
    recipients: NotRequired[list[str]]
    archive: NotRequired[str]
    archive_copies: NotRequired[str]
    signer: Signer
    draft_month: NotRequired[int]
    draft_year: NotRequired[int]
    group_names: NotRequired[dict[str, str]]  # group code → name as the plan prints it


PLAN_KEYS = frozenset(PlanInput.__annotations__)


# --------------------------------------------------------------------------- report (one agency)


class ReportInput(_Common):
    agency: str  # the reporting agency's code
    plan_ref: str
    title: NotRequired[str]
    period: NotRequired[str]
    addressees: list[str]
    intro: NotRequired[str]
    fields: list[dict[str, Any]]  # the form's fields (docs/form-schema.md)
    answers: dict[str, Any]  # {field name: value}; a group: [{column: value}]
    closing: NotRequired[list[str]]


# --------------------------------------------------------------------------- consolidated report


class TimelinessRow(TypedDict):
    """One expected agency in the consolidated report's table. ``status``/``days``/``text`` are
    the status module's decision (app.services.status), printed as is."""

    agency: str
    due: date | None
    submitted_on: NotRequired[date | datetime | None]
    status: NotRequired[str | None]  # on_time | late | overdue | not_yet_due | not_required
    days: NotRequired[int | None]  # working days
    text: NotRequired[str | None]  # "Trễ 2 ngày làm việc"
    working_days_late: NotRequired[int | None]  # plain data without a status (samples)


class NumberResult(TypedDict):
    """A numeric field consolidated by sum, average, min, max, ratio, count or formula."""

    label: str
    short_label: NotRequired[str]
    unit: str
    rule: str
    value: Number | None
    target: NotRequired[Number | None]
    percent: NotRequired[Number | None]  # the consolidation's rate against the target
    per_agency: dict[str, Number | None]


class TextResult(TypedDict):
    """A long-text field listed by agency."""

    label: str
    per_agency: dict[str, str]


class NumberItem(NumberResult):
    kind: Literal["number"]


class CountLine(TypedDict):
    label: str
    count: int


class CountsItem(TypedDict):
    """A yes/no field or a choice field: how many agencies answered each way."""

    kind: Literal["counts"]
    label: str
    yesno: bool
    n: int
    counts: list[CountLine]


class RowsItem(TypedDict):
    """A repeating group: every agency's rows as one table (and a "Cộng" row of totals)."""

    kind: Literal["rows"]
    label: str
    short_label: str
    n: int
    columns: list[dict[str, Any]]  # the group's column fields
    rows: list[dict[str, Any]]  # {"agency": code, "display": {column: text}}
    totals: list[dict[str, Any]]  # {"name": column, "display": text}


class OtherItem(TypedDict):
    """A value stated as it is (a date's min/max, a count of answers)."""

    kind: Literal["other"]
    label: str
    display: str


GeneralItem = NumberItem | CountsItem | RowsItem | OtherItem


class ConsolidatedInput(_Common):
    """The consolidated report (docs: "Báo cáo tổng hợp"): its figures are the consolidation's
    (``forms.consolidate``), its timeliness the status module's."""

    agency: str  # the standing agency's code
    plan_ref: str
    title: NotRequired[str]
    period: NotRequired[str]
    addressees: list[str]
    intro: NotRequired[str]
    timeliness: list[TimelinessRow]
    results: list[NumberResult]
    texts: NotRequired[list[TextResult]]
    general: NotRequired[list[GeneralItem]]  # form order; default: the numeric results
    assessment: NotRequired[list[str]]
    next_steps: NotRequired[list[str]]
    proposals: NotRequired[list[str]]


# --------------------------------------------------------------------------- reminder (công văn)


class OverdueAgency(TypedDict):
    """An agency overdue on the day of the reminder, by the status module."""

    agency: str
    due: date
    days: NotRequired[int]
    text: NotRequired[str]


class ReminderInput(_Common):
    agency: str  # the issuing agency's code
    unit: str | None  # the drafting unit the clerk or drafter set; never a default
    plan_ref: str
    subject: NotRequired[str]
    overdue: list[OverdueAgency]
    new_due: date
    report_to: NotRequired[str]
    body: NotRequired[list[str]]
