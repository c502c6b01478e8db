"""Twilio's webhook forms as typed values: inbound messages and delivery receipts.

Pure: no Flask, no network. The form is what Twilio posts
(``application/x-www-form-urlencoded``), already checked against its signature.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.dialogue.messages import GeoPoint, InboundMessage
from channels.base import AnomalousPayloadError, MediaRef, ParsedMessage, UnsupportedEventError

WHATSAPP_PREFIX = "whatsapp:"
MAX_BODY = 5000
MAX_MEDIA = 10  # Twilio's own limit per message
MAX_MEDIA_URL = 1000
MAX_CONTENT_TYPE = 100
MAX_BUTTON_PAYLOAD = 256
MAX_PROFILE_NAME = 100
MAX_ERROR_CODE = 10

_SID = re.compile(r"[A-Za-z0-9]{2,64}")
# E.164, or a short code (carriers deliver some SMS from 3 to 8 digit numbers).
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_SHORT_CODE = re.compile(r"[0-9]{3,8}")
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
# Twilio's statuses of a message, as the case store's DeliveryStatus values. "undelivered"
# was attempted and failed: failed. "canceled" (a scheduled message) never went: failed.
DELIVERY_STATUSES = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "failed",
    "canceled": "failed",
}
_INBOUND_STATUSES = frozenset({"", "received", "receiving"})


@dataclass(frozen=True, slots=True)
class DeliveryUpdate:
    """A status callback: what became of a message we sent."""

    message_id: str  # the MessageSid Twilio returned when we sent it
    status: str  # a DeliveryStatus value: queued | sent | delivered | read | failed
    error_code: str | None = None  # Twilio's error code, e.g. "30003" (unreachable handset)


def parse_inbound(form: Mapping[str, str], *, now: datetime) -> list[ParsedMessage]:
    """The message a resident sent by SMS, MMS or WhatsApp.

    Args:
        form: the webhook's form fields.
        now: when it arrived (UTC); Twilio's inbound webhook carries no timestamp.

    Raises:
        AnomalousPayloadError: not a message webhook Twilio sends (no MessageSid, no From).
        UnsupportedEventError: a real event the bot does not read: a status callback sent to
            the wrong URL, another channel's address, or a message with nothing readable in it
            (a voice note, a contact card); for the last, ``reply_to`` is set.
    """
    message_id = _sid(form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid"))
    sender = _field(form, "From")
    if message_id is None or not sender:
        raise AnomalousPayloadError("a message webhook has a MessageSid and a From")
    status = _field(form, "SmsStatus") or _field(form, "MessageStatus")
    if status not in _INBOUND_STATUSES:
        raise UnsupportedEventError(f"a status callback ({status[:20]}) sent to the messages URL")
    channel, sender_id = _sender(sender)
    message = InboundMessage(
        channel=channel,
        sender_id=sender_id,
        message_id=message_id,
        received_at=now,
        text=_field(form, "Body")[:MAX_BODY].strip(),
        location=_location(form),
        button_payload=_field(form, "ButtonPayload")[:MAX_BUTTON_PAYLOAD] or None,
        display_name=_field(form, "ProfileName")[:MAX_PROFILE_NAME].strip() or None,
    )
    media = _media(form)
    if not (message.text or message.location or message.button_payload or media):
        # A voice note, a video, a contact card, a sticker-less reaction: nothing to read.
        raise UnsupportedEventError(f"nothing readable in {message_id}", reply_to=message)
    return [ParsedMessage(message, media)]


def parse_status(form: Mapping[str, str]) -> DeliveryUpdate | None:
    """A delivery receipt; None for a status the case store does not track (e.g. "received").

    Raises:
        AnomalousPayloadError: no MessageSid, or no MessageStatus.
    """
    message_id = _sid(form.get("MessageSid") or form.get("SmsSid"))
    status = (_field(form, "MessageStatus") or _field(form, "SmsStatus")).lower()
    if message_id is None or not status:
        raise AnomalousPayloadError("a status callback has a MessageSid and a MessageStatus")
    mapped = DELIVERY_STATUSES.get(status)
    if mapped is None:
        return None
    code = _field(form, "ErrorCode")
    error_code = code if code.isdigit() and len(code) <= MAX_ERROR_CODE else None
    return DeliveryUpdate(message_id, mapped, error_code)


def delivery_status(twilio_status: str | None) -> str:
    """A Message resource's ``status`` as a DeliveryStatus value ("queued" when unknown)."""
    return DELIVERY_STATUSES.get((twilio_status or "").lower(), "queued")


def _field(form: Mapping[str, str], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _sid(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if _SID.fullmatch(value) else None


def _sender(address: str) -> tuple[str, str]:
    """The channel and the bare number: one resident whether they write by SMS or WhatsApp."""
    if address.lower().startswith(WHATSAPP_PREFIX):
        number = address[len(WHATSAPP_PREFIX) :].strip()
        if not _E164.fullmatch(number):
            raise AnomalousPayloadError("a WhatsApp sender is an E.164 number")
        return "whatsapp", number
    if ":" in address:
        # messenger:, rcs: ... a Twilio channel this bot does not serve.
        raise UnsupportedEventError(f"a {address.split(':', 1)[0][:20]} message: not a channel served here")
    if not (_E164.fullmatch(address) or _SHORT_CODE.fullmatch(address)):
        raise AnomalousPayloadError("an SMS sender is an E.164 number or a short code")
    return "sms", address


def _location(form: Mapping[str, str]) -> GeoPoint | None:
    lat, lon = _field(form, "Latitude"), _field(form, "Longitude")
    if not lat and not lon:
        return None
    try:
        point = GeoPoint(float(lat[:40]), float(lon[:40]))
    except ValueError as error:
        raise AnomalousPayloadError("Latitude and Longitude are numbers") from error
    if not (math.isfinite(point.lat) and math.isfinite(point.lon)):
        raise AnomalousPayloadError("Latitude and Longitude are finite")
    if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
        raise AnomalousPayloadError("Latitude and Longitude are on the globe")
    return point


def _media(form: Mapping[str, str]) -> tuple[MediaRef, ...]:
    """The photos, still at Twilio; other media (audio, video, vCards) are left out."""
    count = _field(form, "NumMedia") or "0"
    if not count.isdigit() or len(count) > 3:
        raise AnomalousPayloadError("NumMedia is a count")
    refs = []
    for index in range(min(int(count), MAX_MEDIA)):
        url = _field(form, f"MediaUrl{index}")
        content_type = _field(form, f"MediaContentType{index}").split(";", 1)[0].strip().lower()
        if not url or len(url) > MAX_MEDIA_URL or not url.lower().startswith(("https://", "http://")):
            raise AnomalousPayloadError(f"MediaUrl{index} is a URL")
        if len(content_type) > MAX_CONTENT_TYPE or not _CONTENT_TYPE.fullmatch(content_type):
            raise AnomalousPayloadError(f"MediaContentType{index} is a media type")
        if content_type.startswith("image/"):
            refs.append(MediaRef(url, content_type))
    return tuple(refs)
