"""What an outbound message becomes on Telegram, and what its errors mean (no network)."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError, TimedOut

from channels.base import OutboundMessage, PermanentDeliveryError, QuickReplyOption, TemporaryDeliveryError
from channels.telegram.send import PlannedMessage, delivery_error, plan, split_text, utf16_length


def test_short_text_is_one_part() -> None:
    assert split_text("Hello") == ["Hello"]


def test_text_splits_at_a_paragraph_break_first() -> None:
    first, second = "a " * 30 + "end.", "b " * 10
    assert split_text(f"{first}\n\n{second}", limit=70) == [first, second]


def test_a_word_longer_than_a_part_is_cut() -> None:
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


def test_parts_are_counted_in_utf16_units_as_telegram_does() -> None:
    text = "🚧" * 3000  # each is two UTF-16 units: 6,000 in all
    parts = split_text(text)
    assert "".join(parts) == text
    assert [utf16_length(p) for p in parts] == [4096, 6000 - 4096]


def test_photo_without_text_carries_the_keyboard() -> None:
    options = (QuickReplyOption("Yes", "yes"),)
    [planned] = plan(OutboundMessage("telegram", "1", "", quick_replies=options, photo_url="https://x/p.jpg"))
    assert planned.photo == "https://x/p.jpg" and planned.text == ""
    assert planned.keyboard is not None and planned.keyboard.inline_keyboard[0][0].callback_data == "yes"


def test_plain_text_is_one_message_without_keyboard() -> None:
    assert plan(OutboundMessage("telegram", "1", " Hello ")) == [PlannedMessage("Hello")]


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), PermanentDeliveryError),
        (BadRequest("Chat not found"), PermanentDeliveryError),
        (ChatMigrated(-100123), PermanentDeliveryError),
        (TimedOut(), TemporaryDeliveryError),
        (NetworkError("Bad Gateway"), TemporaryDeliveryError),
        (NetworkError("Internal Server Error (500)"), TemporaryDeliveryError),
        (TelegramError("something new"), TemporaryDeliveryError),
    ],
)
def test_errors_map_to_temporary_or_permanent(error: TelegramError, kind: type[Exception]) -> None:
    assert type(delivery_error(error, "send")) is kind


def test_the_token_is_removed_from_error_descriptions() -> None:
    mapped = delivery_error(
        NetworkError("httpx.ConnectError: http://x/bot1:secret/sendMessage"), "send", token="1:secret"
    )
    assert "1:secret" not in str(mapped) and "<token>" in str(mapped)
