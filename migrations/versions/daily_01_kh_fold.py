"""kh_fold(text): diacritic-insensitive search in the database (PostgreSQL; SQLite registers it
per connection in app/lists.py)

Revision ID: daily_01_kh_fold
Revises: prod_02_api_tokens
"""

from alembic import op

revision = "daily_01_kh_fold"
down_revision = "prod_02_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        from app.lists import PG_FOLD_FUNCTION

        op.execute(PG_FOLD_FUNCTION)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS kh_fold(text)")
