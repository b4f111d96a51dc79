"""Index of the assignments due N working days after their period's end (the status counts
look them up per page of plans).

Revision ID: h16p_01_working_days
Revises: daily_01_kh_fold
"""

import sqlalchemy as sa
from alembic import op

revision = "h16p_01_working_days"
down_revision = "daily_01_kh_fold"
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


def downgrade() -> None:
    op.drop_index("ix_assignment_working_days", "assignment")
