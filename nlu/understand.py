"""The one entry point: everything the dialogue engine needs to know about a message."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from nlu.classifier import TextClassifier
from nlu.emergency import EmergencyGuess, detect_emergency
from nlu.intents import Intent, IntentGuess, classify_intent
from nlu.language import LanguageGuess, detect_language
from nlu.location import LocationText, find_location
from nlu.text import clean
from nlu.training import is_trained, model_dir, train_all

log = logging.getLogger(__name__)
ALTERNATIVES = 3
RULE_CONFIDENCE = 0.95
_NOT_REPORTS = frozenset({Intent.STATUS, Intent.CHOICE, Intent.OPT_OUT, Intent.OPT_IN, Intent.CHANGE_LANGUAGE})


@dataclass(frozen=True, slots=True)
class Understood:
    """What one message says, as far as can be told without the conversation."""

    text: str
    language: LanguageGuess
    category: str | None
    category_confidence: float
    alternatives: tuple[tuple[str, float], ...]
    intent: IntentGuess
    emergency: EmergencyGuess
    location: LocationText | None


class Understanding:
    """The trained models, loaded once per process."""

    def __init__(
        self, category: TextClassifier, intent: TextClassifier, emergency: TextClassifier, language: TextClassifier
    ) -> None:
        self._category = category
        self._intent = intent
        self._emergency = emergency
        self._language = language

    @classmethod
    def load(cls, directory: Path) -> Understanding:
        return cls(*(TextClassifier.load(directory / name) for name in ("category", "intent", "emergency", "language")))

    @classmethod
    def load_or_train(cls, models_root: Path) -> Understanding:
        """Loads the models for the current examples, training them first if needed."""
        directory = model_dir(models_root)
        if not is_trained(directory):
            log.info("training the understanding models into %s", directory)
            # Trained beside the final folder and renamed into place, so another process
            # never loads half a model; if one finished first, its models are kept.
            staging = directory.with_name(f"{directory.name}.partial-{os.getpid()}")
            train_all(staging)
            if directory.exists():
                shutil.rmtree(staging, ignore_errors=True)
            else:
                staging.replace(directory)
        return cls.load(directory)

    def understand(self, text: str, *, current_language: str = "en") -> Understood:
        text = clean(text)
        language = detect_language(text, current_language, self._language)
        if not text:
            return Understood(
                text, language, None, 0.0, (), IntentGuess(Intent.REPORT, 0.0), EmergencyGuess(False, 0.0), None
            )
        category = self._category.predict(text)
        intent = classify_intent(text, self._intent)
        # A message the rules read for sure as something else ("status 311-000123 K7Q2XM",
        # "2", "STOP") is not left to the emergency model; its phrases still count.
        routine = intent.confidence >= RULE_CONFIDENCE and intent.intent in _NOT_REPORTS
        return Understood(
            text=text,
            language=language,
            category=category.label,
            category_confidence=category.confidence,
            alternatives=category.ranked[1 : 1 + ALTERNATIVES],
            intent=intent,
            emergency=detect_emergency(text, None if routine else self._emergency, language.code),
            location=find_location(text),
        )
