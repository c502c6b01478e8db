"""What an outbound message becomes on Telegram, and what Telegram's errors mean for delivery.

Pure: the adapter performs the planned calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError

from channels.base import OutboundMessage, PermanentDeliveryError, QuickReplyOption, TemporaryDeliveryError

MAX_MESSAGE = 4096  # sendMessage text
MAX_CAPTION = 1024  # sendPhoto caption
MAX_CALLBACK_DATA = 64  # bytes of UTF-8
_CHAT_ID = re.compile(r"-?[0-9]{1,20}")


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    """One Bot API call: sendPhoto when ``photo`` is set (``text`` is its caption), else sendMessage."""

    text: str
    photo: str | None = None
    keyboard: InlineKeyboardMarkup | None = None


def chat_id(recipient: str) -> int:
    """The numeric chat id an identity's address holds."""
    if not _CHAT_ID.fullmatch(recipient):
        raise PermanentDeliveryError("a Telegram recipient must be a numeric chat id")
    return int(recipient)


def plan(message: OutboundMessage) -> list[PlannedMessage]:
    """The calls that show ``message``: a photo with its caption (or followed by the text when
    the text is longer than a caption), the text in parts of at most 4,096 characters, and the
    quick replies as inline buttons under the last part."""
    keyboard = inline_keyboard(message.quick_replies)
    text = message.text.strip()
    if message.photo_url:
        if utf16_length(text) <= MAX_CAPTION:
            return [PlannedMessage(text, message.photo_url, keyboard)]
        planned = [PlannedMessage("", message.photo_url)]
    elif not text:
        raise PermanentDeliveryError("an empty message cannot be sent on Telegram")
    else:
        planned = []
    parts = split_text(text)
    planned += [PlannedMessage(part) for part in parts[:-1]]
    planned.append(PlannedMessage(parts[-1], keyboard=keyboard))
    return planned


def inline_keyboard(options: tuple[QuickReplyOption, ...]) -> InlineKeyboardMarkup | None:
    """One button per row (labels stay readable on a phone); pressing one sends its value back
    as callback data, which the webhook turns into ``button_payload``."""
    if not options:
        return None
    for option in options:
        if not option.value or len(option.value.encode()) > MAX_CALLBACK_DATA:
            raise PermanentDeliveryError(
                f"quick reply value {option.value[:20]!r}… does not fit Telegram's 64-byte callback data"
            )
    return InlineKeyboardMarkup([[InlineKeyboardButton(o.label, callback_data=o.value)] for o in options])


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Splits text into parts of at most ``limit`` UTF-16 code units (how Telegram counts),
    at a paragraph, line or word break where one is in the second half of the part."""
    parts: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        fit = _chars_fitting(rest, limit)
        cut = _break_point(rest[:fit])
        part, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if part:
            parts.append(part)
    if rest or not parts:
        parts.append(rest)
    return parts


def utf16_length(text: str) -> int:
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def _break_point(window: str) -> int:
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator)
        if at >= len(window) // 2:
            return at
    return len(window)


def _chars_fitting(text: str, limit: int) -> int:
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return max(index, 1)
    return len(text)


def delivery_error(
    error: TelegramError, action: str, *, token: str = ""
) -> TemporaryDeliveryError | PermanentDeliveryError:
    """What a Bot API error means for the message: retry later, or never.

    Temporary: flood control (429, with Telegram's retry_after), timeouts, network errors and
    5xx (python-telegram-bot raises NetworkError for those), and a rejected token (a
    configuration fault: retried, so messages go out once the token is fixed).
    Permanent: the resident blocked the bot (403), the chat does not exist or the request is
    invalid (400), a group that became a supergroup.
    """
    message = error.message.replace(token, "<token>") if token else error.message
    description = f"Telegram {action}: {message}"
    if isinstance(error, RetryAfter):
        return TemporaryDeliveryError(description, retry_after=retry_after_seconds(error))
    if isinstance(error, Forbidden | BadRequest | ChatMigrated):
        return PermanentDeliveryError(description)
    if isinstance(error, InvalidToken):
        return TemporaryDeliveryError(f"Telegram {action}: the bot token was rejected (check TELEGRAM_BOT_TOKEN)")
    # NetworkError (TimedOut, 5xx answers) and anything unforeseen: retried, a bounded number of times.
    return TemporaryDeliveryError(description)


def retry_after_seconds(error: RetryAfter) -> float:
    # Since PTB 22.2 the public ``retry_after`` warns about its coming change of type (int ->
    # timedelta); the stored timedelta says the same without the warning.
    value = getattr(error, "_retry_after", None)
    if value is None:
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
