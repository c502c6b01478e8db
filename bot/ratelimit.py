"""Fixed-window rate limits in Redis, shared by every web process."""

from __future__ import annotations

import time

import redis


class RedisRateLimiter:
    def __init__(self, client: redis.Redis, prefix: str = "ratelimit") -> None:
        self._client = client
        self._prefix = prefix

    def allow(self, key: str, limit: int, window_seconds: int) -> bool:
        """Counts one use of ``key``; False once ``limit`` uses fall in the current window."""
        window = int(time.time()) // window_seconds
        name = f"{self._prefix}:{key}:{window}"
        pipe = self._client.pipeline(transaction=True)
        pipe.incr(name)
        pipe.expire(name, window_seconds + 1)
        count, _ = pipe.execute()
        return int(count) <= limit
