"""Rate limit and replay check shared by replicas, against a real Redis server."""

from __future__ import annotations

import pytest

from bot.shared_state import (
    RedisRateLimiter,
    RedisReplayCache,
    SharedStateUnavailable,
    connect,
)
from bot.signing import SignatureError, Verifier, sign
from tests.support.servers import free_port

SECRET = "shared-state-test-secret"


def test_the_limit_counts_messages_sent_to_either_replica(redis):
    replicas = [RedisRateLimiter(connect(redis.url), limit=4, seconds=60) for _ in range(2)]
    waits = [replicas[i % 2].retry_after("afsender-a", now=1000.0 + i) for i in range(5)]
    assert waits[:4] == [0.0] * 4
    assert 55 < waits[4] <= 57  # the first of the four leaves the window at 1060
    assert replicas[1].retry_after("afsender-b", now=1004.0) == 0.0  # others unaffected
    assert replicas[0].retry_after("afsender-a", now=1061.0) == 0.0  # the window moved


def test_a_signed_request_replayed_to_the_other_replica_is_refused(redis):
    body = b'{"sender": "platform-1", "message": "hej"}'
    headers = sign(SECRET, body)
    first = Verifier(SECRET, 300, RedisReplayCache(connect(redis.url)))
    second = Verifier(SECRET, 300, RedisReplayCache(connect(redis.url)))
    first.verify(headers, body)
    with pytest.raises(SignatureError, match="genafspilning"):
        second.verify(headers, body)


def test_redis_down_lets_messages_through_but_refuses_unverifiable_requests():
    gone = connect(f"redis://127.0.0.1:{free_port()}/0")
    assert RedisRateLimiter(gone, limit=1, seconds=60).retry_after("afsender") == 0.0
    body = b"{}"
    with pytest.raises(SharedStateUnavailable):
        Verifier(SECRET, 300, RedisReplayCache(gone)).verify(sign(SECRET, body), body)


def test_a_restarted_redis_is_used_again_without_an_error(redis):
    limiter = RedisRateLimiter(connect(redis.url), limit=100, seconds=60)
    assert limiter.client.ping()
    redis.stop()
    redis.start()  # same port; the pooled connection is now broken
    assert limiter.client.set("herning:test:efter-genstart", b"1")
