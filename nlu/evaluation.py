"""Scoring a labelled file: how well the understanding generalises, next to the baseline."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from nlu.baseline import KeywordBaseline
from nlu.location import LocationText
from nlu.understand import Understanding, Understood

CONFUSIONS_SHOWN = 12
LOCATION_KINDS = ("address", "intersection", "landmark", "none")


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
        if not truth:  # nothing to score: count 0 tells readers to ignore the figures
            return cls(0, 0.0, 0.0)
        return cls(
            len(truth),
            round(float(accuracy_score(truth, predicted)), 4),
            round(float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)), 4),
        )


@dataclass(frozen=True, slots=True)
class Calibration:
    """Whether the category confidence means what it says on this file."""

    mean_confidence: float
    accuracy: float
    expected_calibration_error: float  # |confidence - accuracy| over 10 bins, weighted by size
    top3_accuracy: float  # the right category among the first three offered


@dataclass(frozen=True, slots=True)
class IntentReport:
    overall: Scores
    per_language: dict[str, Scores]
    confusions: list[tuple[str, str, int]]  # true, predicted, count


@dataclass(frozen=True, slots=True)
class Share:
    """How many of ``count`` rows of one kind came out right."""

    hits: int
    count: int

    @property
    def rate(self) -> float | None:
        return round(self.hits / self.count, 4) if self.count else None


@dataclass(frozen=True, slots=True)
class ExpectedLocation:
    """A row's labelled location mention; any part may be absent."""

    house_number: str | None
    street: str | None
    cross_street: str | None
    landmark: str | None

    @property
    def kind(self) -> str | None:
        """address, intersection, landmark or none; None for a street alone, which is not scored."""
        if self.house_number is not None:
            return "address"
        if self.cross_street is not None:
            return "intersection"
        if self.landmark is not None:
            return "landmark"
        return "none" if self.street is None else None


@dataclass(frozen=True, slots=True)
class LocationMiss:
    text: str
    lang: str
    kind: str
    expected: ExpectedLocation
    found: LocationText | None


@dataclass(frozen=True, slots=True)
class LocationReport:
    overall: dict[str, Share]  # by kind, in LOCATION_KINDS order
    per_language: dict[str, dict[str, Share]]
    misses: list[LocationMiss]  # every miss, languages and kinds interleaved


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
    messages: int = 0
    intent: IntentReport | None = None
    location: LocationReport | None = None
    calibration: Calibration | None = None


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
    langs = [_lang(r) for r, _ in labelled]

    per_language = {
        lang: (Scores.of(*_subset(truth, predicted, langs, lang)), Scores.of(*_subset(truth, base, langs, lang)))
        for lang in sorted(set(langs))
    }

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
        per_category=_per_category(truth, predicted),
        confusions=_confusions(truth, predicted),
        language_id=language_id,
        emergency=emergency,
        messages_per_second=round(len(texts) / elapsed, 1) if elapsed else 0.0,
        messages=len(rows),
        intent=_intent_report(rows, results),
        location=_location_report(rows, results),
        calibration=_calibration(truth, [u for _, u in labelled]),
    )


def _calibration(truth: Sequence[str], results: Sequence[Understood], bins: int = 10) -> Calibration | None:
    if not truth:
        return None
    confidence = [u.category_confidence for u in results]
    right = [u.category == t for u, t in zip(results, truth, strict=True)]
    error = 0.0
    for b in range(bins):
        members = [i for i, c in enumerate(confidence) if min(int(c * bins), bins - 1) == b]
        if members:
            gap = sum(confidence[i] for i in members) / len(members) - sum(right[i] for i in members) / len(members)
            error += len(members) / len(truth) * abs(gap)
    top3 = [t in [u.category, *(code for code, _ in u.alternatives)][:3] for u, t in zip(results, truth, strict=True)]
    return Calibration(
        mean_confidence=round(sum(confidence) / len(truth), 4),
        accuracy=round(sum(right) / len(truth), 4),
        expected_calibration_error=round(error, 4),
        top3_accuracy=round(sum(top3) / len(truth), 4),
    )


def _lang(row: dict[str, Any]) -> str:
    return str(row.get("lang") or "?")


def _subset(
    truth: Sequence[str], predicted: Sequence[str], langs: Sequence[str], lang: str
) -> tuple[list[str], list[str]]:
    index = [i for i, code in enumerate(langs) if code == lang]
    return [truth[i] for i in index], [predicted[i] for i in index]


def _per_category(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, tuple[float, float, int]]:
    if not truth:
        return {}
    labels = sorted(set(truth) | set(predicted))
    precision, recall, _, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    return {
        label: (round(float(p), 3), round(float(r), 3), int(s))
        for label, p, r, s in zip(labels, precision, recall, support, strict=True)
    }


def _confusions(truth: Sequence[str], predicted: Sequence[str]) -> list[tuple[str, str, int]]:
    counts = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    return [(t, p, n) for (t, p), n in counts.most_common(CONFUSIONS_SHOWN)]


def _intent_report(rows: Sequence[dict[str, Any]], results: Sequence[Understood]) -> IntentReport | None:
    scored = [(r, u) for r, u in zip(rows, results, strict=True) if r.get("intent")]
    if not scored:
        return None
    truth = [str(r["intent"]) for r, _ in scored]
    predicted = [str(u.intent.intent) for _, u in scored]
    langs = [_lang(r) for r, _ in scored]
    return IntentReport(
        overall=Scores.of(truth, predicted),
        per_language={lang: Scores.of(*_subset(truth, predicted, langs, lang)) for lang in sorted(set(langs))},
        confusions=_confusions(truth, predicted),
    )


def _location_report(rows: Sequence[dict[str, Any]], results: Sequence[Understood]) -> LocationReport | None:
    """Rows carrying the key ``house_number`` are location rows (see ``location_hit``)."""
    outcomes: list[tuple[str, str, bool]] = []  # lang, kind, hit
    misses: list[LocationMiss] = []
    for row, result in zip(rows, results, strict=True):
        if "house_number" not in row:
            continue
        expected = ExpectedLocation(
            *(_optional(row.get(key)) for key in ("house_number", "street", "cross_street", "landmark"))
        )
        kind = expected.kind
        if kind is None:
            continue
        hit = location_hit(expected, result.location)
        outcomes.append((_lang(row), kind, hit))
        if not hit:
            misses.append(LocationMiss(str(row["text"]), _lang(row), kind, expected, result.location))
    if not outcomes:
        return None
    return LocationReport(
        overall=_shares(outcomes),
        per_language={
            lang: _shares([o for o in outcomes if o[0] == lang]) for lang in sorted({lang for lang, _, _ in outcomes})
        },
        misses=_interleaved(misses),
    )


def location_hit(expected: ExpectedLocation, found: LocationText | None) -> bool:
    """Whether the mention found matches the labelled one, for the kind of the label.

    Streets compare case-insensitively, whitespace collapsed and a trailing '.' ignored;
    an intersection's two streets in either order; landmarks match when one contains
    the other ("the library" / "library")."""
    kind = expected.kind
    if kind == "none":
        return found is None
    if found is None:
        return False
    if kind == "address":
        return found.house_number == expected.house_number and _same_street(found.street, expected.street)
    if kind == "intersection":
        found_pair = {_street_key(found.street), _street_key(found.cross_street)}
        return found.cross_street is not None and found_pair == {
            _street_key(expected.street),
            _street_key(expected.cross_street),
        }
    if kind == "landmark":
        if found.landmark is None or expected.landmark is None:
            return False
        a, b = _folded(found.landmark), _folded(expected.landmark)
        return bool(a and b) and (a in b or b in a)
    return False


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _street_key(street: str | None) -> str | None:
    return None if street is None else _folded(street).removesuffix(".").strip()


def _same_street(found: str | None, expected: str | None) -> bool:
    return found is not None and _street_key(found) == _street_key(expected)


def _shares(outcomes: Sequence[tuple[str, str, bool]]) -> dict[str, Share]:
    return {
        kind: Share(sum(1 for _, k, hit in outcomes if k == kind and hit), sum(1 for _, k, _ in outcomes if k == kind))
        for kind in LOCATION_KINDS
    }


def _interleaved(misses: Sequence[LocationMiss]) -> list[LocationMiss]:
    """Misses ordered so the first few show every language, and each language's kinds, before repeating."""
    by_language: dict[str, dict[str, list[LocationMiss]]] = {}
    for miss in misses:
        by_language.setdefault(miss.lang, {}).setdefault(miss.kind, []).append(miss)
    return _round_robin([_round_robin(list(kinds.values())) for kinds in by_language.values()])


def _round_robin(queues: Sequence[Sequence[LocationMiss]]) -> list[LocationMiss]:
    longest = max((len(q) for q in queues), default=0)
    return [q[i] for i in range(longest) for q in queues if i < len(q)]
