"""Document draft version (the "DỰ THẢO (lần N)" mark)

Revision ID: layout_02_draft_version
Revises: layout_01_header_names
Create Date: 2026-12-01 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "layout_02_draft_version"
down_revision = "layout_01_header_names"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("document") as batch_op:
        batch_op.add_column(
            sa.Column("draft_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("document") as batch_op:
        batch_op.drop_column("draft_version")
