"""``intake-bot nlu``: train, predict and evaluate the understanding models."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from bot.settings import Settings, SettingsError, load_settings
from case_store.catalog import read_default_catalog
from nlu.baseline import KeywordBaseline
from nlu.evaluation import ExpectedLocation, IntentReport, LocationReport, Report, Share, evaluate
from nlu.location import LocationText
from nlu.training import model_dir, train_all
from nlu.understand import Understanding, Understood

MAX_LINE = 20_000
MISSES_SHOWN = 10


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
    """Scores a labelled file: text, plus any of category, lang, emergency, intent and
    location (house_number, street, cross_street, landmark)."""
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
        "messages": report.messages,
        "intent": _intent_document(report.intent) if report.intent else None,
        "location": _location_document(report.location) if report.location else None,
        "calibration": asdict(report.calibration) if report.calibration else None,
    }


def _intent_document(intent: IntentReport) -> dict[str, Any]:
    return {
        "overall": vars_of(intent.overall),
        "per_language": {k: vars_of(v) for k, v in intent.per_language.items()},
        "confusions": [{"true": t, "predicted": p, "count": n} for t, p, n in intent.confusions],
    }


def _location_document(location: LocationReport) -> dict[str, Any]:
    def shares(by_kind: dict[str, Share]) -> dict[str, Any]:
        return {kind: {"hits": s.hits, "count": s.count, "rate": s.rate} for kind, s in by_kind.items()}

    return {
        "overall": shares(location.overall),
        "per_language": {k: shares(v) for k, v in location.per_language.items()},
        "misses": [
            {
                "text": m.text,
                "lang": m.lang,
                "kind": m.kind,
                "expected": _location_fields(m.expected),
                "found": None if m.found is None else _location_fields(m.found),
            }
            for m in location.misses
        ],
    }


def _location_fields(location: ExpectedLocation | LocationText) -> dict[str, str | None]:
    return {
        "house_number": location.house_number,
        "street": location.street,
        "cross_street": location.cross_street,
        "landmark": location.landmark,
    }


def vars_of(scores: Any) -> dict[str, Any]:
    return {"count": scores.count, "accuracy": scores.accuracy, "macro_f1": scores.macro_f1}


def _report_text(report: Report) -> str:
    lines = [f"messages: {report.messages}   ({report.messages_per_second:.0f} messages/s, whole understanding step)"]
    if report.overall.count:
        lines.extend(_category_text(report))
    if report.language_id:
        lines.append(
            f"\nlanguage identification (3+ words): {report.language_id.accuracy:.3f} of {report.language_id.count}"
        )
    if report.emergency:
        lines.append(
            f"emergency ({report.emergency['count']:.0f} messages): precision {report.emergency['precision']:.3f},"
            f" recall {report.emergency['recall']:.3f}"
        )
    if report.intent:
        lines.extend(_intent_text(report.intent))
    if report.location:
        lines.extend(_location_text(report.location))
    return "\n".join(lines)


def _category_text(report: Report) -> list[str]:
    lines = [
        f"\ncategory ({report.overall.count} labelled messages):",
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
    if report.calibration:
        c = report.calibration
        lines.append(
            f"\nconfidence: mean {c.mean_confidence:.3f} against accuracy {c.accuracy:.3f}"
            f" (expected calibration error {c.expected_calibration_error:.3f});"
            f" right category among the first three: {c.top3_accuracy:.3f}"
        )
    return lines


def _intent_text(intent: IntentReport) -> list[str]:
    lines = [
        f"\nintent ({intent.overall.count} labelled messages):",
        f"{'':12}{'accuracy':>10}{'macro F1':>10}",
        f"{'overall':12}{intent.overall.accuracy:10.3f}{intent.overall.macro_f1:10.3f}",
    ]
    lines.extend(
        f"{lang + f' ({scores.count})':12}{scores.accuracy:10.3f}{scores.macro_f1:10.3f}"
        for lang, scores in intent.per_language.items()
    )
    if intent.confusions:
        lines.append("\nmost frequent intent confusions (true -> predicted: count):")
        lines.extend(f"  {t} -> {p}: {n}" for t, p, n in intent.confusions)
    return lines


def _location_text(location: LocationReport) -> list[str]:
    kinds = list(location.overall)
    lines = [
        "\nlocation mentions (share found right, messages of that kind in brackets):",
        f"{'':12}" + "".join(f"{kind:>16}" for kind in kinds),
    ]
    for name, by_kind in [("overall", location.overall), *location.per_language.items()]:
        lines.append(f"{name:12}" + "".join(f"{_share_text(by_kind[kind]):>16}" for kind in kinds))
    if location.misses:
        shown = location.misses[:MISSES_SHOWN]
        lines.append(f"\nlocation misses ({len(shown)} of {len(location.misses)}; --json lists all):")
        for miss in shown:
            lines.append(f"  [{miss.lang} {miss.kind}] {miss.text}")
            lines.append(f"      expected {_location_summary(miss.expected)}   found {_location_summary(miss.found)}")
    return lines


def _share_text(share: Share) -> str:
    return "-" if share.rate is None else f"{share.rate:.3f} ({share.count})"


def _location_summary(location: ExpectedLocation | LocationText | None) -> str:
    if location is None:
        return "nothing"
    parts = [
        f"number={location.house_number!r}" if location.house_number is not None else "",
        f"street={location.street!r}" if location.street is not None else "",
        f"cross={location.cross_street!r}" if location.cross_street is not None else "",
        f"landmark={location.landmark!r}" if location.landmark is not None else "",
    ]
    return " ".join(p for p in parts if p) or "nothing"
