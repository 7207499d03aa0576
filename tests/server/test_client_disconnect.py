"""A client that hangs up while sending a request's body gets a 400 in the request's
log line (nobody is left to read it), never a 500 with a traceback."""

from __future__ import annotations

from typing import Any

from tests.factories import bearer, create_user, jwt_for


async def test_a_client_gone_before_its_whole_body_is_a_400_not_a_500(app: Any, db: str) -> None:
    user = await create_user()
    headers = [(k.lower().encode(), v.encode()) for k, v in bearer(jwt_for(user)).items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/sessions",
        "raw_path": b"/api/sessions",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", b"40"),
            *headers,
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    incoming = [
        {"type": "http.request", "body": b'{"name": "Spr', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)

    [start] = [m for m in sent if m["type"] == "http.response.start"]
    assert start["status"] == 400
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert b"closed the connection" in body
