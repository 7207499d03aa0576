"""What Engine.IO reads of the request that opens a session, and what a websocket
session keeps of it."""

from __future__ import annotations

from typing import Any

from engineio.async_drivers import asgi as asgi_driver

# The headers Engine.IO reads from a websocket's opening request: the origin and host
# for its CORS check, and the upgrade itself.
_WEBSOCKET_HEADERS = {
    b"origin": "HTTP_ORIGIN",
    b"host": "HTTP_HOST",
    b"upgrade": "HTTP_UPGRADE",
    b"connection": "HTTP_CONNECTION",
    b"x-forwarded-proto": "HTTP_X_FORWARDED_PROTO",
    b"x-forwarded-host": "HTTP_X_FORWARDED_HOST",
}


async def read_request(scope: dict[str, Any], receive: Any, send: Any) -> dict[str, Any]:
    """The environ Engine.IO works from. Its ASGI driver copies every header, makes a
    class for the request's body and fills in a dozen WSGI fields for each request: for
    a websocket, which has no body and whose request is read only at the handshake, the
    few fields Engine.IO reads are enough (long-polling keeps the driver's)."""
    if scope.get("type") != "websocket":
        return await asgi_driver.translate_request(scope, receive, send)  # type: ignore[no-any-return]
    event = await receive()
    if event.get("type") != "websocket.connect":
        return {}
    try:
        query = scope.get("query_string", b"").decode()
    except UnicodeDecodeError:
        query = ""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": scope["path"],
        "QUERY_STRING": query,
        "REMOTE_ADDR": "127.0.0.1",
        "asgi.receive": receive,
        "asgi.send": send,
        "asgi.scope": scope,
    }
    for name, value in scope["headers"]:
        key = _WEBSOCKET_HEADERS.get(name)
        if key is None:
            continue
        text = value.decode("latin-1")
        environ[key] = f"{environ[key]},{text}" if key in environ else text
    environ["wsgi.url_scheme"] = environ.get("HTTP_X_FORWARDED_PROTO", "http")
    return environ


def slim(environ: dict[str, Any]) -> None:
    """Keep of the request that opened a websocket session only what is read later: the
    client's address (see `RoomNamespace.client_address`). Socket.IO keeps the request
    for the session's life, to hand to each namespace's connect, and Engine.IO's
    handlers hold it while they serve the websocket, with the ASGI scope and its
    headers behind it."""
    scope = environ.get("asgi.scope") or {}
    kept = {
        "REMOTE_ADDR": environ.get("REMOTE_ADDR"),
        "asgi.scope": {"type": scope.get("type"), "client": scope.get("client")},
    }
    environ.clear()
    environ.update(kept)
