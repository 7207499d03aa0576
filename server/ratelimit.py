"""Per-IP request limits for /api, with the seed's X-RateLimit-* headers. Counted in
Redis across workers when it is configured, per process while it is unreachable."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import render
from services import throttle
from services.errors import RateLimited


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limit: str, limiter: throttle.Throttle) -> None:
        self.app = app
        self.item = throttle.limit(limit)
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or path == "/api/health":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        window = await self.limiter.hit(self.item, "api", key)
        headers = {
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(window.remaining),
            "X-RateLimit-Reset": str(int(window.reset_at)),
        }
        if not window.allowed:
            headers["Retry-After"] = str(max(int(window.reset_at - time.time()), 1))
            error = RateLimited(f"Rate limit of {self.item.amount} requests exceeded; slow down")
            await render(path, error, headers)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_with_headers)
