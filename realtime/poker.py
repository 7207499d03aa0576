"""The /poker namespace (placeholder until its commands land)."""

from __future__ import annotations

from typing import Any

import socketio


class PokerNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        raise socketio.exceptions.ConnectionRefusedError(
            {"code": "unavailable", "message": "not implemented yet"}
        )
