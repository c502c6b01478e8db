"""What every channel adapter takes and gives: framework-free requests, parsed inbound
messages (with the media still at the provider), outbound messages and receipts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.dialogue.messages import InboundMessage


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """A provider's HTTP request as received; ``url`` is the public URL it was sent to."""

    url: str
    headers: Mapping[str, str]
    form: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A photo still at the provider: fetched by the worker, after the webhook answered."""

    ref: str  # Twilio: the media URL; Telegram: the file_id
    content_type: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    message: InboundMessage  # without photos yet
    media: tuple[MediaRef, ...] = ()


@dataclass(frozen=True, slots=True)
class QuickReplyOption:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    channel: str  # sms | whatsapp | telegram
    recipient: str  # the identity's address: E.164 number, Telegram chat id
    text: str
    quick_replies: tuple[QuickReplyOption, ...] = ()
    photo_url: str | None = None  # a public URL of a stored photo (staff evidence)
    template_sid: str | None = None  # WhatsApp: an approved template, outside the 24-hour window
    template_variables: Mapping[str, str] = field(default_factory=dict)
    status_callback: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    provider_message_id: str
    status: str  # queued | sent | delivered | read | failed | undeliverable


class UnsupportedEventError(Exception):
    """A real provider event we do not act on (an edited message, a sticker): 200, logged."""

    def __init__(self, description: str, reply_to: InboundMessage | None = None) -> None:
        super().__init__(description)
        self.reply_to = reply_to  # when set, the resident is told what the bot can read


class AnomalousPayloadError(Exception):
    """A request that is not what the provider sends: 400."""


class TemporaryDeliveryError(Exception):
    """Try again later: a timeout, 429 or 5xx. ``retry_after`` seconds when the provider said."""

    def __init__(self, description: str, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.retry_after = retry_after


class PermanentDeliveryError(Exception):
    """Never retried: an unsubscribed or invalid recipient, a rejected message."""


class MediaFetchError(Exception):
    """A photo that could not be fetched within the rules (host, size, type)."""


class ChannelAdapter(Protocol):
    channels: tuple[str, ...]  # the channel names it serves: ("sms", "whatsapp") or ("telegram",)

    def verify(self, request: WebhookRequest) -> bool: ...

    def parse(self, request: WebhookRequest) -> list[ParsedMessage]: ...

    def fetch_media(self, media: MediaRef, *, channel: str) -> bytes: ...

    def send(self, message: OutboundMessage) -> DeliveryReceipt: ...
