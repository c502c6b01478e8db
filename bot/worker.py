"""The worker: turns recorded inbound messages into conversation turns, and delivers the
outbox through each channel's adapter. ``intake-bot worker`` runs it; ``intake-bot serve``
runs it in a thread on the embedded defaults."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue.messages import GeoPoint, Photo
from bot.inbox import claim_pending, do_mark_done, do_mark_failed_attempt, parsed_from_json
from bot.outbox import (
    Leased,
    do_load_leased,
    do_postpone,
    do_record_failure,
    do_record_retry,
    do_record_sent,
    lease_due,
    outside_whatsapp_window,
)
from bot.ratelimit import RedisRateLimiter
from bot.runtime import Runtime
from case_store.media import MediaError, MediaStore
from case_store.service import do_record_media
from channels.base import (
    ChannelAdapter,
    DeliveryReceipt,
    MediaFetchError,
    MediaRef,
    OutboundMessage,
    PermanentDeliveryError,
    QuickReplyOption,
    TemporaryDeliveryError,
)

log = logging.getLogger(__name__)
INBOX_BATCH = 50
OUTBOX_BATCH = 100
IDLE_SLEEP_SECONDS = 0.25
SEND_THREADS = 8


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Messages per second a provider accepts: per chat, and overall."""

    per_chat: int
    overall: int


# Telegram: about one message a second to a chat and 30 a second in all.
RATE_LIMITS: Mapping[str, RateLimit] = {"telegram": RateLimit(per_chat=1, overall=30)}


@dataclass(frozen=True, slots=True)
class Delivery:
    """How one attempt went: a receipt, a postponement, or an error (temporary or not)."""

    item: Leased
    receipt: DeliveryReceipt | None = None
    error: str | None = None
    temporary: bool = False
    retry_after: float | None = None
    undeliverable: bool = False
    postpone: float | None = None


class Worker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        runtime: Runtime,
        adapters: Mapping[str, ChannelAdapter],
        media: MediaStore,
        limiter: RedisRateLimiter,
        *,
        whatsapp_template_sid: str | None = None,
        status_callback_url: str | None = None,
        send_threads: int = SEND_THREADS,
    ) -> None:
        self._sessions = sessions
        self._runtime = runtime
        self._adapters = adapters
        self._media = media
        self._limiter = limiter
        self._template_sid = whatsapp_template_sid
        self._status_callback = status_callback_url
        self._senders = (
            ThreadPoolExecutor(max_workers=send_threads, thread_name_prefix="send") if send_threads > 1 else None
        )

    def run(self, stop: threading.Event) -> None:
        """Works until ``stop`` is set; sleeps briefly only when there is nothing to do."""
        while not stop.is_set():
            try:
                busy = self.process_inbox() + self.deliver_outbox()
            except Exception:  # the loop must outlive one bad batch; the error is logged
                log.exception("worker batch failed")
                busy = 0
            if not busy:
                stop.wait(IDLE_SLEEP_SECONDS)

    def process_inbox(self, limit: int = INBOX_BATCH) -> int:
        """Runs the turns of recorded inbound messages, oldest first; returns how many."""
        with self._sessions.begin() as session:
            items = claim_pending(session, limit)
            for item in items:
                try:
                    parsed = parsed_from_json(item.payload)
                    photos = self._photos(parsed.message.channel, parsed.media)
                    message = replace(parsed.message, photos=photos)
                    self._runtime.handle(message, inline=False, unsupported=bool(item.payload.get("unsupported")))
                except Exception as error:  # recorded on the item; retried, then left failed for staff
                    log.exception("inbound message %s failed", item.provider_message_id)
                    do_mark_failed_attempt(item, f"{type(error).__name__}: {error}")
                else:
                    do_mark_done(item)
        return len(items)

    def _photos(self, channel: str, refs: tuple[MediaRef, ...]) -> tuple[Photo, ...]:
        adapter = self._adapters.get(channel)
        photos = []
        for ref in refs:
            if adapter is None:
                break
            try:
                stored = self._media.save(adapter.fetch_media(ref, channel=channel))
            except (MediaFetchError, MediaError) as error:
                # The words of the message still count; the photo is just not kept.
                log.warning("a %s photo was not stored: %s", channel, error)
                continue
            with self._sessions.begin() as session:
                do_record_media(session, stored)
            photos.append(Photo(stored.filename, GeoPoint(stored.gps.lat, stored.gps.lon) if stored.gps else None))
        return tuple(photos)

    def deliver_outbox(self, limit: int = OUTBOX_BATCH) -> int:
        """Sends due outbox rows and records how each went, in one transaction per batch;
        returns how many were taken.

        Each recipient's messages go out in order, one after the other; different
        recipients are sent to in parallel, since a provider call is mostly waiting.
        """
        with self._sessions.begin() as session:
            leased = lease_due(session, limit)
        if not leased:
            return 0
        by_recipient: dict[tuple[str, str], list[Leased]] = defaultdict(list)
        for item in leased:
            by_recipient[(item.channel, item.address)].append(item)
        if self._senders is None or len(by_recipient) <= 1:
            deliveries = [self._attempt(item) for item in leased]
        else:
            groups = self._senders.map(self._attempt_in_order, by_recipient.values())
            deliveries = [delivery for group in groups for delivery in group]
        with self._sessions.begin() as session:
            loaded = do_load_leased(session, leased)
            for delivery in deliveries:
                self._record(session, delivery)
            del loaded
        return len(leased)

    def _attempt_in_order(self, items: list[Leased]) -> list[Delivery]:
        return [self._attempt(item) for item in items]

    def _attempt(self, item: Leased) -> Delivery:
        """Sends one message (no database work here): what happened, to be recorded."""
        adapter = self._adapters.get(item.channel)
        message = self._outbound(item)
        if adapter is None:
            return Delivery(item, error=f"the {item.channel} channel is not configured", undeliverable=True)
        if item.opted_out:
            return Delivery(item, error="the resident opted out", undeliverable=True)
        if message is None:
            reason = "outside WhatsApp's 24-hour window and no approved template is configured"
            return Delivery(item, error=reason, undeliverable=True)
        wait = self._rate_wait(item)
        if wait:
            return Delivery(item, postpone=wait)
        try:
            return Delivery(item, receipt=adapter.send(message))
        except TemporaryDeliveryError as error:
            return Delivery(item, error=str(error), temporary=True, retry_after=error.retry_after)
        except PermanentDeliveryError as error:
            return Delivery(item, error=str(error))

    @staticmethod
    def _record(session: Session, delivery: Delivery) -> None:
        item = delivery.item
        if delivery.receipt is not None:
            do_record_sent(session, item, delivery.receipt.provider_message_id, delivery.receipt.status)
        elif delivery.postpone:
            do_postpone(session, item, delivery.postpone)
        elif delivery.temporary:
            if not do_record_retry(session, item, delivery.error or "", delivery.retry_after):
                log.error("outbox %s failed after retries: %s", item.outbox_id, delivery.error)
        else:
            do_record_failure(session, item, delivery.error or "", undeliverable=delivery.undeliverable)

    def _outbound(self, item: Leased) -> OutboundMessage | None:
        text = str(item.payload.get("text") or "")
        raw_options = item.payload.get("quick_replies")
        options = tuple(
            QuickReplyOption(str(o["label"]), str(o["value"]))
            for o in (raw_options if isinstance(raw_options, list) else [])
            if isinstance(o, dict)
        )
        photo_url = item.payload.get("photo_url")
        message = OutboundMessage(
            channel=item.channel,
            recipient=item.address,
            text=text,
            quick_replies=options,
            photo_url=photo_url if isinstance(photo_url, str) else None,
            status_callback=self._status_callback if item.channel in ("sms", "whatsapp") else None,
        )
        if outside_whatsapp_window(item):
            if not self._template_sid:
                return None
            return replace(message, template_sid=self._template_sid, template_variables={"1": text})
        return message

    def _rate_wait(self, item: Leased) -> float:
        limit = RATE_LIMITS.get(item.channel)
        if limit is None:
            return 0.0
        if not self._limiter.allow(f"send:{item.channel}:{item.address}", limit.per_chat, 1):
            return 1.0
        if not self._limiter.allow(f"send:{item.channel}", limit.overall, 1):
            return 1.0
        return 0.0
