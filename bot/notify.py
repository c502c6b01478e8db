"""Telling every resident subscribed to a case what changed, in their language, on the
channel they used — queued in the transaction of the change itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.dialogue.replies import Param, Reply, Text
from bot.render import Renderer
from case_store.models import (
    Case,
    CaseEvent,
    Channel,
    ChannelIdentity,
    DeliveryStatus,
    Direction,
    Message,
    OutboxItem,
    OutboxStatus,
    Resident,
    Subscription,
)
from case_store.statuses import CLOSED_STATUSES, CaseStatus, ClosureReason
from locales.languages import supported

AUTHOR = "system:notify"


@dataclass(frozen=True, slots=True)
class Recipient:
    identity_id: int
    channel: Channel
    language: str
    opted_out: bool


class Notifier:
    def __init__(self, renderer: Renderer, public_base_url: str) -> None:
        self._renderer = renderer
        self._public_base_url = public_base_url

    def do_notify_status(self, session: Session, case: Case, event: CaseEvent, *, photo: str | None = None) -> int:
        """Queues the news of ``event`` for every subscriber who has not muted the case;
        returns how many messages were written.

        Precondition: ``event`` is a public status change of ``case``, flushed in this session.
        """
        replies = _status_replies(case, event)
        photo_url = f"{self._public_base_url}/media/{photo}" if photo else None
        return self._queue(session, case, replies, photo_url)

    def do_notify_reply(self, session: Session, case: Case, text: str, *, author: str) -> int:
        """Queues a staff member's public reply (as written; translation comes later)."""
        reply = Reply(
            "notification.staff_reply",
            {"team": case.department or "", "case_id": str(case.public_id), "text": text},
        )
        return self._queue(session, case, (reply,), None, author=author)

    def _queue(
        self, session: Session, case: Case, replies: Sequence[Reply], photo_url: str | None, *, author: str = AUTHOR
    ) -> int:
        recipients = _recipients(session, case.id)
        texts: dict[str, str] = {}  # one rendering per language, however many subscribers
        messages = []
        for recipient in recipients:
            if recipient.language not in texts:
                rendered = [self._renderer.reply(reply, recipient.language).text for reply in replies]
                texts[recipient.language] = "\n".join(rendered)
            messages.append(
                Message(
                    case_id=case.id,
                    identity_id=recipient.identity_id,
                    direction=Direction.OUTBOUND,
                    channel=recipient.channel,
                    author=author,
                    text=texts[recipient.language],
                    language=recipient.language,
                    delivery_status=_initial_status(recipient),
                    delivery_error="the resident opted out" if recipient.opted_out else None,
                    extras={"key": replies[0].key, **({"photo_url": photo_url} if photo_url else {})},
                )
            )
        session.add_all(messages)
        session.flush()
        session.add_all(
            OutboxItem(
                message_id=message.id,
                identity_id=recipient.identity_id,
                payload={"text": message.text, "quick_replies": [], "photo_url": photo_url},
                status=OutboxStatus.PENDING,
                attempts=0,
                next_attempt_at=message.created_at,
            )
            for message, recipient in zip(messages, recipients, strict=True)
            if message.delivery_status is DeliveryStatus.QUEUED
        )
        return len(messages)


def _recipients(session: Session, case_id: int) -> list[Recipient]:
    rows = session.execute(
        sa.select(
            ChannelIdentity.id,
            ChannelIdentity.channel,
            Resident.preferred_language,
            ChannelIdentity.opted_out_at,
            Resident.opted_out_at,
        )
        .join(Subscription, Subscription.identity_id == ChannelIdentity.id)
        .join(Resident, Resident.id == ChannelIdentity.resident_id)
        .where(Subscription.case_id == case_id, Subscription.muted_at.is_(None))
        .order_by(Subscription.id)
    ).all()
    return [
        Recipient(identity_id, channel, supported(language), bool(identity_out or resident_out))
        for identity_id, channel, language, identity_out, resident_out in rows
    ]


def _initial_status(recipient: Recipient) -> DeliveryStatus:
    if recipient.opted_out:
        return DeliveryStatus.UNDELIVERABLE
    # The web chat fetches its new messages itself; the other channels go through the outbox.
    return DeliveryStatus.SENT if recipient.channel is Channel.WEB else DeliveryStatus.QUEUED


def _status_replies(case: Case, event: CaseEvent) -> tuple[Reply, ...]:
    status = event.new_status or case.status
    params: dict[str, Param] = {
        "case_id": str(case.public_id),
        "category": Text(f"category.{case.service.code}.name", fallback=case.service.name),
        "place": case.address or "",
        "status": Text(f"status.{status.value}", {"team": case.department or ""}),
    }
    reason = event.closure_reason
    if reason is ClosureReason.NO_PROBLEM_FOUND:
        first = Reply("notification.no_problem_found", params)
    elif status in CLOSED_STATUSES and reason is not None:
        first = Reply("notification.closed", {**params, "reason": Text(f"closure_reason.{reason.value}")})
    elif status is CaseStatus.REOPENED:
        first = Reply("notification.reopened", params)
    else:
        first = Reply("notification.status", params)
    if event.note and event.public:
        return (first, Reply("notification.note", {"note": event.note}))
    return (first,)
