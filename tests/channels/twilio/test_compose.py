"""Outbound text for SMS and WhatsApp: numbered quick replies, parts Twilio accepts."""

from __future__ import annotations

import pytest

from channels.base import QuickReplyOption
from channels.twilio.compose import MAX_PART, split_text, with_quick_replies


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_quick_replies_become_a_numbered_list() -> None:
    options = (QuickReplyOption("Yes, send it", "yes"), QuickReplyOption("Change something", "no"))
    assert with_quick_replies("Send the report?", options) == "Send the report?\n\n1 Yes, send it\n2 Change something"


def test_no_quick_replies_leaves_the_text() -> None:
    assert with_quick_replies("Thanks!", ()) == "Thanks!"


def test_short_text_is_one_part() -> None:
    assert split_text("  Thanks, we got it.  ") == ["Thanks, we got it."]


def test_empty_text_is_no_part() -> None:
    assert split_text("   ") == []


def test_long_text_splits_at_sentences() -> None:
    sentence = "The crew will look at the pothole on Oak St this week. "
    text = sentence * 60  # about 3,300 characters
    parts = split_text(text)
    assert len(parts) == 3
    assert all(len(part) <= MAX_PART and part.endswith("week.") for part in parts)
    assert " ".join(parts) == text.strip()


def test_paragraphs_are_preferred_to_sentences() -> None:
    first = "First paragraph. " * 50
    text = f"{first.strip()}\n\n{'Second one. ' * 100}"
    parts = split_text(text, limit=1200)
    assert parts[0] == first.strip()


def test_text_without_sentences_splits_at_words() -> None:
    text = " ".join(["pothole"] * 600)
    parts = split_text(text, limit=100)
    assert all(len(part) <= 100 and not part.startswith(" ") for part in parts)
    assert " ".join(parts) == text


def test_one_long_word_is_cut() -> None:
    assert split_text("x" * 250, limit=100) == ["x" * 100, "x" * 100, "x" * 50]


def test_emoji_count_twice() -> None:
    text = "🚧" * 1000  # 2,000 UTF-16 code units
    parts = split_text(text)
    assert [units(part) for part in parts] == [1600, 400]


@pytest.mark.parametrize("limit", [1, 0])
def test_limit_must_hold_something(limit: int) -> None:
    with pytest.raises(ValueError):
        split_text("hello", limit=limit)
