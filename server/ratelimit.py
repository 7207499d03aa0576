"""Per-IP request limits for /api, with the seed's X-RateLimit-* headers."""

from __future__ import annotations

import time

from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import render
from services.errors import RateLimited


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limit: str, redis_url: str | None) -> None:
        self.app = app
        self.item = parse(limit)
        if redis_url:
            uri = "async+" + redis_url
            storage = storage_from_string(uri, implementation="redispy")
        else:
            storage = storage_from_string("async+memory://")
        self.limiter = MovingWindowRateLimiter(storage)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or path == "/api/health":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        allowed = await self.limiter.hit(self.item, "api", key)
        reset, remaining = await self.limiter.get_window_stats(self.item, "api", key)
        headers = {
            "X-RateLimit-Limit": str(self.item.amount),
            "X-RateLimit-Remaining": str(max(remaining, 0)),
            "X-RateLimit-Reset": str(int(reset)),
        }
        if not allowed:
            headers["Retry-After"] = str(max(int(reset - time.time()), 1))
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
