"""A small unbounded queue for each connection's messages.

uvicorn keeps an `asyncio.Queue` per websocket for what the client sent, and Engine.IO
one per session for what goes to the client. An `asyncio.Queue` is four deques (its
items, its getters, its putters, and an event's waiters) of about 760 bytes each, made
up front: 6 KB of every idle connection for two queues that are empty nearly always.
This one makes its deque when an item comes and lets it go once emptied, and a list of
getters only when someone waits, and keeps the part of `asyncio.Queue`'s interface the
two use: `put_nowait`, `put`, `get`, `get_nowait`, `empty`, `qsize`, `task_done` and
`join`. `LeanEvent` does the same for the event uvicorn keeps per websocket to pause its
sends.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any


class LeanQueue:
    __slots__ = ("_finished", "_getters", "_items", "_unfinished", "on_put")

    def __init__(self) -> None:
        self._items: deque[Any] | None = None
        self._getters: list[asyncio.Future[None]] | None = None
        self._unfinished = 0
        self._finished: asyncio.Event | None = None
        # Called after each item is put, for a consumer started only when there is work.
        self.on_put: Callable[[], None] | None = None

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        self._unfinished += 1
        if self._finished is not None:
            self._finished.clear()
        self._wake_one()
        if self.on_put is not None:
            self.on_put()

    async def put(self, item: Any) -> None:
        self.put_nowait(item)

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        item = self._items.popleft()
        if self._items:
            # Another getter may be waiting for what is left.
            self._wake_one()
        else:
            # An idle connection keeps no empty deque (a few hundred bytes each).
            self._items = None
        return item

    async def get(self) -> Any:
        while not self._items:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            if self._getters is None:
                self._getters = []
            self._getters.append(waiter)
            try:
                await waiter
            except BaseException:
                # Cancelled after being woken: pass the wake-up on.
                if waiter.done() and not waiter.cancelled() and self._items:
                    self._wake_one()
                raise
            finally:
                if self._getters is not None and waiter in self._getters:
                    self._getters.remove(waiter)
                if not self._getters:
                    self._getters = None
        return self.get_nowait()

    def task_done(self) -> None:
        if self._unfinished <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished -= 1
        if self._unfinished == 0 and self._finished is not None:
            self._finished.set()

    async def join(self) -> None:
        if self._unfinished == 0:
            return
        if self._finished is None:
            self._finished = asyncio.Event()
        await self._finished.wait()

    def _wake_one(self) -> None:
        for waiter in self._getters or ():
            if not waiter.done():
                waiter.set_result(None)
                return


class LeanEvent:
    """`asyncio.Event`'s `set`, `clear`, `is_set` and `wait`, with its list of waiters made
    only when someone waits: an `asyncio.Event` makes a deque up front (about 370 bytes),
    and uvicorn keeps one per websocket that nearly nobody ever waits on."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = False
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        if self._set:
            return
        self._set = True
        for waiter in self._waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
            return True
        finally:
            self._waiters.remove(waiter)
            if not self._waiters:
                self._waiters = None
