"""Per-user session version: logout and password changes revoke every session.

Revision ID: input_01_session_version
Revises: layout_03_signers
"""

import sqlalchemy as sa
from alembic import op

revision = "input_01_session_version"
down_revision = "status_01_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("session_version")
