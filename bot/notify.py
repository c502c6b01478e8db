"""Telling every resident subscribed to a case what changed, in their language, on the
channel they used — queued in the transaction of the change itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.dialogue.replies import Param, Reply, Text
from bot.outbox import new_item
from bot.render import Renderer
from case_store.models import (
    Case,
    CaseEvent,
    Channel,
    ChannelIdentity,
    DeliveryStatus,
    Direction,
    Message,
    Resident,
    Subscription,
)
from case_store.statuses import CLOSED_STATUSES, CaseStatus, ClosureReason
from locales.languages import supported
from nlu.translate import Translator

AUTHOR = "system:notify"
STAFF_LANGUAGE = "en"  # the language staff write in; residents' replies are translated to it


@dataclass(frozen=True, slots=True)
class Recipient:
    identity_id: int
    channel: Channel
    language: str
    opted_out: bool


class Notifier:
    def __init__(self, renderer: Renderer, public_base_url: str, translator: Translator | None = None) -> None:
        self._renderer = renderer
        self._public_base_url = public_base_url
        self._translator = translator

    def do_notify_status(self, session: Session, case: Case, event: CaseEvent, *, photo: str | None = None) -> int:
        """Queues the news of ``event`` for every subscriber who has not muted the case;
        returns how many messages were written.

        Precondition: ``event`` is a public status change of ``case``, flushed in this session.
        """
        replies = _status_replies(case, event)
        photo_url = f"{self._public_base_url}/media/{photo}" if photo else None
        return self._queue(session, case, lambda _: (replies, {}), photo_url)

    def do_notify_reply(
        self, session: Session, case: Case, text: str, *, author: str, language: str = STAFF_LANGUAGE
    ) -> int:
        """Queues a staff member's public reply, machine-translated into each resident's
        language when a model is installed (otherwise sent as written and marked so)."""

        def reply_in(target: str) -> tuple[Reply, dict[str, object]]:
            words = text
            marks: dict[str, object] = {"original": text, "original_language": language}
            if self._translator is not None and target != language:
                result = self._translator.translate(text, language, target)
                words = result.text
                marks["translated"] = result.translated
            params: dict[str, Param] = {"team": case.department or "", "case_id": str(case.public_id), "text": words}
            return Reply("notification.staff_reply", params), marks

        return self._queue(session, case, reply_in, None, author=author)

    def _queue(
        self,
        session: Session,
        case: Case,
        replies_in: Callable[[str], tuple[Reply | tuple[Reply, ...], dict[str, object]]],
        photo_url: str | None,
        *,
        author: str = AUTHOR,
    ) -> int:
        recipients = _recipients(session, case.id)
        # One rendering (and translation) per language, however many subscribers.
        texts: dict[str, tuple[str, str, dict[str, object]]] = {}
        messages = []
        for recipient in recipients:
            if recipient.language not in texts:
                replies, marks = replies_in(recipient.language)
                replies = replies if isinstance(replies, tuple) else (replies,)
                rendered = "\n".join(self._renderer.reply(reply, recipient.language).text for reply in replies)
                texts[recipient.language] = (rendered, replies[0].key, marks)
            text, key, marks = texts[recipient.language]
            messages.append(
                Message(
                    case_id=case.id,
                    identity_id=recipient.identity_id,
                    direction=Direction.OUTBOUND,
                    channel=recipient.channel,
                    author=author,
                    text=text,
                    language=recipient.language,
                    delivery_status=_initial_status(recipient),
                    delivery_error="the resident opted out" if recipient.opted_out else None,
                    extras={"key": key, **marks, **({"photo_url": photo_url} if photo_url else {})},
                )
            )
        session.add_all(messages)
        session.flush()
        session.add_all(
            new_item(message.id, recipient.identity_id, message.text or "", photo_url=photo_url)
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
