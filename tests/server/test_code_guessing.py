"""Join codes cannot be guessed over REST: failed lookups on any route named by a code
count per client IP and per user, and past the limit every code is refused alike."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from services.poker import access
from services.poker.codes import new_code
from tests.factories import bearer, jwt_for, poker_room, user_with_headers

LIMIT = access.CODE_MISSES.amount
REFUSED = {"success": False, "message": access.TOO_MANY_MISSES, "code": "rate_limited"}
NOT_FOUND = {"success": False, "message": "No session with that code", "code": "not_found"}


def _address() -> str:
    """A documentation address of this test's own, so no other test shares its count."""
    return f"198.51.{secrets.randbelow(256)}.{secrets.randbelow(256)}"


@asynccontextmanager
async def _from(app: Any, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def _unknown_codes(count: int, real: str) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        if (code := new_code()) != real:
            codes.add(code)
    return sorted(codes)


ANONYMOUS_ROUTES = [
    ("GET", "/api/sessions/{code}", None),
    ("POST", "/api/sessions/{code}/join", {"name": "Guessing Gus"}),
    ("GET", "/api/sessions/{code}/participants", None),
    ("GET", "/api/sessions/{code}/stories", None),
]
USER_ROUTES = [
    *ANONYMOUS_ROUTES,
    ("POST", "/api/sessions/{code}/vote", {"participant_id": 1, "vote": "5"}),
    ("PATCH", "/api/sessions/{code}", {"name": "Mine now"}),
    ("POST", "/api/sessions/{code}/restart", None),
]


async def _miss(
    http: httpx.AsyncClient, route: tuple[str, str, Any], code: str, headers: Any = None
) -> None:
    """One failed lookup of `code` through `route`."""
    method, path, body = route
    res = await http.request(method, path.format(code=code), json=body, headers=headers)
    assert res.status_code == 404, (path, res.text)
    assert res.json() == NOT_FOUND


async def test_guessing_codes_from_one_address_is_stopped(app: Any, db: str) -> None:
    _, _, session = await poker_room(name="Sprint 9")
    address = _address()
    async with _from(app, address) as http:
        for i, code in enumerate(_unknown_codes(LIMIT, session["code"])):
            await _miss(http, ANONYMOUS_ROUTES[i % len(ANONYMOUS_ROUTES)], code)

        for path in (f"/api/sessions/{session['code']}", "/api/sessions/ZZZZZZ"):
            res = await http.get(path)
            assert res.status_code == 429
            assert res.json() == REFUSED
        joined = await http.post(f"/api/sessions/{session['code']}/join", json={"name": "Al"})
        assert joined.status_code == 429

    async with _from(app, _address()) as http:
        res = await http.get(f"/api/sessions/{session['code']}")
        assert res.status_code == 200
        assert res.json()["session"]["code"] == session["code"]


async def test_guessing_codes_as_one_user_from_many_addresses_is_stopped(app: Any, db: str) -> None:
    _, _, session = await poker_room(name="Sprint 10")
    _, headers = await user_with_headers(name="Gina Guesser")
    for i, code in enumerate(_unknown_codes(LIMIT, session["code"])):
        async with _from(app, _address()) as http:
            await _miss(http, USER_ROUTES[i % len(USER_ROUTES)], code, headers)

    fresh = _address()
    async with _from(app, fresh) as http:
        res = await http.post(f"/api/sessions/{session['code']}/join", json={}, headers=headers)
        assert res.status_code == 429
        assert res.json() == REFUSED
        # Without the guesser's token, the same address is let in.
        res = await http.post(f"/api/sessions/{session['code']}/join", json={"name": "Ned"})
        assert res.status_code == 200


async def test_malformed_codes_and_other_misses_do_not_count(app: Any, db: str) -> None:
    owner, _, session = await poker_room(name="Sprint 11")
    async with _from(app, _address()) as http:
        for code in ["abc", "ABC1234", "O0IL10", "ABC%2012", "%00%00%00", "ÄBCDEF"] * 8:
            res = await http.get(f"/api/sessions/{code}")
            assert res.status_code == 404
        # An unknown participant in a real session is no guess at a code either.
        url = f"/api/sessions/{session['code']}/participants/999999"
        for _ in range(LIMIT + 5):
            res = await http.delete(url, headers=bearer(jwt_for(owner)))
            assert res.status_code == 404
            assert res.json()["code"] == "not_found"
        res = await http.get(f"/api/sessions/{session['code']}")
        assert res.status_code == 200


async def test_a_burst_of_guesses_sent_together_gets_no_more_answers_than_the_limit(
    app: Any, db: str
) -> None:
    _, _, session = await poker_room(name="Sprint 11")
    codes = _unknown_codes(LIMIT * 2, session["code"])
    async with _from(app, _address()) as http:
        answers = await asyncio.gather(*(http.get(f"/api/sessions/{c}") for c in codes))
    assert Counter(a.status_code for a in answers) == {404: LIMIT, 429: LIMIT}
