"""Rate limits when Redis cannot be reached: counted per process instead, never an
error, and the switch said once."""

from __future__ import annotations

from structlog.testing import capture_logs

from services.throttle import Throttle, limit

UNREACHABLE = "redis://127.0.0.1:1/0"


async def test_an_unreachable_redis_falls_back_to_counting_in_this_process() -> None:
    throttle = Throttle(UNREACHABLE)
    item = limit("3/minute")
    with capture_logs() as logs:
        windows = [await throttle.hit(item, "api", "203.0.113.9") for _ in range(4)]
        # Another key has a window of its own, in memory too.
        other = await throttle.allow(item, "api", "203.0.113.10")
    assert [w.allowed for w in windows] == [True, True, True, False]
    assert [w.remaining for w in windows] == [2, 1, 0, 0]
    assert other is True
    assert throttle.degraded is True
    warnings = [e for e in logs if e["log_level"] == "warning"]
    assert len(warnings) == 1
    assert "count per process" in warnings[0]["event"]


async def test_without_redis_nothing_is_degraded() -> None:
    throttle = Throttle(None)
    item = limit("1/minute")
    assert await throttle.allow(item, "k") is True
    assert await throttle.allow(item, "k") is False
    assert await throttle.test(item, "k") is False
    assert throttle.degraded is False
