"""The intake-bot command line against the suite's real stores."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from bot.app import AppServices
from bot.cli import main
from case_store import migrate
from case_store.models import ApiKey, Service


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, services: AppServices, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", services.settings.database_url or "")
    monkeypatch.setenv("REDIS_URL", services.settings.redis_url or "")
    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path / "instance"))
    monkeypatch.delenv("INTAKE_ENV", raising=False)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


POST = {"service_code": "pothole", "lat": "42.3876", "long": "-71.0995", "description": "Deep hole"}


@pytest.mark.usefixtures("cli_env", "catalog")
def test_apikey_create_prints_a_key_that_posts_and_revoke_stops_it(client: FlaskClient, services: AppServices) -> None:
    created = run("apikey", "create", "City app")
    assert created.exit_code == 0, created.output
    key = created.output.strip()
    assert key.startswith("o311_") and len(key) > 40

    accepted = client.post("/open311/v2/requests.json", data={**POST, "api_key": key})
    assert accepted.status_code == 201, accepted.get_data(as_text=True)

    listed = run("apikey", "list")
    assert "City app" in listed.output and key not in listed.output and "active" in listed.output

    assert run("apikey", "revoke", "City app").exit_code == 0
    refused = client.post("/open311/v2/requests.json", data={**POST, "api_key": key})
    assert refused.status_code == 403

    duplicate = CliRunner().invoke(main, ["apikey", "create", "City app"])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    with services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 1


CITY_CATALOG = """
services:
  - code: pothole
    name: Road hole
    description: A hole in the road.
    group: Streets
    department: Highway
    sla_hours: 48
  - code: ice_rink
    name: Ice rink problem
    description: Something wrong at a city ice rink.
    group: Parks
    department: Recreation
    sla_hours: 72
"""


@pytest.mark.usefixtures("cli_env", "catalog")
def test_catalog_load_adds_updates_and_retires(tmp_path: Path, services: AppServices) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(CITY_CATALOG, encoding="utf-8")
    result = run("catalog", "load", str(path))
    assert result.exit_code == 0, result.output
    assert "1 added, 1 updated, 21 retired" in result.output
    with services.sessions() as session:
        active = session.scalars(sa.select(Service.code).where(Service.active.is_(True))).all()
        assert sorted(active) == ["ice_rink", "pothole"]
        assert session.scalar(sa.select(Service.name).where(Service.code == "pothole")) == "Road hole"


@pytest.mark.usefixtures("cli_env", "catalog")
def test_catalog_load_of_invalid_file_changes_nothing(tmp_path: Path, services: AppServices) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(CITY_CATALOG.replace("sla_hours: 72", "sla_hours: soon"), encoding="utf-8")
    result = CliRunner().invoke(main, ["catalog", "load", str(path)])
    assert result.exit_code == 1
    assert "services.1.sla_hours" in result.output
    with services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Service).where(Service.active.is_(True))) == 22


@pytest.mark.usefixtures("cli_env")
def test_db_current_reports_the_head_revision() -> None:
    result = run("db", "current")
    assert result.exit_code == 0
    assert result.output.startswith(f"{migrate.head_revision()} (latest: {migrate.head_revision()})")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_runs_the_product_on_embedded_defaults(tmp_path: Path) -> None:
    """The README's first command: nothing configured, SQLite and embedded Redis."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "INTAKE_ENV")}
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        health = None
        for _ in range(100):
            try:
                health = requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert health is not None and health.json() == {"checks": {"database": "ok", "redis": "ok"}, "status": "ok"}
        services = requests.get(f"{base}/open311/v2/services.json", timeout=5).json()
        assert len(services) == 22
        discovery = requests.get(f"{base}/open311/v2/discovery.json", timeout=5).json()
        assert discovery["endpoints"][0]["url"] == f"{base}/open311/v2"  # links follow --port
        assert (tmp_path / "instance" / "intake.sqlite3").is_file()
        assert (tmp_path / "instance" / "redis.db").exists() or any((tmp_path / "instance").glob("redis*"))
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"open http://127.0.0.1:{port}/" in output
    assert "Loaded the default service catalog: 22 added" in output
