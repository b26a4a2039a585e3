"""Per-conversation limits shared by several Rasa replicas, in Redis.

With one Rasa server the rate limit (`bot.channels.public.RateLimiter`) and the webhook
channel's replay check (`bot.signing.Verifier`) live in its memory. Behind a load
balancer each replica would count only the messages it saw: a sender could send twice
the limit, and a signed request could be played again against the other replica. With
REDIS_URL set, both use these Redis versions instead (`for_settings`).

Redis down: the rate limit lets the message through (the conversation lock in the same
Redis fails it a moment later with the channel's "try again" answer); the replay check
refuses, as it cannot tell a replay from a first request.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any, Optional

import redis

logger = logging.getLogger(__name__)

PREFIX = "herning:"

# A sliding window in one sorted set per key, checked and counted atomically:
# returns "0" when the request may go ahead (and counts it), else seconds to wait.
_WINDOW = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return tostring(window - (now - tonumber(oldest[2])))
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return '0'
"""


class SharedStateUnavailable(RuntimeError):
    """Redis could not be reached for a check that must not be skipped."""


def connect(url: str) -> Any:
    """A client that gives up within seconds when Redis is gone (redis-py replaces a
    pooled connection that broke with a restart before using it)."""
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


class RedisRateLimiter:
    """`RateLimiter`'s interface (`retry_after`), counted across all replicas."""

    def __init__(self, client: Any, limit: int, seconds: float) -> None:
        self.client, self.limit, self.seconds = client, limit, seconds
        self._window = client.register_script(_WINDOW)

    def retry_after(self, key: str, now: Optional[float] = None) -> float:
        now = time.time() if now is None else now
        try:
            wait = self._window(keys=[f"{PREFIX}rate:{key}"],
                                args=[now, self.seconds, self.limit, uuid.uuid4().hex])
        except redis.RedisError as error:
            logger.warning("Rate limit not checked, Redis unavailable: %s",
                           type(error).__name__)
            return 0.0
        seconds = float(wait)
        return max(0.1, seconds) if seconds > 0 else 0.0


class RedisReplayCache:
    """Remembers a signature for `ttl` seconds; `first_time` is False for a replay."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def first_time(self, key: str, ttl: float) -> bool:
        try:
            return bool(self.client.set(f"{PREFIX}seen:{key}", b"1", nx=True,
                                        ex=max(1, int(ttl) + 1)))
        except redis.RedisError as error:
            raise SharedStateUnavailable(type(error).__name__) from error
