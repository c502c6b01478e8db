"""What the resident wants from this message: a report, a status question, yes, stop...

Unambiguous forms are decided by rules (a bare number is a choice, "STOP" opts out,
a case number asks for its status, a language's name switches to it); everything else
by the trained intent model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from nlu.classifier import TextClassifier
from nlu.text import fold

LEXICON_DIR = Path(__file__).with_name("data") / "lexicon"


class Intent(StrEnum):
    REPORT = "report"
    ADD_INFO = "add_info"
    STATUS = "status"
    CANCEL = "cancel"
    RESTART = "restart"
    HELP = "help"
    GREETING = "greeting"
    THANKS = "thanks"
    YES = "yes"
    NO = "no"
    CHOICE = "choice"
    CHANGE_LANGUAGE = "change_language"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HUMAN = "human"


@dataclass(frozen=True, slots=True)
class IntentGuess:
    intent: Intent
    confidence: float
    choice: int | None = None
    language: str | None = None


# Carrier-standard SMS keywords, matched only as the whole message.
_KEYWORDS = {
    "stop": Intent.OPT_OUT,
    "stopall": Intent.OPT_OUT,
    "unsubscribe": Intent.OPT_OUT,
    "end": Intent.OPT_OUT,
    "quit": Intent.OPT_OUT,
    "start": Intent.OPT_IN,
    "unstop": Intent.OPT_IN,
    "subscribe": Intent.OPT_IN,
    "help": Intent.HELP,
    "info": Intent.HELP,
    "cancel": Intent.CANCEL,
    # The same words in the languages residents write in, as a whole message.
    **dict.fromkeys(
        (
            "alto", "parar", "detener", "baja", "desuscribir", "cancelar suscripcion", "cancelar suscripción",
            "arret", "arrêt", "arreter", "arrêter", "desabonner", "désabonner", "sispann", "kanpe",
            "huminto", "tumigil", "itigil", "dung", "dừng", "dung lai", "dừng lại", "huy dang ky", "hủy đăng ký",
            "停止", "退订", "取消订阅", "정지", "중지", "수신거부", "стоп", "отписаться", "отписка",
            "توقف", "ايقاف", "إيقاف", "الغاء الاشتراك", "إلغاء الاشتراك", "sair", "descadastrar",
        ),
        Intent.OPT_OUT,
    ),
}
_NUMBER = re.compile(
    r"^\s*(?:#|no\.?|n[º°]|number|numero|número|option|opción|opcion|option|số|номер)?\s*(\d{1,2})\s*[.)!]?\s*$",
    re.IGNORECASE,
)
_CASE_NUMBER = re.compile(r"\b311-?\d{3,}\b")
_ORDINALS = {
    1: (
        "first",
        "1st",
        "primero",
        "primera",
        "premier",
        "premiere",
        "premye",
        "una",
        "una po",
        "unang",
        "первый",
        "первое",
        "첫",
        "첫번째",
        "첫 번째",
        "primeiro",
        "primeira",
        "thu nhat",
        "dau tien",
        "第一",
        "第一个",
        "الأول",
        "الاول",
    ),
    2: (
        "second",
        "2nd",
        "segundo",
        "segunda",
        "deuxieme",
        "second",
        "dezyem",
        "pangalawa",
        "ikalawa",
        "второй",
        "второе",
        "두번째",
        "두 번째",
        "thu hai",
        "第二",
        "第二个",
        "الثاني",
    ),
    3: (
        "third",
        "3rd",
        "tercero",
        "tercera",
        "troisieme",
        "twazyem",
        "pangatlo",
        "ikatlo",
        "третий",
        "третье",
        "세번째",
        "세 번째",
        "terceiro",
        "terceira",
        "thu ba",
        "第三",
        "第三个",
        "الثالث",
    ),
    4: (
        "fourth",
        "4th",
        "cuarto",
        "cuarta",
        "quatrieme",
        "katriyem",
        "pang-apat",
        "четвертый",
        "네번째",
        "네 번째",
        "quarto",
        "quarta",
        "thu tu",
        "第四",
        "الرابع",
    ),
}


@cache
def language_names() -> dict[str, str]:
    """Every name of a supported language (folded) → its code; "menu" words → ""."""
    path = LEXICON_DIR / "languages.json"
    if not path.is_file():
        return {}
    names: dict[str, str] = {}
    for code, spellings in json.loads(path.read_text(encoding="utf-8")).items():
        for name in spellings:
            key = fold(name).strip()
            # Two-letter Latin words ("en", "es") are ordinary words in other languages.
            if len(key) >= 3 or not key.isascii():
                names[key] = "" if code == "menu" else code
    return names


def classify_intent(text: str, model: TextClassifier) -> IntentGuess:
    stripped = text.strip()
    folded = fold(stripped)
    bare = re.sub(r"[^\w\s-]", " ", folded).strip()
    if not bare:
        return IntentGuess(Intent.YES, 0.6) if "👍" in stripped else IntentGuess(Intent.REPORT, 0.0)
    if bare in _KEYWORDS:
        return IntentGuess(_KEYWORDS[bare], 0.99)
    number = _NUMBER.match(folded)
    if number:
        return IntentGuess(Intent.CHOICE, 0.97, choice=int(number.group(1)))
    if _CASE_NUMBER.search(folded):
        return IntentGuess(Intent.STATUS, 0.95)
    language = _named_language(bare)
    if language is not None:
        return IntentGuess(Intent.CHANGE_LANGUAGE, 0.95, language=language or None)
    guess = model.predict(stripped)
    intent = Intent(guess.label)
    if intent is Intent.CHOICE:
        return IntentGuess(intent, guess.confidence, choice=_ordinal(bare))
    if intent is Intent.CHANGE_LANGUAGE:
        return IntentGuess(intent, guess.confidence, language=_mentioned_language(bare))
    return IntentGuess(intent, guess.confidence)


def _named_language(bare: str) -> str | None:
    """The code when the message is just a language's name (or the word "language")."""
    names = language_names()
    if bare in names:
        return names[bare]
    words = bare.split()
    if len(words) <= 4:
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                code = names.get(" ".join(words[start : start + size]))
                if code:  # a language named inside a short message: "espanol por favor"
                    return code
    return None


def _mentioned_language(bare: str) -> str | None:
    names = language_names()
    words = bare.split()
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            code = names.get(" ".join(words[start : start + size]))
            if code:
                return code
    return None


def _ordinal(bare: str) -> int | None:
    digits = re.search(r"\b(\d{1,2})\b", bare)
    if digits:
        return int(digits.group(1))
    for value, words in _ORDINALS.items():
        if any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", bare) for word in words):
            return value
    return None
