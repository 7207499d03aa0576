"""The few REST calls a bot needs beside its room: taking a seat, reading a session's
stories and the reference stories for the current one. Everything else is in the REST
API (`/api/docs`)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from roundtable_client.errors import CommandError


class Rest:
    def __init__(self, url: str, token: str, *, timeout: float = 10.0) -> None:
        self._http = httpx.AsyncClient(
            base_url=url.rstrip("/") + "/api",
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    async def __aenter__(self) -> Rest:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        res = await self._http.request(method, path, **kwargs)
        body = res.json() if res.content else {}
        if res.is_error:
            error = body.get("error") if isinstance(body, dict) else None
            message = (error or {}).get("message") if isinstance(error, dict) else None
            raise CommandError(
                f"{method} {path}",
                str(res.status_code),
                str(message or body.get("message", res.text[:200])),
            )
        return body

    async def join(self, code: str, *, spectator: bool = False) -> dict[str, Any]:
        """Take a seat in a session (a signed-in account keeps one seat)."""
        body = await self._send("POST", f"/sessions/{code}/join", json={"spectator": spectator})
        participant: dict[str, Any] = body["participant"]
        return participant

    async def reference_stories(self, code: str, *, limit: int = 3) -> list[dict[str, Any]]:
        """For the session's current story, the owner's earlier revealed stories most
        alike it, best first, with their final estimates."""
        body = await self._send(
            "GET", f"/sessions/{code}/reference-stories", params={"limit": limit}
        )
        found: list[dict[str, Any]] = body["reference_stories"]["references"]
        return found
