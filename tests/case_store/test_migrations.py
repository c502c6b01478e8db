"""Migrating an empty database gives exactly the models' schema."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from case_store import migrate
from case_store.db import Base, make_engine
from tests.conftest import reset_database


def schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_migrated_database_matches_models(engine: Engine) -> None:
    # `engine` was reset to empty and migrated by the session fixture.
    assert migrate.is_up_to_date(engine)
    assert schema_differences(engine) == []
    assert set(sa.inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}


def test_migrations_go_down_and_up_again_on_sqlite(tmp_path: Path) -> None:
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    migrate.upgrade(fresh)
    assert schema_differences(fresh) == []
    migrate.downgrade(fresh, "base")
    assert sa.inspect(fresh).get_table_names() == ["alembic_version"]
    migrate.upgrade(fresh)
    assert schema_differences(fresh) == []
    reset_database(fresh)
    assert sa.inspect(fresh).get_table_names() == []


def test_model_change_without_migration_is_detected(tmp_path: Path) -> None:
    fresh = make_engine(f"sqlite:///{tmp_path / 'drift.sqlite3'}")
    migrate.upgrade(fresh)
    with fresh.begin() as connection:
        connection.execute(sa.text("ALTER TABLE cases ADD COLUMN stray TEXT"))
    assert schema_differences(fresh), "an extra column must show up as drift"
