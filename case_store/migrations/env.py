"""Alembic environment: migrations run on the engine handed over by case_store.migrate."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context

from case_store import models  # noqa: F401  (registers the tables on Base.metadata)
from case_store.db import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Migrations must not import application types that may change later.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    engine: sa.engine.Engine = config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            render_item=render_item,
            compare_type=True,
        )
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `intake-bot db upgrade`")
run_migrations_online()
