"""Situations that need the emergency number, not 311.

Recall matters more than precision: the model's threshold is low, so a doubtful
message is treated as an emergency. The bot then tells the resident to call the
emergency number; a false alarm costs them one message.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlu.classifier import TextClassifier

THRESHOLD = 0.3


@dataclass(frozen=True, slots=True)
class EmergencyGuess:
    emergency: bool
    score: float


def detect_emergency(text: str, model: TextClassifier) -> EmergencyGuess:
    if not text.strip():
        return EmergencyGuess(False, 0.0)
    prediction = model.predict(text)
    score = dict(prediction.ranked).get("true", 0.0)
    return EmergencyGuess(score >= THRESHOLD, round(score, 4))
