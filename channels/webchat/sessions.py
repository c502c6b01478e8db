"""Web chat sessions: an unguessable id per browser, kept in Redis."""

from __future__ import annotations

import secrets

import redis

SESSION_TTL_SECONDS = 30 * 24 * 3600


class WebchatSessions:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def create(self, language: str) -> str:
        session_id = secrets.token_urlsafe(24)
        self._redis.set(self._key(session_id), language, ex=SESSION_TTL_SECONDS)
        return session_id

    def language(self, session_id: str) -> str | None:
        """The language the session started in, or None for an unknown or expired session."""
        if not (16 <= len(session_id) <= 64):
            return None
        raw = self._redis.get(self._key(session_id))
        if raw is None:
            return None
        self._redis.expire(self._key(session_id), SESSION_TTL_SECONDS)
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    def remember_language(self, session_id: str, language: str) -> None:
        """Refusals (too long, too fast) are written in the conversation's language."""
        self._redis.set(self._key(session_id), language, ex=SESSION_TTL_SECONDS)

    @staticmethod
    def _key(session_id: str) -> str:
        return f"webchat:{session_id}"
