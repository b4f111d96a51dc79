"""Assignments as plans make them: agency groups (listed members or a level/parent rule), task
blocks per section with lead/cooperate, worded deadlines ("trước ngày 25/12"), activity
windows; the district level (agencies keep valid_from/valid_to)

Revision ID: assign_01_groups_blocks
Revises: edxml_01_exchange
Create Date: 2026-12-01 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "assign_01_groups_blocks"
down_revision = "edxml_01_exchange"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agency_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("member_level", sa.String(length=16), nullable=True),
        sa.Column("member_parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_parent_id"],
            ["agency.id"],
            name=op.f("fk_agency_group_member_parent_id_agency"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_group")),
        sa.UniqueConstraint("code", name=op.f("uq_agency_group_code")),
    )
    op.create_table(
        "agency_group_member",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name=op.f("fk_agency_group_member_agency_id_agency"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["agency_group.id"],
            name=op.f("fk_agency_group_member_group_id_agency_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "agency_id", name=op.f("pk_agency_group_member")),
    )
    with op.batch_alter_table("assignment") as batch_op:
        batch_op.add_column(sa.Column("due_text", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_assignment_group_id_agency_group"), "agency_group", ["group_id"], ["id"]
        )
    op.create_table(
        "assignment_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("section", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.Column("window_text", sa.String(length=255), nullable=True),
        sa.Column("window_from", sa.Date(), nullable=True),
        sa.Column("window_to", sa.Date(), nullable=True),
        sa.Column("due_text", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_assignment_task_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["agency_group.id"], name=op.f("fk_assignment_task_group_id_agency_group")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_task")),
    )
    with op.batch_alter_table("assignment_task") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_task_assignment_id"), ["assignment_id"], unique=False
        )
    # every existing assignment is one block printed where it was (every listing section)
    op.execute(
        "INSERT INTO assignment_task (assignment_id, position, section, role, tasks) "
        "SELECT id, 0, NULL, role, tasks FROM assignment"
    )


def downgrade():
    with op.batch_alter_table("assignment_task") as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_task_assignment_id"))
    op.drop_table("assignment_task")
    with op.batch_alter_table("assignment") as batch_op:
        batch_op.drop_constraint("fk_assignment_group_id_agency_group", type_="foreignkey")
        batch_op.drop_column("group_id")
        batch_op.drop_column("due_text")
    op.drop_table("agency_group_member")
    op.drop_table("agency_group")
