"""A mission's progress as server-sent events, read from its stored steps: each event's
id is its step's, so a client reconnecting with Last-Event-ID resumes after it, on any
worker. The stream polls the table (a step may be written by any worker) and closes
once the mission has finished and everything is sent, or after a while; a browser's
EventSource then reconnects with the last id by itself."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette import EventSourceResponse, ServerSentEvent

from models import AgentMission
from services.actors import Actor
from services.agents import steps
from services.agents.access import mission_access
from services.agents.missions import FINISHED

POLL_SECONDS = 0.5
OPEN_SECONDS = 120.0
RETRY_MS = 2000


def _last_id(header: str | None) -> int:
    text = (header or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else 0


async def _follow(mission_id: Any, last: int, follow: bool) -> AsyncIterator[ServerSentEvent]:
    yield ServerSentEvent(comment="mission progress", retry=RETRY_MS)
    until = time.monotonic() + OPEN_SECONDS
    while True:
        mission = await AgentMission.filter(id=mission_id).only("id", "status").first()
        batch = await steps.after(mission_id, last)
        for step in batch:
            last = step.id
            yield ServerSentEvent(
                data=json.dumps(steps.step_public(step)), event=step.kind, id=str(step.id)
            )
            if step.kind == steps.STATUS and step.data.get("status") in FINISHED:
                return  # a mission's last step: it says how it ended
        if batch:
            continue
        gone = mission is None or mission.status in FINISHED
        if gone or not follow or time.monotonic() > until:
            return
        await asyncio.sleep(POLL_SECONDS)


async def events(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    mission_id: Any,
    last_event_id: str | None,
    follow: bool,
) -> EventSourceResponse:
    found = await mission_access(actor, org_slug, ws_slug, mission_id)
    stream = _follow(found.mission.id, _last_id(last_event_id), follow)
    return EventSourceResponse(stream, ping=15, headers={"Cache-Control": "no-store"})
