"""Taking a seat: a guest joining with the session's code, or a signed-in user joining
as themself.

Written as steps (services/sql.py), like a vote: a room's guests arrive together when a
meeting starts, each with a join. The room's seq is claimed first (its lock), then the
session and the caller's seat are read, the seat is written with its event and the
session is rendered, in one hop to SQLite's thread (sharing its commit) or statement by
statement in one transaction on PostgreSQL.
"""

from __future__ import annotations

import uuid
from typing import Any

from models import Participant, PokerSession
from services import sql
from services.actors import Actor
from services.errors import Invalid, NotFound
from services.events import UnitOfWork
from services.poker.access import (
    PARTICIPANT,
    SPECTATOR,
    require_open,
    room_key,
    seat_steps,
    session_steps,
    transact_judged,
)
from services.poker.views import participant_public, render_session, sessions_rendered
from services.security import GUEST_PREFIX, new_token, sha256

# A participant's name: the longest it may be, on every face (REST, the /poker socket,
# agents' tools).
NAME_MAX = 100

_USER = "SELECT name, email FROM users WHERE id = ?"
_USER_SEAT = "SELECT * FROM participants WHERE session_id = ? AND user_id = ?"
_NEW_SEAT = """
INSERT INTO participants (session_id, user_id, name, role, token_hash, joined_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING *
"""
_SEAT_BACK = """
UPDATE participants SET removed_at = NULL, name = ?, role = ? WHERE id = ? RETURNING *
"""

_Joined = tuple[dict[str, Any], dict[str, Any], str | None]


async def join_session(
    *, actor: Actor | None, code: str, name: str | None, spectator: bool = False
) -> _Joined:
    """Let someone in. Returns (participant, session, token); new guests get a fresh token.

    A signed-in caller joins as themself, and joining twice returns the same seat; so
    does a guest presenting their own token (their token is then not sent again).
    """
    role = SPECTATOR if spectator else PARTICIPANT
    try:
        return await transact_judged(
            code, lambda uow, canonical: _join(uow, canonical, actor, name, role)
        )
    except _Seated as seated:
        # Nothing was written (the seq claimed is rolled back): the seat as it is.
        return participant_public(seated.seat), await render_session(seated.session), None


class _Seated(Exception):
    """The caller already has a seat in the session."""

    def __init__(self, session: PokerSession, seat: Participant) -> None:
        super().__init__("already seated")
        self.session, self.seat = session, seat


def _join(
    uow: UnitOfWork, code: str, actor: Actor | None, name: str | None, role: str
) -> sql.Steps[_Joined]:
    room = room_key(code)
    seq = yield from uow.claim_steps(room)
    session = yield from session_steps(code)
    require_open(session)
    token: str | None = None
    if actor is not None:
        existing = yield from seat_steps(actor, session)
        if existing is not None:
            raise _Seated(session, existing)
    if actor is not None and actor.user_id is not None:
        seat = yield from _user_seat(session, actor.user_id, name, role)
    else:
        if not name:
            raise Invalid("A name is needed to join", details={"errors": {"name": ["required"]}})
        token = new_token(GUEST_PREFIX)
        seat = yield from _new_seat(session, None, name, role, sha256(token))
    joined = participant_public(seat)
    by = actor or guest_actor(seat)
    yield from uow.append_steps(room, seq, "participant_joined", {"participant": joined}, by)
    [rendered] = yield from sessions_rendered([session])
    return joined, rendered, token


def _user_seat(
    session: PokerSession, user_id: uuid.UUID, name: str | None, role: str
) -> sql.Steps[Participant]:
    """A new seat for a user, or their old one back when they were removed earlier:
    (session, user) is unique, so a second row would be refused."""
    user = yield sql.stmt(_USER, str(user_id))
    if not user:
        raise NotFound("No such user")
    display = display_name(user[0]["name"], user[0]["email"], name)
    old = yield sql.stmt(_USER_SEAT, str(session.id), str(user_id))
    if not old:
        return (yield from _new_seat(session, user_id, display, role, None))
    back = yield sql.stmt(_SEAT_BACK, display, role, old[0]["id"])
    return Participant._init_from_db(**back[0])


def _new_seat(
    session: PokerSession, user_id: uuid.UUID | None, name: str, role: str, token_hash: str | None
) -> sql.Steps[Participant]:
    made = yield sql.stmt(
        _NEW_SEAT,
        str(session.id),
        None if user_id is None else str(user_id),
        name,
        role,
        token_hash,
        sql.now(),
    )
    return Participant._init_from_db(**made[0])


def display_name(user_name: str | None, email: str, chosen: str | None = None) -> str:
    """The name a user sits under: the one chosen, or their account's."""
    # An email can be longer than a participant's name may be.
    return (chosen or user_name or email)[:NAME_MAX]


def guest_actor(p: Participant) -> Actor:
    return Actor(
        kind="guest", name=p.name, via="guest", participant_id=p.id, session_id=p.session_id
    )
