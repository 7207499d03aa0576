"""Health, the OpenAPI document, docs and the error formats of unknown routes."""

from __future__ import annotations

import httpx


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
