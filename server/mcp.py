"""The MCP face at /mcp: the tool registry (services/tools) over streamable HTTP, with
the official `mcp` SDK. Stateless, so any worker behind a load balancer answers any
request. Every request authenticates its bearer token as an agent (a personal access
token with the `mcp` scope), so a revoked or expired token is refused on its next call;
each tool then needs its own scope too. Refusals are tool errors carrying the one error
tree's code and message, never a trace."""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import mcp_types as types
import orjson
import structlog
from mcp.server.lowlevel import Server
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from server.api.routing import bearer_token
from services import throttle
from services.actors import Actor
from services.auth import authenticate_agent
from services.errors import DomainError, RateLimited, Unavailable
from services.tools import (  # noqa: F401  (they register their tools)
    boards,
    documents,
    pilotage,
    poker,
    poker_ai,
)
from services.tools.registry import TOOLS, call

log = structlog.get_logger("roundtable.mcp")
# The SDK logs each stateless request's start and end at INFO; one `mcp_tool` line per
# call says more.
logging.getLogger("mcp").setLevel(logging.WARNING)

INSTRUCTIONS = (
    "Roundtable: planning-poker sessions and kanban boards. Tools act as the owner of the "
    "token, with its scopes; vote values stay hidden until a reveal; card changes take the "
    "card's version and a stale one is a conflict carrying the current card."
)
PATH = "/mcp"
_agent: contextvars.ContextVar[Actor] = contextvars.ContextVar("mcp_agent")


def _tools() -> list[types.Tool]:
    return [
        types.Tool(
            name=t.name,
            title=t.title,
            description=t.description,
            input_schema=t.input_schema(),
            output_schema=t.output_schema(),
            annotations=types.ToolAnnotations(
                title=t.title, read_only_hint=not t.writes, destructive_hint=False
            ),
        )
        for t in TOOLS.values()
    ]


def _error(exc: DomainError) -> types.CallToolResult:
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.details:
        body["details"] = exc.details
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=orjson.dumps({"error": body}).decode())],
        structured_content={"error": body},
        is_error=True,
    )


class Faces:
    """The MCP server and what it needs: a per-token limit on tool calls."""

    def __init__(self, *, rate_limit: str, ip_rate_limit: str, limiter: throttle.Throttle) -> None:
        self.limit = throttle.limit(rate_limit)
        # Requests per client address, counted before the token is read, as on /api.
        self.ip_limit = throttle.limit(ip_rate_limit)
        self.limiter = limiter
        self.server: Server[Any] = Server(
            "roundtable",
            version="1",
            title="Roundtable",
            instructions=INSTRUCTIONS,
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
        )

    async def _list_tools(
        self, ctx: Any, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=_tools())

    async def _call_tool(
        self, ctx: Any, params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        actor = _agent.get()
        started = time.perf_counter()
        try:
            if not await self.limiter.allow(self.limit, "mcp", str(actor.token_id)):
                raise RateLimited("Too many tool calls for this token; slow down")
            result = await call(params.name, actor, params.arguments)
        except DomainError as exc:
            log.info("mcp_tool", tool=params.name[:64], agent=actor.name, code=exc.code)
            return _error(exc)
        except Exception:
            log.exception("mcp_tool_failed", tool=params.name[:64], agent=actor.name)
            return _error(DomainError("The tool failed; nothing was changed"))
        log.info(
            "mcp_tool",
            tool=params.name,
            agent=actor.name,
            user=str(actor.user_id),
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        structured = result if isinstance(result, dict) else {"result": result}
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=orjson.dumps(result).decode())],
            structured_content=structured,
        )

    def route(self, *, origins: list[str]) -> Route:
        """The /mcp route, authenticating every request. The SDK's guard against DNS
        rebinding takes the hosts of the app's own origins and of localhost."""
        hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
        for origin in origins:
            host = urlsplit(origin).netloc
            if host:
                hosts += [host, f"{host}:*"]
        inner = self.server.streamable_http_app(
            streamable_http_path=PATH,
            stateless_http=True,
            json_response=True,
            transport_security=TransportSecuritySettings(
                enable_dns_rebinding_protection=True,
                allowed_hosts=hosts,
                allowed_origins=[*origins, "http://127.0.0.1:*", "http://localhost:*"],
            ),
        )
        return Route(PATH, endpoint=_Authenticated(inner, self))

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with self.server.session_manager.run():
            yield


class _Authenticated:
    """Refuses a flood from one address and a request without an agent's token before
    the SDK sees it, and hands the agent to the tool calls of this request."""

    def __init__(self, app: Starlette, faces: Faces) -> None:
        self.app = app
        self.faces = faces

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        if not await self.faces.limiter.allow(self.faces.ip_limit, "mcp-ip", address):
            refused = RateLimited("Too many requests from this address; slow down")
            await _refusal(refused)(scope, receive, send)
            return
        try:
            actor = await authenticate_agent(bearer_token(Request(scope)))
        except DomainError as exc:
            await _refusal(exc)(scope, receive, send)
            return
        except Exception as exc:
            log.warning("mcp_auth_unavailable", error=type(exc).__name__)
            await _refusal(Unavailable())(scope, receive, send)
            return
        token = _agent.set(actor)
        try:
            await self.app(scope, receive, send)
        finally:
            _agent.reset(token)


def _refusal(exc: DomainError) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="roundtable"'} if exc.status == 401 else None
    body = {"error": {"code": exc.code, "message": exc.message}}
    return JSONResponse(body, status_code=exc.status, headers=headers)
