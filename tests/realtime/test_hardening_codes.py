"""Join codes cannot be guessed over /poker: failed lookups are counted per client IP and
per user, and past the limit every code is refused alike, real or not."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
import socketio

from services.poker import access
from services.poker.codes import new_code
from tests.factories import create_user, jwt_for
from tests.realtime.clients import LiveServer, Tab
from tests.realtime.conftest import Room

LIMIT = access.CODE_MISSES.amount


class TabFrom(Tab):
    """A /poker tab whose connection leaves from its own loopback address, so that this
    test's guesses count against an IP no other test uses."""

    def __init__(self, live: LiveServer, address: str) -> None:
        super().__init__(live)
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0)))
        recorders = self.sio.handlers[self.namespace]
        self.sio = socketio.AsyncClient(
            serializer="msgpack", reconnection=False, http_session=self.http
        )
        for kind, handler in recorders.items():
            self.sio.on(kind, handler, namespace=self.namespace)

    async def close(self) -> None:
        await super().close()
        await self.http.close()


def _address() -> str:
    """A loopback address of its own (all of 127/8 reaches the server)."""
    return "127." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3))


@pytest.fixture
async def tab_from(live_server: LiveServer) -> AsyncIterator[Callable[[str], Tab]]:
    opened: list[Tab] = []

    def open_tab(address: str) -> Tab:
        tab = TabFrom(live_server, address)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        await tab.close()


def _unknown_codes(count: int, real: str) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        code = new_code()
        if code != real:
            codes.add(code)
    return sorted(codes)


async def test_guessing_codes_from_one_address_is_stopped(
    tab_from: Callable[[str], Tab], room: Room
) -> None:
    address = _address()
    guesser = await create_user(name="Gary Guesser")
    token = jwt_for(guesser)
    for code in _unknown_codes(LIMIT, room.code):
        refusal = await tab_from(address).refused({"token": token, "code": code})
        assert refusal["code"] == "not_found"

    # Past the limit, a real code is refused as an unknown one is.
    refused_real = await tab_from(address).refused({"token": token, "code": room.code})
    refused_fake = await tab_from(address).refused({"token": token, "code": "ZZZZZZ"})
    assert refused_real == refused_fake
    assert refused_real["code"] == "rate_limited"

    # Someone else, elsewhere, still gets in.
    other = await create_user(name="Olive Other")
    state = await tab_from(_address()).connect(jwt_for(other), room.code)
    assert state["session"]["code"] == room.code


async def test_guessing_codes_as_one_user_from_many_addresses_is_stopped(
    tab_from: Callable[[str], Tab], room: Room
) -> None:
    guesser = await create_user(name="Gina Guesser")
    token = jwt_for(guesser)
    for code in _unknown_codes(LIMIT, room.code):
        refusal = await tab_from(_address()).refused({"token": token, "code": code})
        assert refusal["code"] == "not_found"

    fresh = _address()
    refusal = await tab_from(fresh).refused({"token": token, "code": room.code})
    assert refusal["code"] == "rate_limited"
    # The address itself has guessed once: another user there is let in.
    neighbour = await create_user(name="Ned Neighbour")
    state = await tab_from(fresh).connect(jwt_for(neighbour), room.code)
    assert state["session"]["code"] == room.code


async def test_malformed_codes_do_not_count(tab_from: Callable[[str], Tab], room: Room) -> None:
    address = _address()
    user = await create_user(name="Mal Formed")
    token = jwt_for(user)
    for code in ["abc", "ABC1234", "O0IL10", "ÄBCDEF"] * 10:
        refusal = await tab_from(address).refused({"token": token, "code": code})
        assert refusal["code"] == "not_found"
    state = await tab_from(address).connect(token, room.code)
    assert state["session"]["code"] == room.code
