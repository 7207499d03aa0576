"""Moving-window rate limits shared by every worker through Redis, falling back to
per-process counting while Redis cannot be reached, so a Redis outage never fails a
request. Every face (REST, sockets, MCP) counts through here."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import (
    FixedWindowRateLimiter,
    MovingWindowRateLimiter,
    RateLimiter,
)
from limits.errors import StorageError
from limits.storage import storage_from_string
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

log = structlog.get_logger("roundtable.throttle")

T = TypeVar("T")
# What an unreachable Redis raises, wrapped by `limits` or not.
_UNREACHABLE = (StorageError, RedisConnectionError, RedisTimeoutError, OSError)

# After Redis fails, count in memory this long before trying Redis again: a request
# during an outage pays no connection attempt, and sharing resumes within seconds.
RETRY_REDIS_SECONDS = 2.0


# How often the in-memory counters drop what has expired.
SWEEP_SECONDS = 5.0


class SweptMemoryStorage(MemoryStorage):
    """`limits`' in-memory counters, dropping expired entries at most every
    SWEEP_SECONDS. Its own sweep starts a task that walks every key (for a moving
    window, with a hop to a thread per key) after nearly every hit: with thousands of
    clients counted at once it cost more than the request it guarded. Every count
    reads the time itself, so the sweep only frees memory, and it can wait."""

    def __init__(self) -> None:
        super().__init__()
        self._swept_at = -math.inf

    async def _MemoryStorage__schedule_expiry(self) -> None:  # its private hook
        now = time.monotonic()
        if now - self._swept_at < SWEEP_SECONDS:
            return
        self._swept_at = now
        await super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]


# How a limit counts the hits in its window (see `Throttle`).
Counting = Literal["moving", "fixed"]
_STRATEGIES: dict[str, type[RateLimiter]] = {
    "moving": MovingWindowRateLimiter,
    "fixed": FixedWindowRateLimiter,
}


@dataclass(frozen=True)
class Window:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float


def _redis_storage(redis_url: str) -> Storage:
    storage = storage_from_string(
        "async+" + redis_url,
        implementation="redispy",
        wrap_exceptions=True,
        # A pooled connection Redis closed is checked and replaced, and one failed
        # command is retried on a fresh connection before the fallback takes over.
        health_check_interval=5,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),  # type: ignore[arg-type]
        retry_on_error=[RedisConnectionError, RedisTimeoutError],  # type: ignore[arg-type]
        socket_connect_timeout=1.0,
        socket_timeout=2.0,
    )
    assert isinstance(storage, Storage)
    return storage


class Throttle:
    """One limiter over Redis (when configured) and one over memory.

    `counting` says how. Windows move exactly by default ("moving"): every hit is kept
    until it leaves the window. A "fixed" window is one counter per window, a constant
    cost per hit however high the limit: for limits in the thousands, where keeping
    every hit would cost more than the work it guards. Across the turn of a window it
    lets through up to twice the limit, which still bounds a flood."""

    def __init__(self, redis_url: str | None = None, *, counting: Counting = "moving") -> None:
        strategy = _STRATEGIES[counting]
        self._memory: RateLimiter = strategy(SweptMemoryStorage())
        self._shared: RateLimiter | None = (
            strategy(_redis_storage(redis_url)) if redis_url is not None else None
        )
        self._down_until = 0.0
        self.degraded = False

    async def _run(self, op: Callable[[RateLimiter], Awaitable[T]]) -> T:
        """`op` on the shared counters when Redis answers, else on this process's."""
        if self._shared is not None and time.monotonic() >= self._down_until:
            try:
                result = await op(self._shared)
            except _UNREACHABLE as exc:
                self._failed(exc)
            else:
                if self.degraded:
                    self.degraded = False
                    log.info("redis reachable again; rate limits are shared across workers")
                return result
        return await op(self._memory)

    def _failed(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + RETRY_REDIS_SECONDS
        if not self.degraded:
            self.degraded = True
            log.warning(
                "redis unreachable; rate limits count per process until it returns",
                error=type(exc).__name__,
            )

    async def hit(self, item: RateLimitItem, *keys: str, cost: int = 1) -> Window:
        """Count one request against `item` for `keys` and say whether it may pass, with
        the window's figures (for the X-RateLimit headers)."""

        async def op(limiter: RateLimiter) -> Window:
            allowed = await limiter.hit(item, *keys, cost=cost)
            reset, remaining = await limiter.get_window_stats(item, *keys)
            return Window(allowed, item.amount, max(remaining, 0), reset)

        return await self._run(op)

    async def allow(self, item: RateLimitItem, *keys: str, cost: int = 1) -> bool:
        """Count one request and say whether it may pass: one storage call."""
        return await self._run(lambda limiter: limiter.hit(item, *keys, cost=cost))

    async def test(self, item: RateLimitItem, *keys: str) -> bool:
        """Whether one more hit would pass, without counting it."""
        return await self._run(lambda limiter: limiter.test(item, *keys))


_throttle = Throttle()


def configure(redis_url: str | None) -> Throttle:
    """Called once at start-up; without Redis every count is per process."""
    global _throttle
    _throttle = Throttle(redis_url)
    return _throttle


def current() -> Throttle:
    return _throttle


def limit(text: str) -> RateLimitItem:
    """'60/minute' → a limit item; raises ValueError for a malformed one."""
    return parse(text)
