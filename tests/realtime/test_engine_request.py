"""What Engine.IO reads of a request: all of it for long-polling, as its ASGI driver
gives it, and only what it uses for a websocket."""

from __future__ import annotations

from typing import Any

from realtime.handshake import read_request


def _scope(kind: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": kind, "path": "/socket.io/", "query_string": query, "headers": headers}


async def test_a_websocket_request_keeps_the_fields_engine_io_reads() -> None:
    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    headers = [
        (b"host", b"rt.example"),
        (b"origin", b"https://rt.example"),
        (b"upgrade", b"websocket"),
        (b"connection", b"keep-alive"),
        (b"connection", b"Upgrade"),
        (b"cookie", b"secret=1"),
        (b"user-agent", b"Mozilla/5.0"),
    ]
    scope = _scope("websocket", b"EIO=4&transport=websocket", headers)
    environ = await read_request(scope, receive, None)
    assert environ["QUERY_STRING"] == "EIO=4&transport=websocket"
    assert environ["REQUEST_METHOD"] == "GET" and environ["asgi.scope"] is scope
    assert environ["HTTP_HOST"] == "rt.example"
    assert environ["HTTP_ORIGIN"] == "https://rt.example"
    assert environ["HTTP_CONNECTION"] == "keep-alive,Upgrade"  # repeated: joined
    assert environ["wsgi.url_scheme"] == "http"
    assert not any(k in environ for k in ("HTTP_COOKIE", "HTTP_USER_AGENT", "wsgi.input"))
    bad = await read_request(_scope("websocket", b"\xff\xfe", headers), receive, None)
    assert bad["QUERY_STRING"] == ""


async def test_a_closed_websocket_or_a_poll_gets_the_drivers_reading() -> None:
    async def gone() -> dict[str, Any]:
        return {"type": "websocket.disconnect"}

    assert await read_request(_scope("websocket", b"", []), gone, None) == {}

    async def request() -> dict[str, Any]:
        return {"type": "http.request", "body": b"40", "more_body": False}

    scope = _scope("http", b"EIO=4&transport=polling", [(b"user-agent", b"curl")])
    scope["method"] = "POST"
    environ = await read_request(scope, request, None)
    assert environ["HTTP_USER_AGENT"] == "curl" and environ["REQUEST_METHOD"] == "POST"
    assert await environ["wsgi.input"].read() == b"40"
