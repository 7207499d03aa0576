"""Health, the OpenAPI document and the API docs page."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.responses import HTMLResponse
from tortoise import connections

from server.api.routing import Api, Call
from server.api.schemas import Output
from server.responses import json_response

api = Api("meta")


class ComponentHealth(Output):
    ok: bool
    backend: str | None = None
    configured: bool = True
    error: str | None = None


class Health(Output):
    status: str = Field(
        description="'ok' when every configured component answers, 'degraded' when Redis "
        "does not (the service still serves; live delivery and shared limits pause), "
        "'unavailable' when the database does not (answered with 503)"
    )
    database: ComponentHealth
    redis: ComponentHealth


async def _database() -> ComponentHealth:
    try:
        conn = connections.get("default")
        await conn.execute_query("SELECT 1")
        return ComponentHealth(ok=True, backend=conn.capabilities.dialect)
    except Exception as exc:
        return ComponentHealth(ok=False, error=type(exc).__name__)


async def _redis(url: str | None) -> ComponentHealth:
    if not url:
        return ComponentHealth(ok=True, configured=False, backend="in-process")
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)
    try:
        await client.ping()
        return ComponentHealth(ok=True, backend="redis")
    except Exception as exc:
        return ComponentHealth(ok=False, backend="redis", error=type(exc).__name__)
    finally:
        await client.aclose()


@api.route("GET", "/health", summary="Report the database and Redis", auth="none", response=Health)
async def health(call: Call) -> Any:
    """200 while the database answers, so a load balancer keeps sending traffic to a
    worker that can serve; only a database outage answers 503."""
    settings = call.request.app.state.settings
    report = Health(status="ok", database=await _database(), redis=await _redis(settings.redis_url))
    if not report.database.ok:
        report.status = "unavailable"
        return json_response(report.model_dump(mode="json"), 503)
    if not report.redis.ok:
        report.status = "degraded"
    return report


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Roundtable API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/vendor/swagger-ui-dist/swagger-ui.css">
</head><body>
<noscript>The interactive docs need JavaScript; the raw schema is at
<a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
<div id="docs"></div>
<script src="/vendor/swagger-ui-dist/swagger-ui-bundle.js"></script>
<script>
  if (window.SwaggerUIBundle) {
    SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#docs", deepLinking: true });
  } else {
    document.getElementById("docs").innerHTML =
      '<p>Run <code>make run</code> to install the docs viewer, or read ' +
      '<a href="/api/openapi.json">/api/openapi.json</a>.</p>';
  }
</script>
</body></html>"""


@api.route("GET", "/openapi.json", summary="This document", auth="none")
async def openapi(call: Call) -> Any:
    return call.request.app.state.openapi


@api.route("GET", "/docs", summary="Interactive API documentation", auth="none")
async def docs(call: Call) -> Any:
    return HTMLResponse(DOCS_PAGE)
