"""Fixtures for the city data tests: the demo city in memory and in the store, the CLI."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.app import AppServices
from bot.cli_city import city, geocode
from nlu.city import CityIndex
from nlu.city.demo import demo_city


@pytest.fixture(scope="session")
def demo_index() -> CityIndex:
    return CityIndex(demo_city())


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, services: AppServices, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("DATABASE_URL", services.settings.database_url or "")
    monkeypatch.setenv("REDIS_URL", services.settings.redis_url or "")
    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path / "instance"))
    monkeypatch.delenv("INTAKE_ENV", raising=False)


def run_city(args: Sequence[str]) -> Result:
    return CliRunner().invoke(city, list(args))


def run_geocode(args: Sequence[str]) -> Result:
    return CliRunner().invoke(geocode, list(args))


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dx = (lon2 - lon1) * 111_195 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, (lat2 - lat1) * 111_195)
