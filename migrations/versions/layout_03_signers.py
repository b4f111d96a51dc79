"""Agency signers (name, title, authority per document kind); the signer a draft is made for

Revision ID: layout_03_signers
Revises: layout_02_draft_version
Create Date: 2026-12-01 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "layout_03_signers"
down_revision = "prod_01_stored_file"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agency_signer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("authority", sa.String(length=8), nullable=False),
        sa.Column("authority_of", sa.String(length=255), nullable=False),
        sa.Column("position_note", sa.String(length=255), nullable=False),
        sa.Column("kinds", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_agency_signer_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_agency_signer_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_signer")),
    )
    with op.batch_alter_table("agency_signer") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agency_signer_agency_id"), ["agency_id"], unique=False
        )
    with op.batch_alter_table("document") as batch_op:
        batch_op.add_column(sa.Column("signer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_document_signer_id_agency_signer"), "agency_signer", ["signer_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("document") as batch_op:
        batch_op.drop_constraint("fk_document_signer_id_agency_signer", type_="foreignkey")
        batch_op.drop_column("signer_id")
    with op.batch_alter_table("agency_signer") as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_signer_agency_id"))
    op.drop_table("agency_signer")
