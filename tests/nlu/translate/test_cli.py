"""`intake-bot translate install | list | text` against the data directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli_translate import translate
from tests.nlu.translate.conftest import MakeArchive


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path / "instance"))
    monkeypatch.delenv("INTAKE_ENV", raising=False)
    return tmp_path / "instance"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(translate, list(args), input=input)


def test_install_list_and_try(argos_archive: MakeArchive, data_dir: Path) -> None:
    empty = run("list")
    assert empty.exit_code == 0 and "No translation models" in empty.output

    installed = run("install", str(argos_archive("es", "en", "1.0")))
    assert installed.exit_code == 0, installed.output
    assert "Installed es -> en version 1.0" in installed.output
    assert (data_dir / "translation" / "es-en" / "model" / "model.bin").is_file()

    upgraded = run("install", str(argos_archive("es", "en", "1.1")))
    assert upgraded.exit_code == 0 and "replacing version 1.0" in upgraded.output
    refused = run("install", str(argos_archive("es", "en", "1.0")))
    assert refused.exit_code == 1 and "use --force" in refused.output

    listed = run("list")
    assert listed.exit_code == 0 and listed.output.split() == ["es", "->", "en", "1.1", "ES", "->", "EN"]
    rows = json.loads(run("list", "--json").output)
    assert [(r["source"], r["target"], r["version"]) for r in rows] == [("es", "en", "1.1")]

    tried = run("text", "-s", "es", "-t", "en", "Hay", "un", "bache.")
    assert tried.exit_code == 0 and tried.output.strip() and "not translated" not in tried.output
    missing = run("text", "-s", "fr", input="Il y a un trou.\n")
    assert (
        missing.exit_code == 0 and missing.output.startswith("Il y a un trou.\n") and "not translated" in missing.output
    )


def test_install_refuses_a_bad_file(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.argosmodel"
    bad.write_bytes(b"not a zip")
    result = run("install", str(bad))
    assert result.exit_code == 1 and "bad.argosmodel: not an Argos package" in result.output
