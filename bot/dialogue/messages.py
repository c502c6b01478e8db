"""The one inbound message every channel adapter produces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class GeoPoint:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo already checked and stored (metadata stripped); ``gps`` was read first."""

    name: str  # the stored file's public name, "<sha256>.<ext>"
    gps: GeoPoint | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    channel: str  # sms | whatsapp | telegram | web
    sender_id: str  # channel-scoped: a phone number, a Telegram chat id, a web chat session
    message_id: str  # the provider's id: the idempotency key
    received_at: datetime
    text: str = ""
    location: GeoPoint | None = None
    photos: tuple[Photo, ...] = ()
    button_payload: str | None = None  # a quick reply pressed (Telegram callback data)
    language_hint: str | None = None  # the language the channel says the resident uses
    display_name: str | None = None

    @property
    def conversation_id(self) -> str:
        return f"{self.channel}:{self.sender_id}"
