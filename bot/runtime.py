"""One turn, the same for every channel: dedupe -> lock -> load state -> understand ->
dialogue -> effects (one transaction, with the messages recorded) -> save state -> render."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.case_codes import case_code
from bot.casework import Turn, awaiting_reply, do_effect, do_thread_replies, recent_cases
from bot.conversations import ConversationStore, Stored
from bot.dialogue import Context, ConversationState, Heard, Question, ServiceInfo, Step, handle_outcome, handle_turn
from bot.dialogue.effects import CaseFiled, SetOptOut
from bot.dialogue.messages import InboundMessage
from bot.dialogue.replies import Reply
from bot.hearing import hear
from bot.outbox import do_queue_replies
from bot.render import QuickReply, RenderedReply, Renderer
from case_store.attributes import definitions_of
from case_store.models import Channel, ChannelIdentity, DeliveryStatus, Direction, Message, Service
from case_store.residents import do_identify
from locales.languages import SUPPORTED, supported
from nlu.city import imported_city_index
from nlu.understand import Understanding

CATALOG_REFRESH_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class SentReply:
    id: str
    text: str
    quick_replies: tuple[QuickReply, ...] = ()
    key: str = ""


@dataclass(frozen=True, slots=True)
class TurnOutput:
    replies: tuple[SentReply, ...]
    case_id: str | None
    language: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TurnOutput:
        replies = tuple(
            SentReply(r["id"], r["text"], tuple(QuickReply(**q) for q in r["quick_replies"]), r["key"])
            for r in data["replies"]
        )
        return cls(replies, data["case_id"], data["language"])


class LazyUnderstanding:
    """The understanding models, loaded (trained on first use) when a message first needs them."""

    def __init__(self, load: Callable[[], Understanding]) -> None:
        self._load = load
        self._loaded: Understanding | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Understanding:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = self._load()
        return self._loaded


class Runtime:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        conversations: ConversationStore,
        understanding: Callable[[], Understanding],
        renderer: Renderer,
        *,
        emergency_number: str,
        city_name: str,
        secret_key: str = "",
    ) -> None:
        self._sessions = sessions
        self._conversations = conversations
        self._understanding = understanding
        self._renderer = renderer
        self._emergency_number = emergency_number
        self._city_name = city_name
        self._secret_key = secret_key
        self._context: tuple[float, Context] | None = None

    def handle(self, message: InboundMessage, *, inline: bool = True, unsupported: bool = False) -> TurnOutput:
        """The bot's answer to one inbound message; the same answer if it comes again.

        ``inline`` replies are returned to the caller (the web chat's JSON); otherwise each
        reply becomes an outbox row in the turn's transaction, for the worker to deliver.
        ``unsupported`` is an event the bot cannot read (a sticker): it says what it can.
        """
        answered = self._conversations.answered(message.channel, message.message_id)
        if answered is not None:
            return TurnOutput.from_json(answered)
        # Wait for the models before taking the lock: on a fresh machine they train for a
        # minute or two, longer than a conversation's lock may be held.
        understanding = None if unsupported else self._understanding()
        with self._conversations.lock(message.conversation_id):
            answered = self._conversations.answered(message.channel, message.message_id)
            if answered is not None:
                return TurnOutput.from_json(answered)
            output = self._turn(message, understanding, inline=inline)
            self._conversations.remember_answer(message.channel, message.message_id, output.to_json())
        return output

    def _turn(self, message: InboundMessage, understanding: Understanding | None, *, inline: bool) -> TurnOutput:
        """One turn; without ``understanding`` the message is one the bot cannot read."""
        stored = self._conversations.load(message.conversation_id, default_language=supported(message.language_hint))
        state = stored.state
        understood = None
        if understanding is not None:
            understood = understanding.understand(message.text, current_language=state.language)
        with self._sessions.begin() as session:
            context = self.context(session)
            turn = Turn(
                identity=_identity(session, message),
                channel=Channel(message.channel),
                place_fallback=self._city_name,
                secret_key=self._secret_key,
            )
            if understood is None:
                session.add(_inbound_row(message, turn, state.language))
                replies, case_id, opted_out = [Reply("conversation.unsupported_content")], None, False
            else:
                city = imported_city_index(session)
                heard = hear(message, understood, city, stored.options)
                session.add(_inbound_row(message, turn, heard.language))
                session.flush()
                state = stored.state
                if state.step is Step.IDLE:
                    # Between reports only: a reply to a "no problem found" reopens that case,
                    # and an expired conversation still knows the resident's recent reports.
                    resident = turn.identity.resident_id
                    heard = replace(heard, awaiting_reply=awaiting_reply(session, resident))
                    if not state.cases:
                        state = replace(state, cases=recent_cases(session, resident))
                state, replies, case_id, opted_out = self._engine(session, turn, state, heard, context)

            if case_id and message.channel == "web" and self._secret_key:
                # A browser's session is its only identity: a code lets another device ask.
                code = case_code(self._secret_key, case_id)
                replies = [*replies, Reply("conversation.case_code", {"case_id": case_id, "code": code})]
            if state.language_settled:
                # Status updates later reach the resident in the language of the conversation.
                turn.identity.resident.preferred_language = state.language
            rendered = [self._renderer.reply(reply, state.language) for reply in replies]
            rows = [_outbound_row(turn, reply, state.language) for reply in rendered]
            session.add_all(rows)
            session.flush()
            if case_id:
                do_thread_replies(session, turn, case_id)
            if not inline:
                # An opted-out resident gets nothing, except the confirmation of opting out.
                do_queue_replies(session, turn.identity, rows, rendered, send_anyway=opted_out)
            pairs = zip(rows, rendered, strict=True)
            sent = tuple(SentReply(str(row.id), r.text, r.quick_replies, r.key) for row, r in pairs)
        options = tuple((q.label, q.value) for q in rendered[-1].quick_replies) if rendered else ()
        self._conversations.save(message.conversation_id, Stored(state, options))
        return TurnOutput(sent, case_id, state.language)

    def _engine(
        self, session: Session, turn: Turn, state: ConversationState, heard: Heard, context: Context
    ) -> tuple[ConversationState, list[Reply], str | None, bool]:
        """Runs the engine and the effects it asks for, feeding their outcomes back."""
        result = handle_turn(state, heard, context)
        state, replies, case_id = result.state, list(result.replies), None
        opted_out = False
        for effect in result.effects:
            opted_out = opted_out or (isinstance(effect, SetOptOut) and effect.opted_out)
            outcome = do_effect(session, turn, effect)
            if outcome is None:
                continue
            follow = handle_outcome(state, outcome, context)
            state, replies = follow.state, [*replies, *follow.replies]
            if isinstance(outcome, CaseFiled):
                case_id = outcome.case_id
        return state, replies, case_id, opted_out

    def context(self, session: Session) -> Context:
        """The catalog as the engine needs it; re-read now and then, as staff may edit it."""
        now = time.monotonic()
        if self._context is None or now - self._context[0] > CATALOG_REFRESH_SECONDS:
            self._context = (now, _read_context(session, self._emergency_number))
        return self._context[1]


def _read_context(session: Session, emergency_number: str) -> Context:
    services = session.scalars(sa.select(Service).where(Service.active).order_by(Service.position, Service.code)).all()
    infos = {
        service.code: ServiceInfo(
            code=service.code,
            name=service.name,
            questions=tuple(
                Question(d.code, d.datatype.value, tuple(v.key for v in d.values), d.description)
                for d in sorted(definitions_of(service.attributes), key=lambda d: d.order)
                if d.required
            ),
        )
        for service in services
    }
    menu = tuple(sorted(infos, key=lambda code: code == "other"))
    return Context(services=infos, emergency_number=emergency_number, languages=SUPPORTED, menu=menu)


def _identity(session: Session, message: InboundMessage) -> ChannelIdentity:
    return do_identify(
        session, Channel(message.channel), message.sender_id, display_name=message.display_name, now=message.received_at
    )


def _inbound_row(message: InboundMessage, turn: Turn, language: str) -> Message:
    extras: dict[str, Any] = {}
    if message.photos:
        extras["photos"] = [photo.name for photo in message.photos]
    if message.location:
        extras["location"] = {"lat": message.location.lat, "lon": message.location.lon}
    return Message(
        identity_id=turn.identity.id,
        direction=Direction.INBOUND,
        channel=turn.channel,
        provider_message_id=message.message_id,
        text=message.text,
        language=language,
        delivery_status=DeliveryStatus.RECEIVED,
        extras=extras or None,
        created_at=message.received_at,
    )


def _outbound_row(turn: Turn, reply: RenderedReply, language: str) -> Message:
    extras = {"quick_replies": [asdict(q) for q in reply.quick_replies]} if reply.quick_replies else {}
    return Message(
        identity_id=turn.identity.id,
        direction=Direction.OUTBOUND,
        channel=turn.channel,
        author="bot",
        text=reply.text,
        language=language,
        # Answered inline (web chat JSON, TwiML): no outbox row; delivery receipts may update it.
        delivery_status=DeliveryStatus.SENT,
        extras={**extras, "key": reply.key},
    )
