"""Presence shared by every worker through Redis.

Keys (all under `rt:`):
- `rt:presence:<room>`: a hash with one field per live socket, `<worker>/<sid>`, whose
  value is the tab as JSON (the person, their role, the tab's focus and when it was
  set). Readers group the fields into one entry per person.
- `rt:worker:<worker>`: the worker's heartbeat, refreshed every HEARTBEAT_SECONDS with a
  TTL of WORKER_TTL_SECONDS (by default: `PRESENCE_TTL_SECONDS` sets both).
- `rt:worker:<worker>:rooms`: the rooms where that worker has sockets.
- `rt:workers`: every worker that has registered.

A worker whose heartbeat has expired is dead (`kill -9`, a lost machine): the first
live worker to notice removes its sockets from every room and tells those rooms. A
worker that finds its own heartbeat gone (Redis restarted, or it stalled past the TTL)
writes its sockets again. While Redis is unreachable each worker answers with its own
sockets only: presence may be stale, nothing else breaks.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import orjson
import structlog

from realtime.presence import Here, LocalPresence, Person, Tab, group
from realtime.redis_client import UNREACHABLE, connect

log = structlog.get_logger("roundtable.presence")

HEARTBEAT_SECONDS = 5.0
WORKER_TTL_SECONDS = 15
WORKERS = "rt:workers"


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def room_key(room: str) -> str:
    return f"rt:presence:{room}"


def worker_key(worker: str) -> str:
    return f"rt:worker:{worker}"


def worker_rooms_key(worker: str) -> str:
    return f"rt:worker:{worker}:rooms"


class RedisPresence:
    def __init__(
        self,
        url: str,
        *,
        on_rooms_changed: Callable[[list[str]], None],
        heartbeat: float = HEARTBEAT_SECONDS,
        ttl: int = WORKER_TTL_SECONDS,
    ) -> None:
        self.worker = uuid.uuid4().hex[:12]
        self._local = LocalPresence()
        self._redis = connect(url)
        self._on_rooms_changed = on_rooms_changed
        self._heartbeat = heartbeat
        self._ttl = ttl
        self._task: asyncio.Task[None] | None = None
        self._reachable = True
        # Set when a write may have been lost: the next heartbeat rewrites this worker's
        # sockets and drops what it no longer has.
        self._resync = False
        self._order = asyncio.Lock()

    # The store.

    # Every change is made here and in Redis under one lock, so Redis sees this worker's
    # changes in the order they happened: a leave written before its join would leave
    # a ghost behind.

    async def add(self, room: str, sid: str, person: Person) -> None:
        async with self._order:
            await self._local.add(room, sid, person)
            await self._write(room, [sid])

    async def remove(self, room: str, sid: str) -> None:
        async with self._order:
            await self._local.remove(room, sid)
            gone = room not in self._local.local_rooms()
            try:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.hdel(room_key(room), self._field(sid))
                    if gone:
                        pipe.srem(worker_rooms_key(self.worker), room)
                    await pipe.execute()
            except UNREACHABLE as exc:
                self._unreachable(exc)

    async def set_focus(self, room: str, sid: str, focus: dict[str, Any] | None) -> bool:
        async with self._order:
            if not await self._local.set_focus(room, sid, focus):
                return False
            await self._write(room, [sid])
            return True

    async def rename(self, room: str, person: Person) -> bool:
        async with self._order:
            if not await self._local.rename(room, person):
                return False
            tabs = self._local.tabs(room).items()
            await self._write(room, [sid for sid, tab in tabs if tab.person.key == person.key])
            return True

    async def people(self, room: str) -> list[Here]:
        mine = self._local.tabs(room)
        try:
            raw = {
                _text(f): _text(v) for f, v in (await self._redis.hgetall(room_key(room))).items()
            }
        except UNREACHABLE as exc:
            self._unreachable(exc)
            return group(list(mine.values()))
        self._reached()
        own = f"{self.worker}/"
        # This worker's own sockets come from memory: they are right even before a
        # heartbeat has written them back after a Redis restart.
        tabs = [Tab.from_wire(orjson.loads(v)) for f, v in raw.items() if not f.startswith(own)]
        return group(tabs + list(mine.values()))

    def local_rooms(self) -> list[str]:
        return self._local.local_rooms()

    # Heartbeat and reaping.

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="presence-heartbeat")

    async def close(self) -> None:
        """Leave cleanly: this worker's sockets and heartbeat go at once."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        try:
            async with self._order, self._redis.pipeline(transaction=True) as pipe:
                for room in self._local.local_rooms():
                    fields = [self._field(sid) for sid in self._local.tabs(room)]
                    if fields:
                        pipe.hdel(room_key(room), *fields)
                pipe.delete(worker_key(self.worker), worker_rooms_key(self.worker))
                pipe.srem(WORKERS, self.worker)
                await pipe.execute()
        except UNREACHABLE:
            pass
        finally:
            await self._redis.aclose()

    async def _run(self) -> None:
        while True:
            try:
                await self.beat()
                await self.reap()
            except UNREACHABLE as exc:
                self._unreachable(exc)
            except Exception:
                log.exception("presence heartbeat failed", worker=self.worker)
            await asyncio.sleep(self._heartbeat)

    async def beat(self) -> None:
        """Refresh this worker's heartbeat; when it had vanished, write every socket of
        this worker again and tell its rooms."""
        had = await self._redis.set(worker_key(self.worker), "1", ex=self._ttl, get=True)
        await self._redis.sadd(WORKERS, self.worker)
        self._reached()
        if had is None or self._resync:
            self._resync = False
            async with self._order:
                rooms = await self._rewrite()
            if rooms:
                log.info("presence written again", worker=self.worker, rooms=len(rooms))
                self._on_rooms_changed(rooms)

    async def _rewrite(self) -> list[str]:
        """Make Redis hold exactly this worker's sockets; the rooms touched."""
        local = set(self._local.local_rooms())
        listed = await self._members(worker_rooms_key(self.worker))
        prefix = f"{self.worker}/"
        for room in sorted(listed | local):
            keep = {self._field(sid) for sid in self._local.tabs(room)}
            fields = await self._fields(room)
            stale = [f for f in fields if f.startswith(prefix) and f not in keep]
            if stale:
                await self._redis.hdel(room_key(room), *stale)
            if room in local:
                await self._write(room, list(self._local.tabs(room)))
            else:
                await self._redis.srem(worker_rooms_key(self.worker), room)
        return sorted(listed | local)

    async def reap(self) -> list[str]:
        """Take the sockets of workers whose heartbeat expired out of their rooms; the
        rooms that changed."""
        changed: list[str] = []
        for worker in sorted(await self._members(WORKERS)):
            if worker == self.worker or await self._redis.exists(worker_key(worker)):
                continue
            # One worker reaps each dead one.
            if not await self._redis.set(f"rt:reap:{worker}", self.worker, nx=True, ex=60):
                continue
            rooms = sorted(await self._members(worker_rooms_key(worker)))
            prefix = f"{worker}/"
            for room in rooms:
                fields = [f for f in await self._fields(room) if f.startswith(prefix)]
                if fields:
                    await self._redis.hdel(room_key(room), *fields)
                    changed.append(room)
            await self._redis.delete(worker_rooms_key(worker))
            await self._redis.srem(WORKERS, worker)
            log.warning("removed a dead worker's sockets", dead=worker, rooms=len(rooms))
        if changed:
            self._on_rooms_changed(changed)
        return changed

    # Internals.

    async def _members(self, key: str) -> set[str]:
        return {_text(m) for m in await self._redis.smembers(key)}

    async def _fields(self, room: str) -> list[str]:
        return [_text(f) for f in await self._redis.hkeys(room_key(room))]

    def _field(self, sid: str) -> str:
        return f"{self.worker}/{sid}"

    async def _write(self, room: str, sids: list[str]) -> None:
        tabs = self._local.tabs(room)
        fields = {self._field(s): orjson.dumps(tabs[s].wire()).decode() for s in sids if s in tabs}
        if not fields:
            return
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(room_key(room), mapping=fields)  # type: ignore[arg-type]
                pipe.sadd(worker_rooms_key(self.worker), room)
                pipe.sadd(WORKERS, self.worker)
                await pipe.execute()
        except UNREACHABLE as exc:
            self._unreachable(exc)

    def _unreachable(self, exc: BaseException) -> None:
        self._resync = True
        if self._reachable:
            self._reachable = False
            log.warning(
                "redis unreachable; presence shows this worker's sockets until it returns",
                error=type(exc).__name__,
            )

    def _reached(self) -> None:
        if not self._reachable:
            self._reachable = True
            log.info("redis reachable again; presence is shared", worker=self.worker)
