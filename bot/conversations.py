"""Conversation state in Redis: versioned JSON with a TTL, one lock per conversation,
and each inbound message handled once.

Keys: ``conv:{id}`` the state (expires after a quiet day), ``conv-lang:{id}`` the
resident's language (kept longer, so a fresh conversation still speaks it),
``seen:{channel}:{message id}`` the answer already given to a message, so a provider's
retry gets the same answer instead of a second turn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import redis

from bot.dialogue.state import ConversationState

LANGUAGE_TTL_SECONDS = 365 * 24 * 3600
SEEN_TTL_SECONDS = 7 * 24 * 3600
# A turn takes milliseconds; a lock older than this belongs to a crashed process.
LOCK_TIMEOUT_SECONDS = 30
LOCK_WAIT_SECONDS = 10


class ConversationBusyError(RuntimeError):
    """Another process held the conversation's lock for too long."""


@dataclass(frozen=True, slots=True)
class Stored:
    state: ConversationState
    options: tuple[tuple[str, str], ...]  # the last quick replies shown: (label, value)


class ConversationStore:
    def __init__(self, client: redis.Redis, *, ttl_seconds: int) -> None:
        self._redis = client
        self._ttl = ttl_seconds

    def load(self, conversation_id: str, *, default_language: str = "en") -> Stored:
        raw = self._redis.get(f"conv:{conversation_id}")
        if raw is None:
            language = self._redis.get(f"conv-lang:{conversation_id}")
            if language is not None:
                return Stored(ConversationState(language=_text(language), language_settled=True), ())
            return Stored(ConversationState(language=default_language), ())
        document = json.loads(raw)
        options = tuple((str(label), str(value)) for label, value in document.get("options", ()))
        return Stored(ConversationState.from_json(document["state"]), options)

    def save(self, conversation_id: str, stored: Stored) -> None:
        document = {"state": stored.state.to_json(), "options": [list(o) for o in stored.options]}
        pipe = self._redis.pipeline()
        pipe.set(f"conv:{conversation_id}", json.dumps(document, separators=(",", ":")), ex=self._ttl)
        if stored.state.language_settled:
            pipe.set(f"conv-lang:{conversation_id}", stored.state.language, ex=LANGUAGE_TTL_SECONDS)
        pipe.execute()

    @contextmanager
    def lock(self, conversation_id: str) -> Iterator[None]:
        """Two messages of one conversation are handled one after the other."""
        lock = self._redis.lock(
            f"lock:conv:{conversation_id}", timeout=LOCK_TIMEOUT_SECONDS, blocking_timeout=LOCK_WAIT_SECONDS
        )
        if not lock.acquire():
            raise ConversationBusyError(conversation_id)
        try:
            yield
        finally:
            lock.release()

    def answered(self, channel: str, message_id: str) -> dict[str, Any] | None:
        """The answer already given to this message, if it was handled before."""
        raw = self._redis.get(f"seen:{channel}:{message_id}")
        return json.loads(raw) if raw is not None else None

    def remember_answer(self, channel: str, message_id: str, answer: dict[str, Any]) -> None:
        self._redis.set(f"seen:{channel}:{message_id}", json.dumps(answer, separators=(",", ":")), ex=SEEN_TTL_SECONDS)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
