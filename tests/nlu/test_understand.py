"""The whole understanding step on messages residents really send."""

from __future__ import annotations

import pytest

from nlu.intents import Intent
from nlu.understand import Understanding


@pytest.mark.parametrize(
    ("text", "language", "category"),
    [
        ("theres a crater on main and 5th", "en", "pothole"),
        ("hay un bache enorme enfrente del 230 de Elm Street", "es", "pothole"),
        ("Pine Ave 88号门口路面有个大坑", "zh", "pothole"),
        ("уберите горы снега с тротуара", "ru", "snow_ice"),
    ],
)
def test_the_issue_examples(understanding: Understanding, text: str, language: str, category: str) -> None:
    result = understanding.understand(text)
    assert (result.language.code, result.category) == (language, category)
    assert result.intent.intent is Intent.REPORT
    assert not result.emergency.emergency


def test_alternatives_follow_the_best_guess_in_order(understanding: Understanding) -> None:
    result = understanding.understand("there is something wrong near the park")
    probabilities = [result.category_confidence] + [p for _, p in result.alternatives]
    assert probabilities == sorted(probabilities, reverse=True)
    assert len(result.alternatives) == 3
    assert result.category not in {code for code, _ in result.alternatives}


@pytest.mark.parametrize(
    "text",
    [
        "I smell gas in my building",
        "huele a gas en la cocina de mi vecino",
        "power line down and sparking on Elm St",
        "a man is bleeding on the sidewalk, he got hit by a car",
        "the house next door is on fire",
    ],
)
def test_emergencies_are_flagged(understanding: Understanding, text: str) -> None:
    assert understanding.understand(text).emergency.emergency


@pytest.mark.parametrize(
    "text",
    [
        "the fire hydrant on Oak St is leaking a little",
        "the streetlight pole was painted fire-engine red by vandals",
        "pothole on Main St",
    ],
)
def test_routine_reports_are_not_emergencies(understanding: Understanding, text: str) -> None:
    assert not understanding.understand(text).emergency.emergency


@pytest.mark.parametrize(
    ("text", "intent", "extra"),
    [
        ("2", Intent.CHOICE, {"choice": 2}),
        ("STOP", Intent.OPT_OUT, {}),
        ("start", Intent.OPT_IN, {}),
        ("status 311-000123", Intent.STATUS, {}),
        ("español", Intent.CHANGE_LANGUAGE, {"language": "es"}),
        ("中文", Intent.CHANGE_LANGUAGE, {"language": "zh"}),
        ("cancel", Intent.CANCEL, {}),
        ("what's the status of my request?", Intent.STATUS, {}),
        ("yes", Intent.YES, {}),
        ("no", Intent.NO, {}),
        ("thank you so much", Intent.THANKS, {}),
        ("I want to talk to a real person", Intent.HUMAN, {}),
    ],
)
def test_intents(understanding: Understanding, text: str, intent: Intent, extra: dict[str, object]) -> None:
    guess = understanding.understand(text).intent
    assert guess.intent is intent
    for name, value in extra.items():
        assert getattr(guess, name) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "🙂🙂🙂👍",
        "x" * 10_000,
        "pothole " * 2000,
        "Pine Ave 88号 яма حفرة 구멍 bache",
        "\x00\x07\x1b[31m pothole \u202e\ud800",
        "<b>pothole</b><script>alert('x')</script>",
        "123456 7890",
        "311-000001",
    ],
)
def test_any_input_gives_a_valid_result(understanding: Understanding, text: str) -> None:
    result = understanding.understand(text, current_language="vi")
    assert result.language.code in {"en", "es", "zh", "vi", "fr", "ht", "ar", "tl", "ru", "ko", "pt"}
    assert 0.0 <= result.category_confidence <= 1.0
    assert result.intent.intent in set(Intent)


def test_short_messages_keep_the_conversation_language(understanding: Understanding) -> None:
    assert understanding.understand("ok", current_language="es").language.code == "es"
    assert understanding.understand("👍", current_language="ko").language.code == "ko"


def test_haitian_creole_is_recognised(understanding: Understanding) -> None:
    result = understanding.understand("gen yon gwo twou nan lari a devan kay mwen")
    assert result.language.code == "ht"
