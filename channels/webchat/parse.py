"""Turning a web chat request into the common inbound message, with bounded input."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.dialogue.messages import GeoPoint, InboundMessage, Photo

CHANNEL = "web"
MAX_IDEMPOTENCY_KEY = 100


class WebchatInputError(ValueError):
    """Input the chat refuses; ``key`` names the localized message that explains why."""

    def __init__(self, key: str, status: int, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.params = params


@dataclass(frozen=True, slots=True)
class WebchatRequest:
    """What the browser sent, before it is checked."""

    session_id: str
    text: str | None
    location: Any  # the JSON value of "location", untrusted
    photo: Photo | None
    idempotency_key: str | None


def parse_message(request: WebchatRequest, *, max_text: int, language: str, now: datetime) -> InboundMessage:
    text = (request.text or "").strip()
    if len(text) > max_text:
        raise WebchatInputError("error.too_long", 413, limit=max_text)
    location = _location(request.location)
    if not text and location is None and request.photo is None:
        raise WebchatInputError("conversation.unsupported_content", 422)
    key = (request.idempotency_key or "").strip()[:MAX_IDEMPOTENCY_KEY]
    return InboundMessage(
        channel=CHANNEL,
        sender_id=request.session_id,
        # Scoped by session: one browser's keys can never collide with another's.
        message_id=f"{request.session_id}:{key or uuid.uuid4().hex}",
        received_at=now,
        text=text,
        location=location,
        photos=(request.photo,) if request.photo else (),
        language_hint=language,
    )


def _location(value: Any) -> GeoPoint | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise WebchatInputError("conversation.unsupported_content", 422)
    lat, lon = _number(value.get("lat")), _number(value.get("lon"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise WebchatInputError("conversation.unsupported_content", 422)
    return GeoPoint(lat, lon)


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None
