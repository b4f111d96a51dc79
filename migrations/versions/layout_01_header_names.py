"""Agency header name lines (as printed in the document header)

Revision ID: layout_01_header_names
Revises: 0896e0839f9f
Create Date: 2026-12-01 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "layout_01_header_names"
down_revision = "0896e0839f9f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agency") as batch_op:
        batch_op.add_column(sa.Column("header_name", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("agency") as batch_op:
        batch_op.drop_column("header_name")
