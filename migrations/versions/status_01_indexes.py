"""Indexes the status pages filter on: document.plan_id, document.period_id,
assignment.agency_id, extension(period_id, agency_id), reopen(period_id, agency_id),
reporting_period.status.

Revision ID: status_01_indexes
Revises: layout_03_signers
"""

from alembic import op

revision = "status_01_indexes"
down_revision = "layout_03_signers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_document_plan_id", "document", ["plan_id"])
    op.create_index("ix_document_period_id", "document", ["period_id"])
    op.create_index("ix_assignment_agency_id", "assignment", ["agency_id"])
    op.create_index("ix_extension_period_agency", "extension", ["period_id", "agency_id"])
    op.create_index("ix_reopen_period_agency", "reopen", ["period_id", "agency_id"])
    op.create_index("ix_reporting_period_status", "reporting_period", ["status"])


def downgrade() -> None:
    op.drop_index("ix_reporting_period_status", "reporting_period")
    op.drop_index("ix_reopen_period_agency", "reopen")
    op.drop_index("ix_extension_period_agency", "extension")
    op.drop_index("ix_assignment_agency_id", "assignment")
    op.drop_index("ix_document_period_id", "document")
    op.drop_index("ix_document_plan_id", "document")
