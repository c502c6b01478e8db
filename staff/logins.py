"""Staff login sessions kept in Redis, so signing out (or disabling an account) ends them
for every web process, and a copied cookie dies with its login.

The browser's signed session cookie holds only a random login id; Redis maps the id's
SHA-256 to the staff user's id for a fixed lifetime.
"""

from __future__ import annotations

import hashlib
import secrets

import redis

from bot.ratelimit import RedisRateLimiter

LOGIN_HOURS = 12


class StaffLogins:
    def __init__(self, client: redis.Redis, *, lifetime_seconds: int = LOGIN_HOURS * 3600) -> None:
        self._client = client
        self._lifetime = lifetime_seconds

    def start(self, user_id: int) -> str:
        """A new login id for ``user_id``; put it in the session cookie."""
        login_id = secrets.token_urlsafe(32)
        self._client.set(self._key(login_id), str(user_id), ex=self._lifetime)
        return login_id

    def user_id(self, login_id: object) -> int | None:
        """The staff user's id of a live login, or None (unknown, expired or ended)."""
        if not isinstance(login_id, str) or not login_id or len(login_id) > 100:
            return None
        value = self._client.get(self._key(login_id))
        if value is None:
            return None
        try:
            return int(value)  # bytes or str, depending on the client
        except ValueError:
            return None

    def end(self, login_id: object) -> None:
        if isinstance(login_id, str) and login_id and len(login_id) <= 100:
            self._client.delete(self._key(login_id))

    @staticmethod
    def _key(login_id: str) -> str:
        # Only a hash is stored: whoever reads Redis cannot replay a login from it.
        return "staff:login:" + hashlib.sha256(login_id.encode()).hexdigest()


class LoginThrottle:
    """Failed sign-ins per email address and client IP: after ``attempts`` failures in a
    window, that pair is refused (before any password is checked) until the window passes."""

    def __init__(self, client: redis.Redis, limiter: RedisRateLimiter, *, attempts: int, window_seconds: int) -> None:
        self._client = client
        self._limiter = limiter
        self._attempts = attempts
        self.window_seconds = window_seconds

    def locked(self, email: str, ip: str) -> bool:
        return bool(self._client.exists(self._lock_key(email, ip)))

    def failed(self, email: str, ip: str) -> bool:
        """Counts a failure; True when this one used up the allowance (the pair is now locked)."""
        if self._limiter.allow(self._key(email, ip), self._attempts, self.window_seconds):
            return False
        self._client.set(self._lock_key(email, ip), "1", ex=self.window_seconds)
        return True

    def _key(self, email: str, ip: str) -> str:
        # The limiter counts failures in fixed windows; once a window's allowance is used up,
        # the lock holds for a whole window from that moment. Hashed: any email fits a key.
        return "staff-login:" + hashlib.sha256(f"{email.strip().lower()}|{ip}".encode()).hexdigest()

    def _lock_key(self, email: str, ip: str) -> str:
        return self._key(email, ip) + ":locked"
