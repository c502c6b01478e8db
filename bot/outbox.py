"""The transactional outbox: every reply that is not answered inline is a row written
with the change that caused it; the worker leases rows, sends them and records how it went.

Delivery is at least once: a row is leased (its next attempt pushed into the future)
before it is sent, so two workers never send it together; a worker that dies after the
provider accepted a message but before recording it would send it again after the lease.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.render import RenderedReply
from case_store.db import utcnow
from case_store.models import ChannelIdentity, DeliveryStatus, Message, OutboxItem, OutboxStatus

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 15 * 60
WHATSAPP_WINDOW = timedelta(hours=24)


def do_queue_replies(
    session: Session,
    identity: ChannelIdentity,
    rows: Sequence[Message],
    rendered: Sequence[RenderedReply],
    *,
    send_anyway: bool = False,
) -> None:
    """Queues the replies of a turn for delivery (in the turn's transaction).

    Precondition: ``rows`` were flushed (they have ids). An opted-out identity gets
    nothing unless ``send_anyway`` (the confirmation that it opted out).
    """
    for row, reply in zip(rows, rendered, strict=True):
        if _opted_out(identity) and not send_anyway:
            row.delivery_status = DeliveryStatus.UNDELIVERABLE
            row.delivery_error = "the resident opted out"
            continue
        row.delivery_status = DeliveryStatus.QUEUED
        quick_replies = [asdict(q) for q in reply.quick_replies]
        session.add(new_item(row.id, identity.id, reply.text, quick_replies=quick_replies, send_anyway=send_anyway))


def new_item(
    message_id: int,
    identity_id: int,
    text: str,
    *,
    quick_replies: Sequence[dict[str, str]] = (),
    photo_url: str | None = None,
    send_anyway: bool = False,
) -> OutboxItem:
    """A message due now, with what the sender needs to deliver it."""
    payload = {"text": text, "quick_replies": list(quick_replies), "photo_url": photo_url, "send_anyway": send_anyway}
    return OutboxItem(
        message_id=message_id,
        identity_id=identity_id,
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )


@dataclass(frozen=True, slots=True)
class Leased:
    """A row taken for sending, with what the sender needs (read inside the lease)."""

    outbox_id: int
    message_id: int
    channel: str
    address: str
    payload: dict[str, object]
    last_inbound_at: datetime | None
    opted_out: bool


def lease_due(session: Session, limit: int, *, now: datetime | None = None) -> list[Leased]:
    """Takes up to ``limit`` due rows and pushes their next attempt past the lease."""
    now = now or utcnow()
    rows = session.execute(
        sa.select(OutboxItem, ChannelIdentity)
        .join(ChannelIdentity, OutboxItem.identity_id == ChannelIdentity.id)
        .where(OutboxItem.status == OutboxStatus.PENDING, OutboxItem.next_attempt_at <= now)
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxItem)
    ).all()
    leased = []
    for item, identity in rows:
        item.next_attempt_at = now + LEASE
        leased.append(
            Leased(
                outbox_id=item.id,
                message_id=item.message_id,
                channel=identity.channel.value,
                address=identity.address,
                payload=dict(item.payload),
                last_inbound_at=identity.last_inbound_at,
                opted_out=_opted_out(identity) and not item.payload.get("send_anyway"),
            )
        )
    return leased


def do_load_leased(session: Session, leased: Sequence[Leased]) -> list[object]:
    """Loads a batch's rows in two queries, so recording each outcome needs none; the
    caller keeps the returned list while recording (the session only holds weak references)."""
    items = session.scalars(sa.select(OutboxItem).where(OutboxItem.id.in_([item.outbox_id for item in leased])))
    messages = session.scalars(sa.select(Message).where(Message.id.in_([item.message_id for item in leased])))
    return [*items, *messages]


def do_record_sent(session: Session, leased: Leased, provider_message_id: str, status: str) -> None:
    item, message = _rows(session, leased)
    item.status, item.sent_at, item.attempts, item.last_error = OutboxStatus.SENT, utcnow(), item.attempts + 1, None
    message.provider_message_id = provider_message_id[:128]
    known = {member.value for member in DeliveryStatus}
    message.delivery_status = DeliveryStatus(status) if status in known else DeliveryStatus.SENT


def do_record_retry(session: Session, leased: Leased, error: str, retry_after: float | None) -> bool:
    """Schedules another attempt with exponential backoff (honouring Retry-After);
    returns False when the attempts are used up and the message is marked failed."""
    item, message = _rows(session, leased)
    item.attempts += 1
    item.last_error = error[:2000]
    if item.attempts >= MAX_ATTEMPTS:
        _fail(item, message, error)
        return False
    backoff = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** (item.attempts - 1))
    delay = max(retry_after or 0.0, backoff * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not security)
    item.next_attempt_at = utcnow() + timedelta(seconds=delay)
    return True


def do_record_failure(session: Session, leased: Leased, error: str, *, undeliverable: bool = False) -> None:
    """A permanent failure: visible to staff on the message, never retried."""
    item, message = _rows(session, leased)
    item.attempts += 1
    _fail(item, message, error, undeliverable=undeliverable)


def do_postpone(session: Session, leased: Leased, seconds: float) -> None:
    """Not sent yet because of a rate limit: due again shortly, not counted as an attempt."""
    item, _ = _rows(session, leased)
    item.next_attempt_at = utcnow() + timedelta(seconds=seconds)


def outside_whatsapp_window(leased: Leased, now: datetime | None = None) -> bool:
    """WhatsApp allows free-form messages only within 24 hours of the resident's last one."""
    if leased.channel != "whatsapp":
        return False
    return leased.last_inbound_at is None or (now or utcnow()) - leased.last_inbound_at > WHATSAPP_WINDOW


def _opted_out(identity: ChannelIdentity) -> bool:
    return identity.opted_out_at is not None or identity.resident.opted_out_at is not None


def _fail(item: OutboxItem, message: Message, error: str, *, undeliverable: bool = False) -> None:
    item.status = OutboxStatus.FAILED
    item.last_error = error[:2000]
    message.delivery_status = DeliveryStatus.UNDELIVERABLE if undeliverable else DeliveryStatus.FAILED
    message.delivery_error = error[:2000]


def _rows(session: Session, leased: Leased) -> tuple[OutboxItem, Message]:
    item = session.get(OutboxItem, leased.outbox_id)
    message = session.get(Message, leased.message_id)
    assert item is not None and message is not None, "outbox rows are never deleted while leased"
    return item, message
