"""edXML exchange: the agency's organisation code (mã định danh), the recipients a document
was sent to and the status packets they answered with

Revision ID: edxml_01_exchange
Revises: sign_01_keys
Create Date: 2026-12-01 19:00:00
"""

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision = "edxml_01_exchange"
down_revision = "sign_01_keys"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agency") as batch_op:
        batch_op.add_column(sa.Column("organ_id", sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint("uq_agency_organ_id", ["organ_id"])
    op.create_table(
        "exchange_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("organ_id", sa.String(length=16), nullable=False),
        sa.Column("organ_name", sa.String(length=255), nullable=False),
        sa.Column("packet_id", sa.String(length=200), nullable=False),
        sa.Column("exported_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "organ_id"),
    )
    op.create_index(
        "ix_exchange_recipient_document_id", "exchange_recipient", ["document_id"], unique=False
    )
    op.create_index(
        "ix_exchange_recipient_packet_id", "exchange_recipient", ["packet_id"], unique=False
    )
    op.create_table(
        "exchange_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["recipient_id"], ["exchange_recipient.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("recipient_id", "code", "at"),
    )
    op.create_index(
        "ix_exchange_status_recipient_id", "exchange_status", ["recipient_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_exchange_status_recipient_id", table_name="exchange_status")
    op.drop_table("exchange_status")
    op.drop_index("ix_exchange_recipient_packet_id", table_name="exchange_recipient")
    op.drop_index("ix_exchange_recipient_document_id", table_name="exchange_recipient")
    op.drop_table("exchange_recipient")
    with op.batch_alter_table("agency") as batch_op:
        batch_op.drop_constraint("uq_agency_organ_id", type_="unique")
        batch_op.drop_column("organ_id")
