"""Race guards: an extension's version (grant vs refuse), one pending extension per (period,
agency), one plan document per plan.

Revision ID: input_02_race_guards
Revises: input_01_session_version
"""

import sqlalchemy as sa
from alembic import op

revision = "input_02_race_guards"
down_revision = "input_01_session_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("extension") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_index(
        "uq_extension_one_pending",
        "extension",
        ["period_id", "agency_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "uq_document_one_per_plan",
        "document",
        ["plan_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'plan'"),
        sqlite_where=sa.text("kind = 'plan'"),
    )


def downgrade() -> None:
    op.drop_index("uq_document_one_per_plan", table_name="document")
    op.drop_index("uq_extension_one_pending", table_name="extension")
    with op.batch_alter_table("extension") as batch:
        batch.drop_column("version")
