"""Text normalisation shared by every understanding step."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_CHARS = 2000  # longer messages are cut; the first part carries the report

_SPACES = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_HTML_TAG = re.compile(r"<[^>]{0,200}>")


def clean(text: str) -> str:
    """NFKC, no control characters, tags or URLs, single spaces, bounded length."""
    text = _CONTROL.sub(" ", text[: MAX_CHARS * 2])
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub(" ", _HTML_TAG.sub(" ", text))
    return _SPACES.sub(" ", text).strip()[:MAX_CHARS]


@lru_cache(maxsize=1024)
def fold(text: str) -> str:
    """Lowercase without accents: residents type "nino", "niño" and "NIÑO" alike.

    Only combining marks are removed, so Chinese, Korean, Arabic and Cyrillic letters
    stay as they are (Korean syllables are recomposed after decomposition). Cached:
    every model and the emergency lexicon fold the same message.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).replace("đ", "d").replace("ß", "ss")
