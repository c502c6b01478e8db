"""``intake-bot nlu``: train, predict and evaluate the understanding models."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from bot.settings import Settings, SettingsError, load_settings
from case_store.catalog import read_default_catalog
from nlu.baseline import KeywordBaseline
from nlu.evaluation import Report, evaluate
from nlu.training import model_dir, train_all
from nlu.understand import Understanding, Understood

MAX_LINE = 20_000


def _models_root() -> Path:
    try:
        settings: Settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    return settings.data_dir / "models"


@click.group()
def nlu() -> None:
    """Message understanding: language, category, intent, emergency, location."""


@nlu.command("train")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), help="Folder for the models.")
def nlu_train(output: Path | None) -> None:
    """Trains every model from nlu/data/train (deterministic)."""
    target = output or model_dir(_models_root())
    sizes = train_all(target)
    click.echo(f"Trained into {target}: " + ", ".join(f"{k} ({v} examples)" for k, v in sizes.items()))


@nlu.command("predict")
@click.option("--language", default="en", show_default=True, help="The conversation's current language.")
def nlu_predict(language: str) -> None:
    """Reads JSON lines {"id", "text"} on stdin; writes one JSON line per input."""
    understanding = Understanding.load_or_train(_models_root())
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line[:MAX_LINE])
            text = str(row.get("text") or "")
        except (ValueError, AttributeError):
            click.echo(json.dumps({"line": number, "error": "not a JSON object with a text field"}))
            continue
        result = understanding.understand(text, current_language=str(row.get("language") or language))
        click.echo(json.dumps({"id": row.get("id"), **prediction_document(result)}, ensure_ascii=False))


def prediction_document(result: Understood) -> dict[str, Any]:
    location = result.location
    return {
        "language": result.language.code,
        "category": result.category,
        "confidence": result.category_confidence,
        "alternatives": [[code, p] for code, p in result.alternatives],
        "intent": str(result.intent.intent),
        "emergency": result.emergency.emergency,
        "location": None
        if location is None
        else {
            "text": location.text,
            "house_number": location.house_number,
            "street": location.street,
            "cross_street": location.cross_street,
            "landmark": location.landmark,
        },
    }


@nlu.command("evaluate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def nlu_evaluate(file: Path, as_json: bool) -> None:
    """Scores a labelled file (text, category, optional lang and emergency)."""
    rows = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    report = evaluate(rows, Understanding.load_or_train(_models_root()), KeywordBaseline(read_default_catalog()))
    if as_json:
        click.echo(json.dumps(_report_document(report), ensure_ascii=False, indent=2))
    else:
        click.echo(_report_text(report))


def _report_document(report: Report) -> dict[str, Any]:
    return {
        "overall": vars_of(report.overall),
        "baseline": vars_of(report.baseline),
        "per_language": {k: {"model": vars_of(m), "baseline": vars_of(b)} for k, (m, b) in report.per_language.items()},
        "per_category": {
            k: {"precision": p, "recall": r, "support": s} for k, (p, r, s) in report.per_category.items()
        },
        "confusions": [{"true": t, "predicted": p, "count": n} for t, p, n in report.confusions],
        "language_id": vars_of(report.language_id) if report.language_id else None,
        "emergency": report.emergency,
        "messages_per_second": report.messages_per_second,
    }


def vars_of(scores: Any) -> dict[str, Any]:
    return {"count": scores.count, "accuracy": scores.accuracy, "macro_f1": scores.macro_f1}


def _report_text(report: Report) -> str:
    lines = [
        f"messages: {report.overall.count}   ({report.messages_per_second:.0f} messages/s, whole understanding step)",
        f"{'':12}{'model acc':>10}{'model F1':>10}{'baseline acc':>14}{'baseline F1':>13}",
        f"{'overall':12}{report.overall.accuracy:10.3f}{report.overall.macro_f1:10.3f}"
        f"{report.baseline.accuracy:14.3f}{report.baseline.macro_f1:13.3f}",
    ]
    for lang, (model, base) in report.per_language.items():
        lines.append(
            f"{lang + f' ({model.count})':12}{model.accuracy:10.3f}{model.macro_f1:10.3f}"
            f"{base.accuracy:14.3f}{base.macro_f1:13.3f}"
        )
    lines.append("\nper category (precision / recall / support):")
    for label, (p, r, s) in report.per_category.items():
        lines.append(f"  {label:20}{p:7.2f}{r:7.2f}{s:6d}")
    if report.confusions:
        lines.append("\nmost frequent confusions (true -> predicted: count):")
        lines.extend(f"  {t} -> {p}: {n}" for t, p, n in report.confusions)
    if report.language_id:
        lines.append(
            f"\nlanguage identification (3+ words): {report.language_id.accuracy:.3f} of {report.language_id.count}"
        )
    if report.emergency:
        lines.append(
            f"emergency: precision {report.emergency['precision']:.3f}, recall {report.emergency['recall']:.3f}"
        )
    return "\n".join(lines)
