"""Kept facts of a reporting period: ``reporting_period.facts_version``, raised by every write that
can change the period's statuses or consolidated figures (app.services.facts), and
``period_facts``, the period's counts and consolidated figures as last computed, each with the
version (and, for the counts, the Vietnam day) it is valid for. Nothing to fill: a missing row
is computed by the first page that needs it.

Revision ID: s5kept_01_period_facts
Revises: s4sign_01_revocation_incoming
"""

import sqlalchemy as sa
from alembic import op

revision = "s5kept_01_period_facts"
down_revision = "s4sign_01_revocation_incoming"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "reporting_period",
        sa.Column("facts_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.create_table(
        "period_facts",
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("counts_version", sa.Integer(), nullable=True),
        sa.Column("counts_day", sa.Date(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("totals_version", sa.Integer(), nullable=True),
        sa.Column("totals", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["reporting_period.id"],
            name=op.f("fk_period_facts_period_id_reporting_period"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("period_id", name=op.f("pk_period_facts")),
    )


def downgrade() -> None:
    op.drop_table("period_facts")
    with op.batch_alter_table("reporting_period") as batch:
        batch.drop_column("facts_version")
