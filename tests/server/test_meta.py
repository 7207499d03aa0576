"""Health, the OpenAPI document, docs and the error formats of unknown routes."""

from __future__ import annotations

from typing import Any

import httpx

from server.app import create_app
from tests.conftest import settings_for
from tests.support import REDIS_URL, require


async def test_health_reports_database_and_redis(client: httpx.AsyncClient) -> None:
    res = await client.get("/api/health")
    assert res.status_code == 200
    body = res.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["backend"] in ("sqlite", "postgres")
    assert body["redis"] == {
        "ok": True,
        "backend": "in-process",
        "configured": False,
        "error": None,
    }


async def test_openapi_describes_the_api(client: httpx.AsyncClient) -> None:
    res = await client.get("/api/openapi.json")
    assert res.status_code == 200
    doc = res.json()
    assert doc["openapi"].startswith("3.")
    assert "/api/health" in doc["paths"]


async def test_docs_page_renders_the_schema(client: httpx.AsyncClient) -> None:
    res = await client.get("/api/docs")
    assert res.status_code == 200
    assert "/api/openapi.json" in res.text


async def test_unknown_paths_answer_in_each_api_format(client: httpx.AsyncClient) -> None:
    res = await client.get("/api/no-such-thing")
    assert res.status_code == 404
    assert res.json() == {"statusCode": 404, "message": "No such endpoint", "error": "Not Found"}
    res = await client.get("/api/sessions/ABC234/nothing-here")
    assert res.status_code == 404
    assert res.json()["success"] is False


async def test_rate_limit_headers_are_sent(client: httpx.AsyncClient) -> None:
    res = await client.get("/api/openapi.json")
    assert res.headers["X-RateLimit-Limit"] == "100000"
    assert int(res.headers["X-RateLimit-Remaining"]) < 100000


async def _get(app: Any, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        return await c.get(path, **kwargs)


async def test_health_reports_a_live_redis(db: str) -> None:
    require("redis")
    app = create_app(settings_for(db, redis_url=REDIS_URL), manage_db=False)
    res = await _get(app, "/api/health")
    assert res.status_code == 200
    assert res.json()["redis"]["ok"] is True
    assert res.json()["redis"]["backend"] == "redis"


async def test_health_stays_200_and_says_degraded_when_redis_is_unreachable(db: str) -> None:
    # A worker that can reach its database still serves: the load balancer keeps it.
    app = create_app(settings_for(db, redis_url="redis://127.0.0.1:1/0"), manage_db=False)
    res = await _get(app, "/api/health")
    assert res.status_code == 200
    body = res.json()
    assert body["status"] == "degraded"
    assert body["redis"]["ok"] is False and body["database"]["ok"] is True


async def test_requests_are_served_and_limited_per_process_while_redis_is_down(db: str) -> None:
    app = create_app(
        settings_for(db, redis_url="redis://127.0.0.1:1/0", rate_limit="3/minute"),
        manage_db=False,
    )
    statuses = [(await _get(app, "/api/auth/me")).status_code for _ in range(4)]
    # Answered as without Redis (no token: 401), and the per-process count limits.
    assert statuses == [401, 401, 401, 429]


async def test_requests_over_the_limit_get_429_in_the_api_format(db: str) -> None:
    app = create_app(settings_for(db, rate_limit="3/minute"), manage_db=False)
    statuses = [(await _get(app, "/api/openapi.json")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    res = await _get(app, "/api/sessions/ABC234")
    assert res.status_code == 429
    assert res.json()["success"] is False and res.json()["code"] == "rate_limited"
    assert res.headers["X-RateLimit-Remaining"] == "0"
    assert int(res.headers["Retry-After"]) >= 1
    res = await _get(app, "/api/auth/me")
    assert res.status_code == 429
    assert res.json()["statusCode"] == 429
    # Health stays reachable for load balancers even when a client is limited.
    assert (await _get(app, "/api/health")).status_code == 200


async def test_rate_limits_are_shared_through_redis(db: str) -> None:
    require("redis")
    limit = "2/minute"
    # Two app instances stand for two workers; they share one budget per client IP.
    first = create_app(settings_for(db, rate_limit=limit, redis_url=REDIS_URL), manage_db=False)
    second = create_app(settings_for(db, rate_limit=limit, redis_url=REDIS_URL), manage_db=False)
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    await redis.aclose()
    assert (await _get(first, "/api/openapi.json")).status_code == 200
    assert (await _get(second, "/api/openapi.json")).status_code == 200
    assert (await _get(first, "/api/openapi.json")).status_code == 429


async def test_websocket_only_transport_refuses_long_polling(db: str) -> None:
    # Several workers without sticky sessions run websocket-only, as the Procfile does.
    app = create_app(settings_for(db, transports=("websocket",)), manage_db=False)
    res = await _get(app, "/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert res.status_code == 400
    default = create_app(settings_for(db), manage_db=False)
    res = await _get(default, "/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert res.status_code == 200
    assert res.text.startswith("0{")


async def test_the_app_has_an_svg_favicon(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert 'href="/static/favicon.svg"' in (await client.get("/api/docs")).text
    for path in ("/static/favicon.svg", "/favicon.ico"):
        res = await client.get(path)
        assert res.status_code == 200, path
        assert res.headers["content-type"].startswith("image/svg+xml"), path
        assert res.text.lstrip().startswith("<svg")
