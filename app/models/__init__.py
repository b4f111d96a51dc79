"""All models, importable from one place."""

from app.models.agency import ROLE_LABELS, Agency, AgencyGroup, AgencySigner, Role, User
from app.models.api_token import ApiToken
from app.models.audit import AuditEvent
from app.models.calendar import CalendarDay
from app.models.deadline import Extension, ExtensionStatus, Notification, Reminder, Reopen
from app.models.document import (
    KIND_TYPE_ABBR,
    Document,
    DocumentKind,
    DocumentSnapshot,
    DocumentStatus,
    DocumentVersion,
    OverdueNote,
    RegisterCounter,
    RegisterEntry,
    SignerEntry,
    VersionStage,
)
from app.models.exchange import ExchangeIncoming, ExchangeRecipient, ExchangeStatus
from app.models.plan import (
    Assignment,
    AssignmentTask,
    FormVersion,
    PeriodFacts,
    PeriodStatus,
    Plan,
    PlanStatus,
    ReportingPeriod,
)
from app.models.report import Consolidation, Report, ReportStatus, ReportVersion
from app.models.signing import RevocationData, SignatureCheck, SigningIdentity, TrustRoot
from app.models.storage import StoredFile
from app.models.template import TEMPLATE_STATUS_LABELS, AgencyTemplate

__all__ = [
    "ROLE_LABELS",
    "KIND_TYPE_ABBR",
    "Agency",
    "AgencyGroup",
    "AgencySigner",
    "ApiToken",
    "AgencyTemplate",
    "TEMPLATE_STATUS_LABELS",
    "Assignment",
    "AssignmentTask",
    "AuditEvent",
    "CalendarDay",
    "Consolidation",
    "Document",
    "ExchangeIncoming",
    "ExchangeRecipient",
    "ExchangeStatus",
    "Extension",
    "ExtensionStatus",
    "Notification",
    "PeriodFacts",
    "Reminder",
    "Reopen",
    "DocumentKind",
    "DocumentStatus",
    "DocumentVersion",
    "DocumentSnapshot",
    "OverdueNote",
    "SignerEntry",
    "VersionStage",
    "FormVersion",
    "PeriodStatus",
    "Plan",
    "PlanStatus",
    "RegisterCounter",
    "RegisterEntry",
    "Report",
    "ReportStatus",
    "ReportVersion",
    "ReportingPeriod",
    "Role",
    "SignatureCheck",
    "SigningIdentity",
    "RevocationData",
    "TrustRoot",
    "StoredFile",
    "User",
]
