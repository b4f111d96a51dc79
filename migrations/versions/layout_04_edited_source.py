"""Document source_path: a draft edited in Word and uploaded as its next version

Revision ID: layout_04_edited_source
Revises: layout_03_signers
Create Date: 2026-12-01 16:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "layout_04_edited_source"
down_revision = "docs_01_document_versions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("document") as batch_op:
        batch_op.add_column(sa.Column("source_path", sa.String(length=512), nullable=True))


def downgrade():
    with op.batch_alter_table("document") as batch_op:
        batch_op.drop_column("source_path")
