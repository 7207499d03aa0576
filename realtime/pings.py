"""Engine.IO's pings, the answers awaited and each websocket's silence, due in order of
time: one heap for the whole server, looked at once a sweep (see
`EngineServer._service_task` in realtime/engine.py), instead of a task and a timer per
session."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Any, Protocol

# What falls due: a session's next ping, the answer to its last one, a reader's silence.
PING_DUE, ANSWER_DUE, SILENCE_DUE = 0, 1, 2


class Session(Protocol):
    """What the heartbeat asks of an Engine.IO session (`EngineSocket`)."""

    async def ping(self, now: float) -> None: ...

    async def check_answer(self, now: float) -> None: ...


class Silence:
    """Ends the task that made it once nothing has been heard for `limit` seconds.

    Watched by the server's `Heartbeat`, which looks at it once the limit could have
    passed and again at each later time it could, within a sweep (a second): no timer
    of its own. `asyncio.timeout` and its `reschedule` made a new timer for every frame,
    and uvloop keeps each cancelled timer until the time it was set for; one timer per
    connection, moved on when it fired, was still about 600 bytes of every idle one."""

    __slots__ = ("_cancelling", "_ended", "_limit", "_task", "last")

    def __init__(self, limit: float, heartbeat: Heartbeat) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._task: asyncio.Task[Any] | None = task
        self._cancelling = task.cancelling()
        self._limit = limit
        self._ended = False
        self.last = time.time()
        heartbeat.due(self.last + limit, self, SILENCE_DUE)

    def heard(self) -> None:
        self.last = time.time()

    def ended(self) -> bool:
        """Whether the silence alone cancelled the task (as `asyncio.timeout` tells its
        own cancellation from another): then the cancellation is taken back, so the task
        finishes its clean-up and ends normally."""
        if not self._ended or self._task is None:
            return False
        return self._task.uncancel() <= self._cancelling

    def stop(self) -> None:
        """The task is done reading: the heartbeat drops this at its next look, and
        meanwhile holds nothing of the task."""
        self._task = None

    def check(self, now: float, heartbeat: Heartbeat) -> None:
        """Due: end the task if the silence has lasted, else look again when it could."""
        if self._ended or self._task is None:
            return
        due = self.last + self._limit
        if now >= due:
            self._ended = True
            self._task.cancel()
        else:
            heartbeat.due(due, self, SILENCE_DUE)


class Heartbeat:
    """The sessions' pings due, answers awaited and silences watched, in order of time,
    so that each round looks only at what is due now, however many sessions are open."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, int, Any]] = []
        self._order = itertools.count()

    def due(self, when: float, target: Session | Silence, what: int) -> None:
        heapq.heappush(self._due, (when, next(self._order), what, target))

    async def run(self, now: float) -> None:
        due = self._due
        while due and due[0][0] <= now:
            _, _, what, target = heapq.heappop(due)
            if what == PING_DUE:
                await target.ping(now)
            elif what == ANSWER_DUE:
                await target.check_answer(now)
            else:
                target.check(now, self)
