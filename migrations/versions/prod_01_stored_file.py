"""stored files: documents and uploads kept in the database (shared-nothing hosts)

Revision ID: prod_01_stored_file
Revises: 0896e0839f9f
Create Date: 2026-12-01 16:10:00

Files already under FILES_DIR are copied in with ``kehoach storage import``.
"""
from alembic import op
import sqlalchemy as sa
import app.models.base  # noqa: F401  (custom column types)


revision = 'prod_01_stored_file'
down_revision = "layout_02_draft_version"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_file',
    sa.Column('key', sa.String(length=512), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_file'))
    )


def downgrade():
    op.drop_table('stored_file')
