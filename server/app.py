"""create_app(): the Starlette app, the Socket.IO server and their shared lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import socketio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from tortoise.contrib.starlette import RegisterTortoise

from realtime.server import create_sio, register_namespaces
from server import heap, logs, mcp
from server.api import registry
from server.api.routing import build_routes
from server.config import Settings
from server.db import tortoise_config
from server.errors import (
    domain_error_handler,
    http_error_handler,
    outage_handler,
    server_error_handler,
)
from server.openapi import build_openapi
from server.ratelimit import RateLimitMiddleware
from services import ai, automations, jobs, retention, security, throttle, webhooks
from services.availability import OUTAGE_ROOTS
from services.boards import attachments, mailer
from services.errors import DomainError
from services.poker.imports import http as provider_http
from services.poker.imports import sync as _sync  # noqa: F401  (registers its job handler)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def _version() -> str:
    try:
        return version("roundtable")
    except PackageNotFoundError:
        return "0.0.0"


def _static_routes() -> list[BaseRoute]:
    index = STATIC_DIR / "index.html"

    async def app_page(request: Request) -> Response:
        return FileResponse(index)

    async def favicon(request: Request) -> Response:
        # Pages without the icon link (the JSON of /api/health) still ask for this.
        return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")

    routes: list[BaseRoute] = [
        Route("/", app_page),
        Route("/r/{code}", app_page),
        Route("/r/{code}/analytics", app_page),
        Route("/analytics", app_page),
        Route("/workspace", app_page),
        Route("/webhooks", app_page),
        Route("/tokens", app_page),
        Route("/b", app_page),
        Route("/b/{path:path}", app_page),
        Route("/d", app_page),
        Route("/d/{path:path}", app_page),
        Route("/signin", app_page),
        Route("/invitations/{token}", app_page),
        Route("/favicon.ico", favicon),
    ]
    modules = STATIC_DIR / "node_modules"
    routes.append(Mount("/vendor", StaticFiles(directory=modules, check_dir=False)))
    routes.append(Mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False)))
    return routes


def _smtp(settings: Settings) -> mailer.SmtpSettings | None:
    if not settings.smtp_host:
        return None
    return mailer.SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        user=settings.smtp_user,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


def _public_url(settings: Settings) -> str:
    origins = settings.allowed_origins
    return settings.public_url or (origins[0] if origins else "")


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Any:
    """Build the ASGI app. `manage_db=False` leaves Tortoise to the caller (tests)."""
    settings = settings or Settings.from_env()
    logs.configure(settings.log_level, settings.log_format)
    security.configure(secret_key=settings.secret_key, jwt_ttl_seconds=settings.jwt_ttl_seconds)
    mailer.configure(smtp=_smtp(settings), public_url=_public_url(settings))
    attachments.configure(settings.attachments_dir or settings.data_dir / "attachments")
    limiter = throttle.configure(settings.redis_url)
    provider_http.configure(allow_private=settings.integrations_allow_private)
    jobs.configure(
        poll_seconds=settings.jobs_poll_seconds, backoff_seconds=settings.jobs_backoff_seconds
    )
    webhooks.configure(allow_private=settings.webhooks_allow_private)
    ai.configure(
        ai.AiConfig(
            base_url=settings.ai_base_url,
            api_key=settings.ai_api_key,
            model=settings.ai_model,
            timeout_seconds=settings.ai_timeout_seconds,
            max_tokens=settings.ai_max_tokens,
            fallback=settings.ai_fallback,
        )
    )
    webhooks.install()
    automations.install()
    sio = create_sio(
        redis_url=settings.redis_url,
        serializer=settings.serializer,
        transports=list(settings.transports),
        allowed_origins=settings.allowed_origins,
    )
    realtime = register_namespaces(
        sio,
        redis_url=settings.redis_url,
        recheck_seconds=settings.socket_recheck_seconds,
        presence_ttl=settings.presence_ttl_seconds,
    )
    agents = mcp.Faces(
        rate_limit=settings.mcp_rate_limit, ip_rate_limit=settings.rate_limit, limiter=limiter
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        realtime.start()
        try:
            async with agents.running():
                if manage_db:
                    async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
                        logs.log.info(
                            "serving",
                            database=settings.database_url.split("://")[0],
                            pubsub="redis" if settings.redis_url else "in-process",
                        )
                        heap.settle()
                        runner = jobs.Runner() if settings.jobs_enabled else None
                        sweeper = retention.Sweeper(keep_seconds=settings.history_retention_seconds)
                        if runner is not None:
                            runner.start()
                            sweeper.start()
                        try:
                            yield
                        finally:
                            await webhooks.drain()
                            await automations.drain()
                            if runner is not None:
                                await sweeper.stop()
                                await runner.stop()
                else:
                    yield
        finally:
            await realtime.stop()

    routes: list[BaseRoute] = [Mount("/api", routes=build_routes(registry.APIS))]
    routes.append(agents.route(origins=[*settings.allowed_origins, _public_url(settings)]))
    routes += _static_routes()
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(logs.RequestLogMiddleware),
            Middleware(
                CORSMiddleware,
                allow_origins=settings.allowed_origins,
                allow_methods=["*"],
                allow_headers=["Authorization", "Content-Type"],
                expose_headers=["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"],
            ),
            Middleware(RateLimitMiddleware, limit=settings.rate_limit, limiter=limiter),
        ],
        exception_handlers={
            DomainError: domain_error_handler,
            HTTPException: http_error_handler,
            **{root: outage_handler for root in OUTAGE_ROOTS},
            Exception: server_error_handler,
        },
    )
    app.state.settings = settings
    app.state.sio = sio
    app.state.openapi = build_openapi(registry.APIS, version=_version())
    return socketio.ASGIApp(sio, other_asgi_app=app, socketio_path="socket.io")
