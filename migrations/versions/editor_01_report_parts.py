"""consolidation.report_parts: the standing agency's editable parts of its consolidated report
(Kính gửi, Nơi nhận, đánh giá chung, nhiệm vụ thời gian tới, kiến nghị)

Revision ID: editor_01_report_parts
Revises: assign_01_groups_blocks
"""

import sqlalchemy as sa
from alembic import op

revision = "editor_01_report_parts"
down_revision = "assign_01_groups_blocks"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consolidation") as batch:
        batch.add_column(sa.Column("report_parts", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("consolidation") as batch:
        batch.drop_column("report_parts")
