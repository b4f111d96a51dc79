"""Indexes for pages at province scale: the assignments due N working days after their
period's end (the status counts look them up per page of plans); the reports waiting in the
review queue, oldest first.

Revision ID: h16p_01_page_indexes
Revises: editor_01_report_parts
"""

import sqlalchemy as sa
from alembic import op

revision = "h16p_01_page_indexes"
down_revision = "editor_01_report_parts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_assignment_working_days",
        "assignment",
        ["plan_id"],
        postgresql_where=sa.text("due_working_days > 0"),
        sqlite_where=sa.text("due_working_days > 0"),
    )
    op.create_index("ix_report_status_submitted", "report", ["status", "submitted_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_report_status_submitted", "report")
    op.drop_index("ix_assignment_working_days", "assignment")
