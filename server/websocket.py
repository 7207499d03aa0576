"""uvicorn's websocket protocol, forgetting the handshake once it is done, and logging
each connection's accept, open and close quietly.

It keeps the parsed upgrade request and the 101 response, each with its headers, and
the ASGI scope's copy of the headers for as long as the connection lasts, though nobody
reads them after the accept: several KB of every idle connection. The websocket
library's parser holds on to the request too (a local of its generator, which reads
the connection's frames), so the request's headers are emptied, not only let go. Its
queue of what the client sent is another 3 KB, and the event that pauses its sends a
few hundred bytes more (see realtime/queues.py). And uvicorn and the websocket library
log three plain-text lines per connection at INFO: at thousands of connections a
second they were most of the log, and a few per cent of what a connection costs.

uvicorn's protocol sets 37 attributes. CPython shares the keys of an instance's
attributes among a class's instances only up to 30 of them; past that, each connection
carried a dictionary of its own, about 1.5 KB. Here they are slots (`__slots__`): a
fixed array of references in the object itself, with no dictionary. An attribute a
later uvicorn adds goes to the instance's dictionary as before.
"""

from __future__ import annotations

import logging
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from realtime.queues import LeanEvent, LeanQueue

# Where those lines go: shown with LOG_LEVEL=debug (see server/logs.py); errors always.
CONNECTIONS = logging.getLogger("roundtable.websocket")


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    # Every attribute uvicorn's protocol (pinned in pyproject.toml) sets, at any time.
    __slots__ = (
        "app",
        "app_state",
        "asgi_version",
        "client",
        "close_sent",
        "close_timeout",
        "close_timer",
        "config",
        "conn",
        "connections",
        "curr_msg_data_type",
        "default_headers",
        "disconnected",
        "frames",
        "handshake_complete",
        "handshake_initiated",
        "initial_response",
        "last_ping_rtt",
        "logger",
        "loop",
        "pending_ping_payload",
        "ping_interval",
        "ping_sent_at",
        "ping_timeout",
        "ping_timer",
        "pong_timer",
        "queue",
        "read_paused",
        "request",
        "response",
        "root_path",
        "scheme",
        "scope",
        "server",
        "tasks",
        "transport",
        "writable",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What the client sent, in a queue that costs next to nothing while idle.
        self.queue = LeanQueue()  # type: ignore[assignment]
        # Whether sends may go on, without a deque kept for waiters who rarely come.
        self.writable = LeanEvent()  # type: ignore[assignment]
        self.writable.set()
        self.logger = CONNECTIONS
        self.conn.logger = CONNECTIONS

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete and getattr(self, "response", None) is not None:
            # The websocket library's parser keeps the request for as long as it reads
            # the connection's frames (a local of its generator): its headers go.
            self.request.headers.clear()
            del self.request, self.response
            # The app read the request's headers at the handshake; nobody reads them later.
            self.scope["headers"] = []
