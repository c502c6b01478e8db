"""Message catalogs: one YAML file per language, rendered with CLDR plural rules.

A message is a string with ``{placeholders}``, or a mapping of CLDR plural categories
(``one``, ``few``, ``other``...) chosen by the ``count`` parameter. Keys are dotted paths
into the file (``conversation.ask_location``, ``category.pothole.name``).
"""

from __future__ import annotations

import logging
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel.numbers import format_decimal

from locales.languages import DEFAULT_LANGUAGE, SUPPORTED, babel_locale

log = logging.getLogger(__name__)
MESSAGES_DIR = Path(__file__).with_name("messages")
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
_FORMATTER = string.Formatter()


@dataclass(frozen=True, slots=True)
class Plural:
    """One message in each plural category the language distinguishes."""

    forms: Mapping[str, str]


Entry = str | Plural


class CatalogError(ValueError):
    """A catalog file that cannot be used: bad YAML, a value of the wrong type."""


def placeholders(entry: Entry) -> frozenset[str]:
    """The parameter names a message uses; a plural's ``count`` may be left implicit."""
    texts = entry.forms.values() if isinstance(entry, Plural) else (entry,)
    names = {name for text in texts for _, name, _, _ in _FORMATTER.parse(text) if name}
    return frozenset(names - {"count"}) if isinstance(entry, Plural) else frozenset(names)


class Catalogs:
    """Every language's messages; a key missing in one language falls back to English."""

    def __init__(self, entries: Mapping[str, Mapping[str, Entry]]) -> None:
        self._entries = entries
        self._locales = {language: Locale.parse(babel_locale(language)) for language in entries}

    @classmethod
    def load(cls, directory: Path = MESSAGES_DIR) -> Catalogs:
        entries = {}
        for language in SUPPORTED:
            path = directory / f"{language}.yaml"
            if path.exists():
                entries[language] = dict(_flatten(_read(path)))
        if DEFAULT_LANGUAGE not in entries:
            raise CatalogError(f"no {DEFAULT_LANGUAGE}.yaml in {directory}")
        return cls(entries)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def entries(self, language: str) -> Mapping[str, Entry]:
        return self._entries[language]

    def has(self, key: str) -> bool:
        return key in self._entries[DEFAULT_LANGUAGE]

    def render(self, key: str, language: str, /, **params: Any) -> str:
        """The message in the language, with its parameters filled in.

        Numbers are written the language's way; a parameter the text does not use is
        ignored, and a missing one is left visible rather than failing the conversation.
        """
        language = language if language in self._entries else DEFAULT_LANGUAGE
        entry = self._entries[language].get(key)
        if entry is None:
            log.warning("message %s is missing in %s", key, language)
            language, entry = DEFAULT_LANGUAGE, self._entries[DEFAULT_LANGUAGE][key]
        locale = self._locales[language]
        if isinstance(entry, Plural):
            count = int(params.get("count", 0))
            entry = entry.forms.get(locale.plural_form(count)) or entry.forms["other"]
        values = {name: _formatted(value, locale) for name, value in params.items()}
        return entry.format_map(_Lenient(values))

    def language_name(self, language: str) -> str:
        """The language's own name for itself ("Español", "中文")."""
        return self.render("language_name", language)


def _formatted(value: Any, locale: Locale) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return format_decimal(value, locale=locale)
    return value


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        log.warning("message parameter %s was not given", key)
        return "{" + key + "}"


def _read(path: Path) -> Mapping[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CatalogError(f"{path.name}: {error}") from error
    if not isinstance(document, dict):
        raise CatalogError(f"{path.name}: expected a mapping of messages")
    return document


def _flatten(node: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Entry]]:
    for name, value in node.items():
        if not isinstance(name, str):
            # YAML 1.1 reads an unquoted yes/no/on/off key as a boolean.
            raise CatalogError(f"{prefix}{name!r}: keys must be strings (quote yes/no/on/off)")
        key = f"{prefix}{name}"
        if isinstance(value, str):
            yield key, value
        elif isinstance(value, dict) and value and set(value) <= PLURAL_CATEGORIES and "other" in value:
            if not all(isinstance(form, str) for form in value.values()):
                raise CatalogError(f"{key}: every plural form must be text")
            yield key, Plural(dict(value))
        elif isinstance(value, dict):
            yield from _flatten(value, f"{key}.")
        else:
            raise CatalogError(f"{key}: expected text, plural forms or a section, got {type(value).__name__}")


@cache
def catalogs() -> Catalogs:
    """The catalogs shipped with the product, read once per process."""
    return Catalogs.load()
