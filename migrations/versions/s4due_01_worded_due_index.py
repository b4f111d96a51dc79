"""The assignments with a worded deadline ("trước ngày 25/12"), looked up per page of plans by
the status counts, which date them as the status module does.

Revision ID: s4due_01_worded_due_index
Revises: s4cons_01_folded_search
"""

import sqlalchemy as sa
from alembic import op

revision = "s4due_01_worded_due_index"
down_revision = "s4cons_01_folded_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_assignment_due_text",
        "assignment",
        ["plan_id"],
        postgresql_where=sa.text("due_text IS NOT NULL"),
        sqlite_where=sa.text("due_text IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_assignment_due_text", "assignment")
