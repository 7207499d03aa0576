"""Creates the Socket.IO server with the in-process or Redis client manager."""

from __future__ import annotations

from typing import Any

import socketio

# Engine.IO pings often enough that a vanished client leaves within seconds.
PING_INTERVAL = 10
PING_TIMEOUT = 5
MAX_PACKET_BYTES = 256 * 1024


def create_sio(*, redis_url: str | None, serializer: str, allowed_origins: list[str]) -> Any:
    manager = socketio.AsyncRedisManager(redis_url) if redis_url else None
    return socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        serializer=serializer,
        cors_allowed_origins=allowed_origins,
        ping_interval=PING_INTERVAL,
        ping_timeout=PING_TIMEOUT,
        max_http_buffer_size=MAX_PACKET_BYTES,
        logger=False,
        engineio_logger=False,
    )


def register_namespaces(sio: Any) -> None:
    from realtime.poker import PokerNamespace

    sio.register_namespace(PokerNamespace("/poker"))
