"""An idle connection keeps nothing of its opening request but the client's address:
not uvicorn's parsed upgrade request and 101 response, nor the request's headers, nor
the WSGI-style copy of the request that Socket.IO keeps for the session; its
protocol's attributes are slots, not a dictionary; and its opening is not an INFO
line. The HTTP protocol that handed it over is freed at once, not left to the cycle
collector."""

from __future__ import annotations

import gc
import logging
import weakref
from typing import Any

import pytest
import socketio

from realtime import engine
from realtime.rooms import RoomNamespace
from server.http_protocol import LeanHttpProtocol
from server.websocket import CONNECTIONS, LeanWebSocketProtocol
from tests.factories import guest, voting_room

# What the server does with a connection does not depend on the database.
pytestmark = pytest.mark.sqlite_only


async def test_an_open_socket_keeps_only_its_client_address(
    served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    protocols: list[LeanWebSocketProtocol] = []
    environs: list[dict[str, Any]] = []
    real_init = LeanWebSocketProtocol.__init__
    addresses: list[str] = []
    real_slim = engine.slim
    real_address = RoomNamespace.client_address

    def init(self: LeanWebSocketProtocol, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        protocols.append(self)

    def slim(environ: dict[str, Any]) -> None:
        environs.append(environ)
        real_slim(environ)

    def client_address(self: RoomNamespace[Any], sid: str) -> str:
        addresses.append(real_address(self, sid))
        return addresses[-1]

    monkeypatch.setattr(LeanWebSocketProtocol, "__init__", init)
    monkeypatch.setattr(engine, "slim", slim)
    monkeypatch.setattr(RoomNamespace, "client_address", client_address)
    code = await voting_room()
    _, _, token = await guest(code, "Ann")
    client = socketio.AsyncClient(serializer="msgpack")
    await client.connect(
        served,
        namespaces=["/poker"],
        transports=["websocket"],
        auth={"token": token, "code": code},
    )
    try:
        ack = await client.call("cast_vote", {"value": "5"}, namespace="/poker")
        assert ack["ok"], ack
        [protocol] = protocols
        assert protocol.handshake_complete
        assert not hasattr(protocol, "request") and not hasattr(protocol, "response")
        assert protocol.scope["headers"] == []
        # Every attribute uvicorn set is in a slot: no dictionary of its own per connection.
        assert vars(protocol) == {}
        # The websocket library's parser still holds the request, without its headers.
        parser: Any = protocol.conn.parser
        held = parser.gi_frame.f_locals.get("request")
        assert held is not None and not list(held.headers.raw_items())
        # Its accept, open and close are logged quietly, out of the INFO log.
        assert protocol.logger is CONNECTIONS and protocol.conn.logger is CONNECTIONS
        assert not CONNECTIONS.isEnabledFor(logging.INFO)
        [environ] = environs
        assert set(environ) == {"REMOTE_ADDR", "asgi.scope"}
        # The namespace's connect, which comes after, still reads the client's address.
        assert addresses == ["127.0.0.1"]
    finally:
        await client.disconnect()


async def test_the_http_protocol_that_upgraded_a_socket_is_freed_without_the_collector(
    served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgraded: list[weakref.ref[LeanHttpProtocol]] = []
    real_upgrade = LeanHttpProtocol.handle_websocket_upgrade

    def upgrade(self: LeanHttpProtocol) -> None:
        upgraded.append(weakref.ref(self))
        real_upgrade(self)

    monkeypatch.setattr(LeanHttpProtocol, "handle_websocket_upgrade", upgrade)
    code = await voting_room()
    _, _, token = await guest(code, "Ann")
    client = socketio.AsyncClient(serializer="msgpack")
    gc.disable()
    try:
        await client.connect(
            served,
            namespaces=["/poker"],
            transports=["websocket"],
            auth={"token": token, "code": code},
        )
        ack = await client.call("cast_vote", {"value": "5"}, namespace="/poker")
        assert ack["ok"], ack
        [ref] = upgraded
        # Freed by its last reference going, with the collector off all along.
        assert ref() is None
    finally:
        gc.enable()
        await client.disconnect()
