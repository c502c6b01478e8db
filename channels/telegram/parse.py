"""Turning a Telegram ``Update`` (the webhook's JSON body) into parsed inbound messages.

Pure: no network, no Flask. Photos stay at Telegram (``MediaRef.ref`` is the ``file_id``);
the worker fetches them after the webhook has answered.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeGuard

from bot.dialogue.messages import GeoPoint, InboundMessage
from channels.base import AnomalousPayloadError, MediaRef, ParsedMessage, UnsupportedEventError

CHANNEL = "telegram"
MAX_TEXT = 5000
MAX_DISPLAY_NAME = 100
MAX_BUTTON_PAYLOAD = 64  # Telegram's own limit on callback_data (in bytes)
PHOTO_CONTENT_TYPE = "image/jpeg"  # Telegram re-encodes every "photo" as JPEG

# Things a resident sends that the bot cannot read: answered with what it can read.
_UNREADABLE_CONTENT = (
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "document",
    "contact",
    "dice",
    "poll",
    "game",
    "story",
    "paid_media",
)


def parse_update(data: Any, *, now: datetime) -> list[ParsedMessage]:
    """The messages one Update carries (Telegram sends one Update per webhook call).

    Args:
        data: the decoded JSON body, untrusted.
        now: the time the webhook received it; used where Telegram gives no date
            (a button press).

    Raises:
        AnomalousPayloadError: not an Update (no ``update_id``, wrong types).
        UnsupportedEventError: an Update we do not act on (an edit, a sticker, an inline
            query); ``reply_to`` is set when the resident should be told what the bot reads.
    """
    if not isinstance(data, dict):
        raise AnomalousPayloadError("a Telegram update must be a JSON object")
    update_id = data.get("update_id")
    if not _is_int(update_id):
        raise AnomalousPayloadError("a Telegram update needs an integer update_id")
    if "message" in data:
        return [_parse_message(update_id, _object(data, "message"), now)]
    if "callback_query" in data:
        return [_parse_callback_query(update_id, _object(data, "callback_query"), now)]
    kind = next((key for key in data if key != "update_id"), None)
    if kind is None:
        raise AnomalousPayloadError(f"Telegram update {update_id} carries nothing")
    raise UnsupportedEventError(f"Telegram update {update_id}: {kind} is not handled")


def callback_query_id(data: Any) -> str | None:
    """The id of a button press in an Update, to acknowledge it (stops the button's spinner)."""
    query = data.get("callback_query") if isinstance(data, dict) else None
    query_id = query.get("id") if isinstance(query, dict) else None
    return query_id if isinstance(query_id, str) and 0 < len(query_id) <= 128 else None


def _parse_message(update_id: int, message: dict[str, Any], now: datetime) -> ParsedMessage:
    chat = _object(message, "chat")
    base = _inbound(update_id, chat, message.get("from"), _date(message.get("date"), now))

    text = _text(message.get("text")) or _text(message.get("caption"))
    location: GeoPoint | None = None
    if "venue" in message:
        # Telegram also sends the venue's point as message.location; the venue's is the same.
        venue = _object(message, "venue")
        location = _geo(_object(venue, "location"))
        named = ", ".join(part for part in (_text(venue.get("title")), _text(venue.get("address"))) if part)
        text = "\n".join(part for part in (text, named) if part)
    elif "location" in message:
        location = _geo(_object(message, "location"))

    media = _photo(message.get("photo")) or _image_document(message.get("document"))
    text = text[:MAX_TEXT]
    if not text and location is None and not media:
        kind = next((key for key in _UNREADABLE_CONTENT if key in message), None)
        # Only a resident talking to the bot is answered; not a group's service messages.
        reply_to = base if kind and chat.get("type") == "private" else None
        raise UnsupportedEventError(
            f"Telegram update {update_id}: a message with {kind or 'nothing readable'}", reply_to=reply_to
        )
    return ParsedMessage(replace(base, text=text, location=location), media)


def _parse_callback_query(update_id: int, query: dict[str, Any], now: datetime) -> ParsedMessage:
    message = query.get("message")
    if not isinstance(message, dict):
        # A button under an inline-mode message: the bot sends none of those.
        raise UnsupportedEventError(f"Telegram update {update_id}: a button press without its chat")
    payload = query.get("data")
    if not isinstance(payload, str) or not payload:
        raise UnsupportedEventError(f"Telegram update {update_id}: a button press without data")
    # A button press has no date of its own (message.date is when the bot's message was sent).
    base = _inbound(update_id, _object(message, "chat"), query.get("from"), now)
    return ParsedMessage(replace(base, button_payload=payload[:MAX_BUTTON_PAYLOAD]))


def _inbound(update_id: int, chat: dict[str, Any], sender: Any, received_at: datetime) -> InboundMessage:
    chat_id = chat.get("id")
    if not _is_int(chat_id):
        raise AnomalousPayloadError(f"Telegram update {update_id}: the chat has no integer id")
    sender = sender if isinstance(sender, dict) else {}
    return InboundMessage(
        channel=CHANNEL,
        sender_id=str(chat_id),
        # update_id is unique per bot and the same on Telegram's retries: the idempotency key.
        message_id=str(update_id),
        received_at=received_at,
        language_hint=_language(sender.get("language_code")),
        # The first name only: never the @username, which identifies the resident publicly.
        display_name=_text(sender.get("first_name"))[:MAX_DISPLAY_NAME] or None,
    )


def _photo(sizes: Any) -> tuple[MediaRef, ...]:
    """The largest of the sizes Telegram offers (it lists several scaled copies)."""
    if not isinstance(sizes, list):
        return ()
    usable = [s for s in sizes if isinstance(s, dict) and isinstance(s.get("file_id"), str) and s["file_id"]]
    if not usable:
        return ()
    largest = max(usable, key=lambda s: (_int_or_zero(s.get("width")) * _int_or_zero(s.get("height")), _size(s)))
    return (MediaRef(largest["file_id"], PHOTO_CONTENT_TYPE, _size(largest) or None),)


def _image_document(document: Any) -> tuple[MediaRef, ...]:
    """A photo sent "as a file" (uncompressed): a document with an image type."""
    if not isinstance(document, dict):
        return ()
    mime_type, file_id = document.get("mime_type"), document.get("file_id")
    if not (isinstance(mime_type, str) and mime_type.lower().startswith("image/")):
        return ()
    if not (isinstance(file_id, str) and file_id):
        return ()
    return (MediaRef(file_id, mime_type.lower(), _size(document) or None),)


def _geo(location: dict[str, Any]) -> GeoPoint:
    lat, lon = location.get("latitude"), location.get("longitude")
    if not (_is_number(lat) and _is_number(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise AnomalousPayloadError("a Telegram location needs a latitude and a longitude in range")
    return GeoPoint(float(lat), float(lon))


def _language(code: Any) -> str | None:
    if not isinstance(code, str):
        return None
    prefix = code[:2].lower()
    return prefix if len(prefix) == 2 and prefix.isascii() and prefix.isalpha() else None


def _date(value: Any, default: datetime) -> datetime:
    if _is_int(value) and 0 < value < 2**33:
        return datetime.fromtimestamp(value, UTC)
    return default


def _object(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise AnomalousPayloadError(f"a Telegram update's {key} must be an object")
    return value


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _size(item: dict[str, Any]) -> int:
    return _int_or_zero(item.get("file_size"))


def _int_or_zero(value: Any) -> int:
    return value if _is_int(value) and value > 0 else 0


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
