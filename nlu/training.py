"""Training every model from the examples the team writes (``nlu/data/train/``).

One deterministic command (``intake-bot nlu train``) builds the models into a folder
named after a hash of the examples and this code's format, so a changed example set
is retrained once and an unchanged one is never retrained. ``nlu/data/eval/`` is never
read here: it measures generalisation.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nlu.classifier import FORMAT_VERSION, TextClassifier
from nlu.text import fold

DATA_DIR = Path(__file__).with_name("data")
TRAIN_DIR = DATA_DIR / "train"
MODEL_NAMES = ("category", "intent", "emergency", "language")
REPORT_EXAMPLES_PER_CATEGORY = 12  # category examples lent to the intent model as "report"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    lang: str


def read_examples(kind: str, field: str) -> list[Example]:
    examples: list[Example] = []
    for path in sorted((TRAIN_DIR / kind).glob("*.jsonl")):
        lang = path.stem.split("_")[0]  # "ru.jsonl" and "ru_narrative.jsonl" are both Russian
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                examples.append(Example(str(row["text"]), str(row[field]).lower(), lang))
            except (ValueError, KeyError) as exc:
                raise ValueError(f"{path}:{number}: not a training example ({exc})") from None
    return examples


def training_fingerprint() -> str:
    """Changes whenever an example file, the model format or how training samples changes."""
    digest = hashlib.sha256(f"format {FORMAT_VERSION} report-examples {REPORT_EXAMPLES_PER_CATEGORY}\n".encode())
    for path in sorted(TRAIN_DIR.rglob("*.jsonl")):
        digest.update(str(path.relative_to(TRAIN_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train_all(output: Path) -> dict[str, int]:
    """Trains the four models into ``output``; returns how many examples each saw."""
    categories = read_examples("categories", "category")
    intents = read_examples("intents", "intent")
    emergencies = read_examples("emergency", "emergency")
    rng = random.Random(311)
    sizes: dict[str, int] = {}

    def train(name: str, examples: list[Example], **options: object) -> None:
        model = TextClassifier.fit([e.text for e in examples], [e.label for e in examples], **options)  # type: ignore[arg-type]
        model.save(output / name)
        sizes[name] = len(examples)

    train("category", categories)
    train("intent", intents + list(_report_examples(categories, rng)))
    # Routine reports are the everyday negatives of the emergency model.
    routine = [Example(e.text, "false", e.lang) for e in rng.sample(categories, min(len(categories), 3000))]
    train("emergency", emergencies + routine)
    train("language", list(_language_examples(categories + intents + emergencies)), fold_accents=False, c=4.0)
    (output / "manifest.json").write_text(
        json.dumps({"fingerprint": training_fingerprint(), "examples": sizes}, indent=2), encoding="utf-8"
    )
    return sizes


def _report_examples(categories: list[Example], rng: random.Random) -> Iterator[Example]:
    by_group: dict[tuple[str, str], list[Example]] = {}
    for example in categories:
        by_group.setdefault((example.lang, example.label), []).append(example)
    for group in by_group.values():
        for example in rng.sample(group, min(len(group), REPORT_EXAMPLES_PER_CATEGORY)):
            yield Example(example.text, "report", example.lang)


def _language_examples(examples: list[Example]) -> Iterator[Example]:
    # Residents often type without accents: teach both spellings of every example.
    for example in examples:
        yield Example(example.text, example.lang, example.lang)
        folded = fold(example.text)
        if folded != example.text.lower():
            yield Example(folded, example.lang, example.lang)


def model_dir(models_root: Path) -> Path:
    return models_root / f"nlu-{training_fingerprint()}"


def is_trained(directory: Path) -> bool:
    return all((directory / name / "model.json").is_file() for name in MODEL_NAMES)
