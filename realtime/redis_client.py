"""Redis connections that heal by themselves: a pooled connection Redis closed is
checked and replaced, and a command that meets a dropped connection is retried once
on a fresh one. Redis is a fast path here, never the store of record."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

# What "Redis is unreachable" looks like to a caller, whichever layer raised it.
UNREACHABLE: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, OSError)


def options(*, pubsub: bool = False) -> dict[str, Any]:
    """Keyword arguments for `Redis.from_url`. A pub/sub listener blocks on its socket
    between messages, so it gets no read timeout (that makes reconnect loops)."""
    opts: dict[str, Any] = {
        "health_check_interval": 5,
        "retry": Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        "socket_connect_timeout": 1.0,
        "socket_keepalive": True,
    }
    if not pubsub:
        opts["socket_timeout"] = 2.0
    return opts


def connect(url: str) -> Redis:
    client: Redis = Redis.from_url(url, decode_responses=True, **options())
    return client
