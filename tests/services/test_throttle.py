"""Rate limits when Redis cannot be reached: counted per process instead, never an
error, and the switch said once; in memory, expired counts swept now and then."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from limits.aio.storage import MemoryStorage

from services import throttle as throttle_module
from services.throttle import Counting, Throttle, limit

UNREACHABLE = "redis://127.0.0.1:1/0"


class _Said:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warning(self, event: str, **fields: Any) -> None:
        self.warnings.append(event)

    def info(self, event: str, **fields: Any) -> None:
        pass


async def test_an_unreachable_redis_falls_back_to_counting_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said = _Said()
    monkeypatch.setattr(throttle_module, "log", said)
    # Every call tries Redis again, as if each came after the retry interval.
    monkeypatch.setattr(throttle_module, "RETRY_REDIS_SECONDS", 0.0)
    throttle = Throttle(UNREACHABLE)
    item = limit("3/minute")
    windows = [await throttle.hit(item, "api", "203.0.113.9") for _ in range(4)]
    # Another key has a window of its own, in memory too.
    other = await throttle.allow(item, "api", "203.0.113.10")
    assert [w.allowed for w in windows] == [True, True, True, False]
    assert [w.remaining for w in windows] == [2, 1, 0, 0]
    assert other is True
    assert throttle.degraded is True
    # Five failed attempts at Redis, one line.
    assert len(said.warnings) == 1
    assert "count per process" in said.warnings[0]


async def test_without_redis_nothing_is_degraded() -> None:
    throttle = Throttle(None)
    item = limit("1/minute")
    assert await throttle.allow(item, "k") is True
    assert await throttle.allow(item, "k") is False
    assert await throttle.test(item, "k") is False
    assert throttle.degraded is False


@pytest.mark.parametrize("counting", ["moving", "fixed"])
async def test_every_window_stops_at_the_limit_and_counts_keys_apart(counting: Counting) -> None:
    throttle = Throttle(None, counting=counting)
    item = limit("3/minute")
    assert [await throttle.allow(item, "a") for _ in range(4)] == [True, True, True, False]
    assert await throttle.allow(item, "b") is True
    window = await throttle.hit(item, "b")
    assert window.allowed is True and window.limit == 3 and window.remaining == 1


@pytest.mark.parametrize("counting", ["moving", "fixed"])
async def test_expired_counts_are_swept_now_and_then_not_after_every_hit(
    counting: Counting, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweeps: list[float] = []
    real = MemoryStorage._MemoryStorage__schedule_expiry  # type: ignore[attr-defined]

    async def counted(self: Any) -> None:
        sweeps.append(time.monotonic())
        await real(self)

    monkeypatch.setattr(MemoryStorage, "_MemoryStorage__schedule_expiry", counted)
    monkeypatch.setattr(throttle_module, "SWEEP_SECONDS", 3600.0)
    throttle = Throttle(None, counting=counting)
    item = limit("1/second")
    storage: Any = throttle._memory.storage
    # A burst from many clients: one sweep (at the first hit), not one per hit.
    for n in range(300):
        assert await throttle.allow(item, "api", f"198.51.100.{n}")
        await asyncio.sleep(0)
    assert len(sweeps) == 1
    # Between sweeps the counts still hold.
    held = limit("1/minute")
    assert await throttle.allow(held, "api", "203.0.113.1")
    assert not await throttle.allow(held, "api", "203.0.113.1")
    assert len(sweeps) == 1
    # Once the windows are over and a sweep is due, the next hit sweeps them away.
    await asyncio.sleep(2.2)
    monkeypatch.setattr(throttle_module, "SWEEP_SECONDS", 0.0)
    assert await throttle.allow(item, "api", "198.51.100.7")
    await asyncio.sleep(0.1)
    assert len(sweeps) == 2
    left = storage.events if counting == "moving" else storage.expirations
    assert len(left) <= 2, len(left)
