"""Makes a lost broadcast visible: each worker tells its own sockets a room's latest
seq when an event committed there has not reached them, so a client whose event was
dropped (a Redis outage, a publish given up after its retries) calls `sync` within
seconds, even in a room that stays quiet afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import structlog

from realtime.publisher import namespace_of
from services.availability import is_outage
from services.events import current_seqs

log = structlog.get_logger("roundtable.socket")

INTERVAL_SECONDS = 3.0


class SeqWatch:
    """Remembers the highest seq this worker has delivered to each room, and every
    INTERVAL_SECONDS compares it with the database. A room still behind the head read
    one interval earlier gets `heartbeat {"seq"}` on this worker's sockets: an event in
    flight has had a whole interval to arrive, so only a lost one triggers it."""

    def __init__(
        self, sio: Any, rooms: Callable[[], set[str]], interval: float = INTERVAL_SECONDS
    ) -> None:
        self._sio = sio
        self._rooms = rooms
        self._interval = interval
        self._delivered: dict[str, int] = {}
        self._heads: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None

    def saw(self, room: str, seq: int) -> None:
        if seq > self._delivered.get(room, 0):
            self._delivered[room] = seq

    async def delivered(self, event: str, data: Any, namespace: str, room: Any) -> None:
        """A delivery hook: an `event` this worker has handed to its sockets."""
        if event == "event" and isinstance(room, str) and isinstance(data, dict):
            seq = data.get("seq")
            if isinstance(seq, int):
                self.saw(room, seq)

    async def check(self) -> list[str]:
        """One round; the rooms told their head."""
        rooms = self._rooms()
        for gone in set(self._delivered) - rooms:
            del self._delivered[gone]
        heads = await current_seqs(sorted(rooms))
        for room, head in heads.items():
            if room not in self._delivered:
                # Sockets whose `state` was not recorded start from about this head.
                self.saw(room, head)
        behind = [
            room
            for room, head in heads.items()
            if self._delivered.get(room, 0) < min(head, self._heads.get(room, 0))
        ]
        self._heads = heads
        for room in behind:
            await self._sio.emit(
                "heartbeat",
                {"seq": heads[room]},
                room=room,
                namespace=namespace_of(room),
                ignore_queue=True,
            )
        return behind

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="seq-heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                behind = await self.check()
            except Exception as exc:
                if is_outage(exc):
                    log.warning("seq heartbeat skipped: database unavailable")
                else:
                    log.exception("seq heartbeat failed")
                continue
            if behind:
                log.info("rooms behind their log; told their sockets", rooms=len(behind))
