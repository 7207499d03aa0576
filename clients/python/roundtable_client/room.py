"""One live room over Socket.IO: the snapshot, events in `seq` order with no gap and no
repeat, presence, and commands that raise when refused.

Everything the server sends goes through one queue, taken in arrival order once the
namespace is connected. An event whose `seq` is past the next one means some were
missed: `sync {since}` fetches them (or a fresh snapshot) before it is handled. After a
reconnect the server sends a new snapshot; the events between the last one seen and it
are fetched the same way, so a bot's handlers see every change once, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, ClassVar

import socketio

from roundtable_client.errors import CommandError, ConnectRefused
from roundtable_client.events import Event

log = logging.getLogger("roundtable_client")

EventHandler = Callable[[Event], Awaitable[None] | None]
StateHandler = Callable[[dict[str, Any]], Awaitable[None] | None]
EVERY = "*"
RECENT = 200


class Room:
    """The parts /poker and /board share. Subclasses name the namespace and the auth."""

    namespace: ClassVar[str] = ""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        serializer: str = "msgpack",
        reconnect: bool = True,
        timeout: float = 10.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.state: dict[str, Any] | None = None
        self.seq = 0
        self.presence: dict[str, Any] = {}
        self.reconnects = 0
        # How many times missed events were fetched with `sync`.
        self.catch_ups = 0
        # The latest events handled, oldest first.
        self.recent: deque[Event] = deque(maxlen=RECENT)
        self._sio = socketio.AsyncClient(
            serializer=serializer,
            reconnection=reconnect,
            reconnection_delay=0.5,
            reconnection_delay_max=5,
        )
        self._handlers: dict[str, list[EventHandler]] = {}
        self._state_handlers: list[StateHandler] = []
        self._presence_handlers: list[StateHandler] = []
        self._waiters: list[tuple[str, Callable[[Event], bool], asyncio.Future[Event]]] = []
        self._inbox: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._connected = asyncio.Event()
        self._first_state = asyncio.Event()
        self._refusal: dict[str, Any] | None = None
        self._worker: asyncio.Task[None] | None = None
        ns = self.namespace
        self._sio.on("connect", self._on_connect, namespace=ns)
        self._sio.on("disconnect", self._on_disconnect, namespace=ns)
        self._sio.on("connect_error", self._on_connect_error, namespace=ns)
        self._sio.on("state", self._queue("state"), namespace=ns)
        self._sio.on("event", self._queue("event"), namespace=ns)
        self._sio.on("presence", self._queue("presence"), namespace=ns)

    def auth(self) -> dict[str, Any]:
        raise NotImplementedError

    # Connecting

    async def connect(self) -> dict[str, Any]:
        """Connect and wait for the room's snapshot, which it answers."""
        self._worker = asyncio.create_task(self._work(), name=f"roundtable:{self.namespace}")
        try:
            await self._sio.connect(
                self.url,
                auth=lambda: self.auth(),
                namespaces=[self.namespace],
                transports=["websocket"],
                wait_timeout=self.timeout,
            )
        except socketio.exceptions.ConnectionError as exc:
            await self._stop_worker()
            refusal = self._refusal or {}
            raise ConnectRefused(
                str(refusal.get("code", "unavailable")), str(refusal.get("message", exc))
            ) from None
        await asyncio.wait_for(self._first_state.wait(), self.timeout)
        assert self.state is not None
        return self.state

    async def close(self) -> None:
        await self._sio.disconnect()
        await self._stop_worker()

    async def __aenter__(self) -> Room:
        await self.connect()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def drop(self) -> None:
        """Close the transport as a network failure would; the client reconnects by
        itself and catches up. For tests and drills."""
        eio = self._sio.eio
        if eio.ws is not None:
            await eio.ws.close()

    # Handlers

    def on(self, type: str, handler: EventHandler) -> None:
        """Call `handler(event)` for every event of `type` (or `"*"` for all), in order."""
        self._handlers.setdefault(type, []).append(handler)

    def on_state(self, handler: StateHandler) -> None:
        """Call `handler(state)` for the first snapshot and for every fresh one."""
        self._state_handlers.append(handler)

    def on_presence(self, handler: StateHandler) -> None:
        self._presence_handlers.append(handler)

    async def wait_for(
        self,
        type: str,
        where: Callable[[Event], bool] = lambda _: True,
        *,
        after: int | None = None,
        within: float | None = None,
    ) -> Event:
        """The next event of `type` for which `where(event)` holds, within `within`
        seconds (the room's timeout by default). With `after`, one already seen counts
        too if its seq is past `after`: take `room.seq` before sending a command, and
        its event is found even when it arrived before the command's answer."""
        if after is not None:
            for seen in self.recent:
                if seen.seq > after and type in (seen.type, EVERY) and where(seen):
                    return seen
        future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        waiter = (type, where, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, within or self.timeout)
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    # Commands

    async def command(self, name: str, payload: dict[str, Any] | None = None) -> Any:
        """Send a command and answer its data; raise `CommandError` if it is refused."""
        ack = await self._sio.call(
            name, payload or {}, namespace=self.namespace, timeout=self.timeout
        )
        if not isinstance(ack, dict):
            raise CommandError(name, "internal", f"unexpected answer {ack!r}")
        if ack.get("ok"):
            return ack.get("data")
        error = ack.get("error") or {}
        # A conflict on a card carries the card as it is now beside the code.
        details = {k: v for k, v in error.items() if k not in ("code", "message")}
        raise CommandError(
            name, str(error.get("code", "internal")), str(error.get("message", "")), details
        )

    async def sync(self) -> None:
        """Ask for whatever came after the last event seen (it runs by itself on a gap
        and after a reconnect)."""
        await self._inbox.put(("catch_up", None))

    # What the server sends

    def _queue(self, kind: str) -> Callable[[Any], Awaitable[None]]:
        async def put(data: Any) -> None:
            await self._inbox.put((kind, data))

        return put

    async def _on_connect(self) -> None:
        if self.state is not None:
            self.reconnects += 1
        self._connected.set()

    async def _on_disconnect(self, *args: Any) -> None:
        self._connected.clear()

    async def _on_connect_error(self, data: Any) -> None:
        self._refusal = data if isinstance(data, dict) else {"message": str(data)}

    async def _stop_worker(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    async def _work(self) -> None:
        while True:
            kind, data = await self._inbox.get()
            # A sync needs the namespace connected; the snapshot comes just before.
            if kind != "state":
                await self._connected.wait()
            try:
                if kind == "state":
                    await self._adopt(data)
                elif kind == "event":
                    await self._take(Event.parse(data))
                elif kind == "presence":
                    self.presence = data
                    for handler in self._presence_handlers:
                        await _call(handler, data)
                elif kind == "catch_up":
                    await self._catch_up()
            except CommandError as exc:
                log.warning("could not catch up: %s", exc)
            except Exception:
                log.exception("a room handler failed")

    async def _adopt(self, state: dict[str, Any]) -> None:
        if self.state is not None and int(state["seq"]) > self.seq:
            # Back after a reconnect: the events missed up to this snapshot, then the
            # snapshot; the live events after it are already queued behind it.
            await self._connected.wait()
            await self._catch_up(until=int(state["seq"]))
        self.state = state
        self.seq = max(self.seq, int(state["seq"]))
        if "presence" in state:
            self.presence = state["presence"]
        self._first_state.set()
        for handler in self._state_handlers:
            await _call(handler, state)

    async def _take(self, event: Event) -> None:
        if event.seq <= self.seq:
            return
        if event.seq > self.seq + 1:
            await self._catch_up()
            if event.seq <= self.seq:
                return
        await self._dispatch(event)

    async def _catch_up(self, until: int | None = None) -> None:
        answer = await self.command("sync", {"since": self.seq})
        self.catch_ups += 1
        if "events" in answer:
            for raw in answer["events"]:
                event = Event.parse(raw)
                if event.seq > self.seq and (until is None or event.seq <= until):
                    await self._dispatch(event)
        elif "snapshot" in answer:
            snapshot = answer["snapshot"]
            self.state = snapshot
            self.seq = int(snapshot["seq"])
            for handler in self._state_handlers:
                await _call(handler, snapshot)

    async def _dispatch(self, event: Event) -> None:
        self.seq = event.seq
        self.recent.append(event)
        self.apply(event)
        for handler in (*self._handlers.get(event.type, ()), *self._handlers.get(EVERY, ())):
            await _call(handler, event)
        for type, where, future in list(self._waiters):
            if type in (event.type, EVERY) and not future.done() and where(event):
                future.set_result(event)

    def apply(self, event: Event) -> None:
        """Keep `state` in step with an event; subclasses know their room's shape."""


async def _call(handler: Callable[[Any], Awaitable[None] | None], arg: Any) -> None:
    result = handler(arg)
    if inspect.isawaitable(result):
        await result
