"""The languages the bot speaks, and what each needs from Babel and the web page."""

from __future__ import annotations

from typing import Final

DEFAULT_LANGUAGE: Final = "en"

# Order is the order of the language menu: the city's most requested languages first.
SUPPORTED: Final[tuple[str, ...]] = ("en", "es", "zh", "vi", "fr", "ht", "ar", "tl", "ru", "ko", "pt")

# Our codes are what residents' messages are detected as; Babel (CLDR) names two of
# them differently: Chinese is written in Simplified characters, Tagalog is Filipino.
_BABEL_LOCALE: Final = {"zh": "zh_Hans_CN", "tl": "fil_PH", "pt": "pt_BR", "ht": "ht_HT"}

RIGHT_TO_LEFT: Final = frozenset({"ar"})


def babel_locale(language: str) -> str:
    return _BABEL_LOCALE.get(language, language)


def supported(language: str | None) -> str:
    """The language itself when the bot speaks it, otherwise the default."""
    return language if language in SUPPORTED else DEFAULT_LANGUAGE
