"""Configuration: environment and .env, embedded defaults, production refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEVELOPMENT_SECRET_KEY, Settings, SettingsError

PRODUCTION = {
    "INTAKE_ENV": "production",
    "SECRET_KEY": "s" * 48,
    "DATABASE_URL": "postgres://intake@db.internal:5432/intake",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "PUBLIC_BASE_URL": "https://311.city.example/",
}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in [*PRODUCTION, "INTAKE_DATA_DIR"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    return monkeypatch


def test_defaults_are_embedded_sqlite_and_redis_in_instance_dir(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = Settings()
    settings.check()
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path / 'instance' / 'intake.sqlite3'}"
    assert settings.uses_embedded_redis
    assert settings.media_dir == tmp_path / "instance" / "media"


def test_dotenv_file_is_read(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("INTAKE_DATA_DIR=/srv/intake\nCITY_NAME=Somerville\n", encoding="utf-8")
    settings = Settings()
    assert settings.data_dir == Path("/srv/intake")
    assert settings.city_name == "Somerville"


def test_environment_overrides_dotenv(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CITY_NAME=From file\n", encoding="utf-8")
    clean_env.setenv("CITY_NAME", "From environment")
    assert Settings().city_name == "From environment"


def test_production_with_everything_set_starts(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        clean_env.setenv(name, value)
    settings = Settings()
    settings.check()
    assert settings.sqlalchemy_url == "postgresql+psycopg://intake@db.internal:5432/intake"
    assert settings.public_base_url == "https://311.city.example"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        ({"DATABASE_URL": None}, "DATABASE_URL is missing"),
        ({"REDIS_URL": None}, "REDIS_URL is missing"),
        ({"PUBLIC_BASE_URL": "http://311.city.example"}, "PUBLIC_BASE_URL must be"),
    ],
)
def test_production_refuses_and_names_the_variable(
    clean_env: pytest.MonkeyPatch, change: dict[str, str | None], named: str
) -> None:
    for name, value in {**PRODUCTION, **change}.items():
        if value is not None:
            clean_env.setenv(name, value)
    with pytest.raises(SettingsError, match=named):
        Settings().check()


def test_cli_refuses_production_without_secret_key(clean_env: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from bot.cli import main

    clean_env.setenv("INTAKE_ENV", "production")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "SECRET_KEY is missing" in result.output
