"""Folded search columns: ``plan.folded`` (title, code, symbol) and ``agency.folded`` (name, short
name, place), without marks and in lower case, kept by app.lists when a row is saved, so that a
search of the plans list does not fold every plan's title again (``kh_fold`` on each row was most
of the search's time at 100 plans). Filled here for the rows already there.

Revision ID: s4cons_01_folded_search
Revises: h16p_01_page_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "s4cons_01_folded_search"
down_revision = "h16p_01_page_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from app.lists import folded_text

    op.add_column("plan", sa.Column("folded", sa.Text(), nullable=True))
    op.add_column("agency", sa.Column("folded", sa.Text(), nullable=True))
    bind = op.get_bind()
    for table, columns in (
        ("plan", ("title", "code", "symbol")),
        ("agency", ("name", "short_name", "place")),
    ):
        rows = bind.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM {table}")).all()
        if rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET folded = :folded WHERE id = :id"),
                [{"id": r[0], "folded": folded_text(*r[1:])} for r in rows],
            )


def downgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("folded")
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("folded")
