"""Digital signing: keys (encrypted at rest) and images per signer and agency, trust roots,
and the check of each document's signed PDF (issue 15)

Revision ID: sign_01_keys
Revises: daily_01_kh_fold
Create Date: 2026-12-01 19:10:00

"""
from alembic import op
import sqlalchemy as sa
import app.models.base  # noqa: F401  (custom column types)


revision = "sign_01_keys"
down_revision = "daily_01_kh_fold"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signing_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("key_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("cert_subject", sa.String(length=512), nullable=True),
        sa.Column("cert_issuer", sa.String(length=512), nullable=True),
        sa.Column("cert_serial", sa.String(length=64), nullable=True),
        sa.Column("cert_not_before", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cert_not_after", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cert_sha256", sa.String(length=64), nullable=True),
        sa.Column("image_path", sa.String(length=512), nullable=True),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_signing_identity_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_signing_identity_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_signing_identity_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_identity")),
        sa.UniqueConstraint("agency_id", name=op.f("uq_signing_identity_agency_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_signing_identity_user_id")),
    )
    op.create_table(
        "trust_root",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=512), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("not_after", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("added_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["user.id"], name=op.f("fk_trust_root_added_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_root")),
        sa.UniqueConstraint("sha256", name=op.f("uq_trust_root_sha256")),
    )
    op.create_table(
        "signature_check",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("file_path", sa.String(length=512), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("checked_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_signature_check_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_signature_check")),
    )


def downgrade():
    op.drop_table("signature_check")
    op.drop_table("trust_root")
    op.drop_table("signing_identity")
