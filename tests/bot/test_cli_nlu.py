"""``intake-bot nlu predict`` and ``nlu evaluate``: the interfaces our tools depend on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main


@pytest.fixture
def models_env(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    # The session's trained models live under <data dir>/models, shared with tests/nlu.
    data_dir = request.config.cache.mkdir("nlu-data-dir")
    models = request.config.cache.mkdir("nlu-models")
    link = Path(data_dir) / "models"
    if not link.exists():
        link.symlink_to(models, target_is_directory=True)
    monkeypatch.setenv("INTAKE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("INTAKE_ENV", raising=False)


@pytest.mark.usefixtures("models_env")
def test_predict_writes_one_json_line_per_input() -> None:
    lines = [
        {"id": "a1", "text": "huge pothole in front of 1450 Oak St"},
        {"id": 2, "text": "I smell gas in the hallway"},
        {"id": "c", "text": ""},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\nnot json\n"
    result = CliRunner().invoke(main, ["nlu", "predict"], input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r.get("id") for r in rows[:3]] == ["a1", 2, "c"]
    first = rows[0]
    assert set(first) == {"id", "language", "category", "confidence", "alternatives", "intent", "emergency", "location"}
    assert first["category"] == "pothole" and first["language"] == "en" and first["emergency"] is False
    assert first["location"] == {
        "text": "1450 Oak St", "house_number": "1450", "street": "Oak St", "cross_street": None, "landmark": None
    }  # fmt: skip
    assert len(first["alternatives"]) == 3 and all(len(pair) == 2 for pair in first["alternatives"])
    assert rows[1]["emergency"] is True
    assert rows[2]["category"] is None and rows[2]["location"] is None
    assert rows[3] == {"line": 4, "error": "not a JSON object with a text field"}


@pytest.mark.usefixtures("models_env")
def test_evaluate_scores_a_labelled_file(tmp_path: Path) -> None:
    file = tmp_path / "labelled.jsonl"
    rows = [
        {"text": "streetlight out on Elm St for a week", "category": "streetlight", "lang": "en"},
        {"text": "hay ratas en el callejón detrás del mercado", "category": "rodents", "lang": "es"},
        {"text": "the gas smell in my kitchen is getting worse", "category": "other", "lang": "en", "emergency": True},
    ]
    file.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(main, ["nlu", "evaluate", str(file), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["overall"]["count"] == 3
    assert set(report["per_language"]) == {"en", "es"}
    assert report["emergency"]["recall"] == 1.0
    assert report["messages_per_second"] > 0
    assert report["baseline"]["count"] == 3
