"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app.config import MIGRATIONS_DIR
from app.extensions import db
from app.services.health import migration_heads


def test_migrations_match_models(app):
    with db.engine.begin() as conn:
        db.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    try:
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
    finally:
        with db.engine.begin() as conn:
            db.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            db.metadata.create_all(conn)


def test_the_readiness_check_knows_the_newest_migration_without_alembic() -> None:
    """/ready compares the schema with the heads read from the migration files (a web process
    does not load Alembic); they are the heads Alembic itself finds."""
    assert migration_heads() == frozenset(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())
