"""Inbound provider messages: recorded once by the webhook, turned into conversation
turns by the worker (which fetches their photos first)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue.messages import GeoPoint, InboundMessage
from case_store.db import utcnow
from case_store.models import Channel, InboxItem, InboxStatus
from channels.base import MediaRef, ParsedMessage, UnsupportedEventError

MAX_ATTEMPTS = 5
log = logging.getLogger(__name__)


def record_webhook(sessions: sessionmaker[Session], parse: Callable[[], list[ParsedMessage]], provider: str) -> None:
    """Records what a verified webhook carried, each message once (a provider's retry is
    recorded once); an event the bot cannot read (a sticker, a voice note) is recorded to be
    answered with what it can read. AnomalousPayloadError from ``parse`` propagates."""
    unsupported = False
    try:
        parsed = parse()
    except UnsupportedEventError as error:
        log.info("%s event not acted on: %s", provider, error)
        parsed, unsupported = ([ParsedMessage(error.reply_to)] if error.reply_to else []), True
    with sessions.begin() as session:
        for message in parsed:
            if not do_record_inbound(session, message, unsupported=unsupported):
                log.info("%s retried %s: already recorded", provider, message.message.message_id)


def do_record_inbound(session: Session, parsed: ParsedMessage, *, unsupported: bool = False) -> bool:
    """Records the message unless it was recorded before (a provider's retry): True if new.

    ``unsupported`` marks an event the bot cannot read (a sticker, a voice note): the
    worker answers it with what the bot can read instead of running a turn. Runs in its
    own savepoint, so a duplicate leaves the caller's transaction usable.
    """
    message = parsed.message
    payload = parsed_to_json(parsed) | ({"unsupported": True} if unsupported else {})
    item = InboxItem(
        channel=Channel(message.channel),
        provider_message_id=message.message_id[:128],
        conversation_id=message.conversation_id[:160],
        payload=payload,
        received_at=message.received_at,
        attempts=0,
        status=InboxStatus.PENDING,
    )
    try:
        with session.begin_nested():
            session.add(item)
            session.flush()
    except IntegrityError:
        return False
    return True


def claim_pending(session: Session, limit: int) -> list[InboxItem]:
    """The oldest pending messages, locked for this worker (others skip them)."""
    query = (
        sa.select(InboxItem)
        .where(InboxItem.status == InboxStatus.PENDING)
        .order_by(InboxItem.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def do_mark_done(item: InboxItem, now: datetime | None = None) -> None:
    item.status = InboxStatus.DONE
    item.processed_at = now or utcnow()
    item.attempts += 1


def do_mark_failed_attempt(item: InboxItem, error: str) -> None:
    """Counts a failed attempt; after MAX_ATTEMPTS the message stays failed, visible to staff."""
    item.attempts += 1
    item.last_error = error[:2000]
    if item.attempts >= MAX_ATTEMPTS:
        item.status = InboxStatus.FAILED


def parsed_to_json(parsed: ParsedMessage) -> dict[str, Any]:
    message = parsed.message
    return {
        "channel": message.channel,
        "sender_id": message.sender_id,
        "message_id": message.message_id,
        "received_at": message.received_at.isoformat(),
        "text": message.text,
        "location": {"lat": message.location.lat, "lon": message.location.lon} if message.location else None,
        "button_payload": message.button_payload,
        "language_hint": message.language_hint,
        "display_name": message.display_name,
        "media": [{"ref": m.ref, "content_type": m.content_type, "size": m.size} for m in parsed.media],
    }


def parsed_from_json(data: dict[str, Any]) -> ParsedMessage:
    location = data.get("location")
    message = InboundMessage(
        channel=data["channel"],
        sender_id=data["sender_id"],
        message_id=data["message_id"],
        received_at=datetime.fromisoformat(data["received_at"]),
        text=data.get("text") or "",
        location=GeoPoint(float(location["lat"]), float(location["lon"])) if location else None,
        button_payload=data.get("button_payload"),
        language_hint=data.get("language_hint"),
        display_name=data.get("display_name"),
    )
    media = tuple(MediaRef(m["ref"], m.get("content_type"), m.get("size")) for m in data.get("media", ()))
    return ParsedMessage(message, media)
