"""Revocation data (CRLs, OCSP responses) the admin uploads, and incoming edXML document
packets (issue 15)

Revision ID: s4sign_01_revocation_incoming
Revises: s4due_01_worded_due_index
Create Date: 2026-12-01 22:30:00

"""
from alembic import op
import sqlalchemy as sa
import app.models.base  # noqa: F401  (custom column types)


revision = "s4sign_01_revocation_incoming"
down_revision = "s4due_01_worded_due_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "revocation_data",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("issuer", sa.String(length=512), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("this_update", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_update", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("added_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["user.id"], name=op.f("fk_revocation_data_added_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revocation_data")),
        sa.UniqueConstraint("sha256", name=op.f("uq_revocation_data_sha256")),
    )
    op.create_table(
        "exchange_incoming",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("packet_id", sa.String(length=200), nullable=False),
        sa.Column("organ_id", sa.String(length=16), nullable=False),
        sa.Column("organ_name", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("type_name", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("promulgation_date", sa.Date(), nullable=True),
        sa.Column("file_path", sa.String(length=512), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("received_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_plan_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["used_plan_id"], ["plan.id"], name=op.f("fk_exchange_incoming_used_plan_id_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_incoming")),
        sa.UniqueConstraint("sha256", name=op.f("uq_exchange_incoming_sha256")),
    )
    op.create_index(
        op.f("ix_exchange_incoming_packet_id"), "exchange_incoming", ["packet_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_exchange_incoming_packet_id"), table_name="exchange_incoming")
    op.drop_table("exchange_incoming")
    op.drop_table("revocation_data")
