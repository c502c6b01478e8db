"""Every language says everything English says, with the same placeholders and the
plural forms its CLDR rules need."""

from __future__ import annotations

import pytest
from babel import Locale

from locales import SUPPORTED, catalogs
from locales.catalog import Plural, placeholders
from locales.languages import babel_locale

ENGLISH = catalogs().entries("en")


def test_every_supported_language_has_a_catalog() -> None:
    assert set(catalogs().languages) == set(SUPPORTED)


@pytest.mark.parametrize("language", [code for code in SUPPORTED if code != "en"])
def test_no_key_is_missing_or_extra(language: str) -> None:
    entries = catalogs().entries(language)
    assert sorted(ENGLISH.keys() - entries.keys()) == []
    assert sorted(entries.keys() - ENGLISH.keys()) == []


@pytest.mark.parametrize("language", SUPPORTED)
def test_placeholders_match_english(language: str) -> None:
    entries = catalogs().entries(language)
    differing = {
        key: (sorted(placeholders(entries[key])), sorted(placeholders(english)))
        for key, english in ENGLISH.items()
        if key in entries and placeholders(entries[key]) != placeholders(english)
    }
    assert differing == {}


@pytest.mark.parametrize("language", SUPPORTED)
def test_plural_messages_have_each_form_the_language_uses(language: str) -> None:
    locale = Locale.parse(babel_locale(language))
    needed = {locale.plural_form(n) for n in range(0, 1001)} | {"other"}
    entries = catalogs().entries(language)
    for key, english in ENGLISH.items():
        entry = entries[key]
        assert isinstance(entry, Plural) == isinstance(english, Plural), key
        if isinstance(entry, Plural):
            assert needed <= set(entry.forms), (key, sorted(entry.forms))
            assert set(entry.forms) <= {"zero", "one", "two", "few", "many", "other"}


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_message_renders_without_leftover_placeholders(language: str) -> None:
    sample = {"count": 3, "case_id": "311-000123", "place": "1450 Oak St", "category": "Pothole", "status": "Received"}
    sample |= {"team": "Public Works", "due": "Friday", "date": "Monday", "number": "911", "limit": 10}
    sample |= {"reason": "The problem was fixed.", "note": "Patched today.", "text": "We will come on Monday."}
    sample |= {"code": "K7Q2XM"}
    for key in ENGLISH:
        text = catalogs().render(key, language, **sample)
        assert text.strip(), key
        assert "{" not in text, (key, text)


def test_russian_counts_take_their_own_forms() -> None:
    render = catalogs().render
    assert render("conversation.photo_received", "ru", count=1) != render("conversation.photo_received", "ru", count=5)
    assert "1,000" in render("conversation.photo_received", "en", count=1000)
    assert "1.000" in render("conversation.photo_received", "es", count=1000) or "1000" in render(
        "conversation.photo_received", "es", count=1000
    )
