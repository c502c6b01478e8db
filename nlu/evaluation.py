"""Scoring a labelled file: how well the understanding generalises, next to the baseline."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from nlu.baseline import KeywordBaseline
from nlu.understand import Understanding


@dataclass(frozen=True, slots=True)
class Scores:
    count: int
    accuracy: float
    macro_f1: float

    @classmethod
    def of(cls, truth: Sequence[str], predicted: Sequence[str]) -> Scores:
        """Macro-F1 averages over the categories present in ``truth``: a category absent
        from the file has no F1 of its own, and messages wrongly given it already lower
        the recall of their true categories."""
        if not truth:
            return cls(0, 0.0, 0.0)
        return cls(
            len(truth),
            round(float(accuracy_score(truth, predicted)), 4),
            round(float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)), 4),
        )


@dataclass
class Report:
    overall: Scores
    baseline: Scores
    per_language: dict[str, tuple[Scores, Scores]]  # model, baseline
    per_category: dict[str, tuple[float, float, int]]  # precision, recall, support
    confusions: list[tuple[str, str, int]]
    language_id: Scores | None
    emergency: dict[str, float] | None
    messages_per_second: float
    extra: dict[str, Any] = field(default_factory=dict)


def _long_enough_to_identify(text: str, lang: str) -> bool:
    """The language-ID target counts messages of three words or more; Chinese and
    Korean are written with few or no spaces, so four characters stand in for them."""
    return len(text.split()) >= 3 or (lang in ("zh", "ko") and len(text) >= 4)


def evaluate(rows: Sequence[dict[str, Any]], understanding: Understanding, baseline: KeywordBaseline) -> Report:
    texts = [str(r["text"]) for r in rows]
    started = time.perf_counter()
    results = [understanding.understand(t, current_language="en") for t in texts]
    elapsed = time.perf_counter() - started
    labelled = [(r, u) for r, u in zip(rows, results, strict=True) if r.get("category")]
    truth = [str(r["category"]) for r, _ in labelled]
    predicted = [u.category or "other" for _, u in labelled]
    base = [baseline.predict(str(r["text"])) for r, _ in labelled]

    per_language: dict[str, tuple[Scores, Scores]] = {}
    for lang in sorted({str(r.get("lang") or "?") for r, _ in labelled}):
        index = [i for i, (r, _) in enumerate(labelled) if str(r.get("lang") or "?") == lang]
        per_language[lang] = (
            Scores.of([truth[i] for i in index], [predicted[i] for i in index]),
            Scores.of([truth[i] for i in index], [base[i] for i in index]),
        )
    labels = sorted(set(truth) | set(predicted))
    precision, recall, _, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    per_category = {
        label: (round(float(p), 3), round(float(r), 3), int(s))
        for label, p, r, s in zip(labels, precision, recall, support, strict=True)
    }
    confusions = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)

    with_lang = [
        (str(r["lang"]), u.language.code)
        for r, u in zip(rows, results, strict=True)
        if r.get("lang") and _long_enough_to_identify(str(r["text"]), str(r["lang"]))
    ]
    language_id = Scores.of([t for t, _ in with_lang], [p for _, p in with_lang]) if with_lang else None

    emergency = None
    flagged = [
        (bool(r["emergency"]), u.emergency.emergency) for r, u in zip(rows, results, strict=True) if "emergency" in r
    ]
    if flagged:
        tp = sum(1 for t, p in flagged if t and p)
        fp = sum(1 for t, p in flagged if not t and p)
        fn = sum(1 for t, p in flagged if t and not p)
        emergency = {
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
            "count": float(len(flagged)),
        }
    return Report(
        overall=Scores.of(truth, predicted),
        baseline=Scores.of(truth, base),
        per_language=per_language,
        per_category=per_category,
        confusions=[(t, p, n) for (t, p), n in confusions.most_common(12)],
        language_id=language_id,
        emergency=emergency,
        messages_per_second=round(len(texts) / elapsed, 1) if elapsed else 0.0,
    )
