"""A real HTTP server that receives webhooks in the tests: it checks every delivery's
signature with the webhook's secret, can fail the first tries of each event, and keeps
what it saw."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from services.webhooks import signing


@dataclass
class Received:
    event: str
    event_id: str
    body: dict[str, Any]
    signed: bool
    answered: int


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    # Tries of each event (by its id) answered 500 before one is accepted.
    fail_first: int = 0
    # Seconds the first try of each event waits before it is answered.
    stall_first: float = 0.0
    seen: list[Received] = field(default_factory=list)
    _tries: dict[str, int] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        signed = signing.verify(
            self.secret,
            request.headers.get(signing.TIMESTAMP_HEADER, ""),
            raw,
            request.headers.get(signing.SIGNATURE_HEADER, ""),
        )
        event_id = request.headers.get(signing.DELIVERY_HEADER, "")
        self._tries[event_id] = self._tries.get(event_id, 0) + 1
        if self._tries[event_id] == 1 and self.stall_first:
            await asyncio.sleep(self.stall_first)
        status = 500 if self._tries[event_id] <= self.fail_first else 200
        if not signed:
            status = 401
        body = json.loads(raw)
        self.seen.append(
            Received(request.headers.get(signing.EVENT_HEADER, ""), event_id, body, signed, status)
        )
        text = "ok" if status == 200 else "try again later"
        return web.Response(status=status, text=text)

    def accepted(self, event: str | None = None) -> list[Received]:
        return [r for r in self.seen if r.answered == 200 and event in (None, r.event)]


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    fake = Receiver()
    app = web.Application()
    app.router.add_post("/hooks/roundtable", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}/hooks/roundtable"
    try:
        yield fake
    finally:
        await runner.cleanup()
