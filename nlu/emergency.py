"""Situations that need the emergency number, not 311.

Two detectors, either of which is enough: the trained model, and a lexicon of
unmistakable phrases in every language (``data/lexicon/emergency.json``) that a city
can extend. Phrases that only look alarming ("fire hydrant", "gas station", "feu
rouge") are removed before the lexicon is applied, so "the gas station is on fire"
still counts. Recall matters more than precision: a false alarm costs the resident one
message; a missed fire costs far more.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nlu.classifier import TextClassifier
from nlu.text import fold

LEXICON = Path(__file__).with_name("data") / "lexicon" / "emergency.json"
MODEL_THRESHOLD = 0.5
MODEL_MIN_CHARS = 12
_UNSPACED = frozenset({"zh", "ko"})


@dataclass(frozen=True, slots=True)
class EmergencyGuess:
    emergency: bool
    score: float  # the model's probability; 1.0 when an emergency phrase matched


@dataclass(frozen=True, slots=True)
class _Lexicon:
    phrases: dict[str, re.Pattern[str]]  # by language, each with English added
    self_denying: re.Pattern[str]  # phrases that hold a denial themselves: "no me contesta"
    exclusions: re.Pattern[str]
    routine: re.Pattern[str]
    reassurance: re.Pattern[str]
    harm: re.Pattern[str]  # words a reassurance cancels ("no one was hurt")
    smoke_sources: re.Pattern[str]  # "barbecue", "cigarettes"
    smoke: re.Pattern[str]
    negation_before: dict[str, re.Pattern[str]]  # by language; "" = every language's words
    negation_after: re.Pattern[str]


def _alternatives(items: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{fold(p)})" for p in items))


@cache
def _lexicon() -> _Lexicon:
    data = json.loads(LEXICON.read_text(encoding="utf-8"))
    # Phrases start at a word's start ("herid" must not match "Sheridan"), except in
    # Chinese and Korean, whose words are not separated by spaces.
    patterns = {
        lang: [fold(p) if lang in _UNSPACED else rf"(?<!\w)(?:{fold(p)})" for p in group]
        for lang, group in data["patterns"].items()
    }
    negations = data["negations"]
    # Portuguese "no" is "in the": "cheiro ... no condominio, pessoas com falta de ar".
    denials = {
        lang: _denial([w for w in negations["before"] if w not in negations["not_in"].get(lang, ())])
        for lang in [*data["patterns"], ""]
    }
    every = [p for group in patterns.values() for p in group]
    return _Lexicon(
        # A message is searched with its language's phrases plus English ones (street
        # English creeps into every language); one regex of all eleven is much slower.
        phrases={
            lang: re.compile("|".join(f"(?:{p})" for p in dict.fromkeys([*group, *patterns["en"]])))
            for lang, group in patterns.items()
        }
        | {"": re.compile("|".join(f"(?:{p})" for p in every))},
        self_denying=re.compile("|".join(f"(?:{p})" for p in every if denials[""].search(p))),
        # Longest first, so "hidrante de incendios" is removed whole, not as "hidrante".
        exclusions=_alternatives(sorted(data["exclusions"], key=len, reverse=True)),
        routine=_alternatives(data["routine_context"]["patterns"]),
        reassurance=_alternatives(data["reassurance"]["patterns"]),
        harm=_alternatives(data["reassurance"]["cancels"]),
        smoke_sources=_alternatives(data["harmless_smoke"]["sources"]),
        smoke=_alternatives(data["harmless_smoke"]["smoke"]),
        # A denial shortly before or inside the phrase: "not sparking", "pas d'etincelles".
        negation_before=denials,
        negation_after=re.compile("|".join(re.escape(fold(w)) for w in data["negations"]["after"])),
    )


def _denial(words: list[str]) -> re.Pattern[str]:
    folded = [fold(w) for w in words]
    spaced = "|".join(re.escape(w) for w in folded if w.isascii() or not _is_cjk(w))
    unspaced = "|".join(re.escape(w) for w in folded if not w.isascii() and _is_cjk(w))
    return re.compile(rf"(?:(?:^|[^\w])(?:{spaced})(?:[^\w]|$)|{unspaced})")


def _is_cjk(word: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af" for c in word)


def is_routine_context(text: str) -> bool:
    """A tag that says FIRE, a crash last week: about a routine problem, not a present danger."""
    return _lexicon().routine.search(fold(text)) is not None


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the lexicon sees in one message, read once."""

    phrase: bool  # an emergency phrase, not denied
    calmed: bool  # a reassurance, a harmless look-alike or a harmless source of smoke


def _read(text: str, language: str) -> _Reading:
    lexicon = _lexicon()
    folded = fold(text)
    cleaned = lexicon.exclusions.sub(" ", folded)
    excluded = cleaned != folded
    reassured = lexicon.reassurance.search(folded) is not None
    smoke_source = lexicon.smoke_sources.search(folded) is not None
    # "Crashed into the sign, nobody hurt": the harm is denied, a gas smell would not be.
    if reassured:
        cleaned = lexicon.harm.sub(" ", cleaned)
    # "The neighbour's barbecue smoke comes in": smoke with its harmless source.
    if smoke_source:
        cleaned = lexicon.smoke.sub(" ", cleaned)
    calmed = excluded or reassured or smoke_source
    denial = lexicon.negation_before.get(language, lexicon.negation_before[""])
    for match in lexicon.phrases.get(language, lexicon.phrases[""]).finditer(cleaned):
        # Long phrases ("wire ... sparking") are also denied from inside, unless the
        # denial is their own ("lying on the stairs and won't answer"); short ones may
        # start with a negation themselves ("pa respire": not breathing).
        long = match.end() - match.start() > 25
        own = long and lexicon.self_denying.fullmatch(cleaned, match.start(), match.end()) is not None
        window_end = match.end() if long and not own else match.start()
        denied_before = denial.search(cleaned[max(0, match.start() - 14) : window_end])
        denied_after = lexicon.negation_after.search(cleaned[match.end() : match.end() + 6])
        if not (denied_before or denied_after):
            return _Reading(True, calmed)
    return _Reading(False, calmed)


def matches_emergency_phrase(text: str, language: str = "") -> bool:
    """Whether an emergency phrase occurs; ``language`` narrows the search ("" = all)."""
    return _read(text, language).phrase


def detect_emergency(text: str, model: TextClassifier | None, language: str = "") -> EmergencyGuess:
    """Lexicon phrases, then the model (when given) for what the phrases do not decide."""
    # A tag that says FIRE, a fire last year: tried, the model then raised false alarms.
    if not text.strip() or is_routine_context(text):
        return EmergencyGuess(False, 0.0)
    reading = _read(text, language)
    if reading.phrase:
        return EmergencyGuess(True, 1.0)
    if model is None or len(text.strip()) < MODEL_MIN_CHARS or reading.calmed:
        # A word or two ("no", "ok") is too little for the model, which once heard an
        # emergency in "no"; "no one was hurt" is not one either, nor a message whose
        # only alarming words are a known harmless phrase ("fire hydrant", "smoke
        # detector") or smoke with its harmless source. The phrases still catch "fire!".
        return EmergencyGuess(False, 0.0)
    score = dict(model.predict(text).ranked).get("true", 0.0)
    return EmergencyGuess(score >= MODEL_THRESHOLD, round(score, 4))
