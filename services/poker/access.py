"""Finding a session by code and the caller's place in it. Every lookup is scoped here,
and lookups of codes that clients send (inside `guarding_codes`) stop guessing."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from models import Participant, PokerSession, Story
from services import group_commit, sql, throttle
from services.actors import Actor
from services.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthorized
from services.events import UnitOfWork, transact
from services.poker.codes import normalize

MODERATOR, PARTICIPANT, SPECTATOR = "moderator", "participant", "spectator"
T = TypeVar("T")

# Failed lookups of well-formed codes, per client IP and per user. Someone who mistypes
# a code a few times never meets it. Among 887 million codes, one address then needs
# about three weeks on average to hit one of a thousand live rooms, not the hour and a
# half that 8,900 guesses a minute took.
CODE_MISSES = throttle.limit("30/minute")
TOO_MANY_MISSES = "Too many unknown session codes; try again in a minute"


def room_key(code: str) -> str:
    return f"poker:{code}"


@dataclass
class _Guard:
    """Who is sending codes in the current request or connect, and whether a lookup of
    theirs has already passed the limit."""

    keys: list[tuple[str, str]]
    passed: bool = False


_guard: ContextVar[_Guard | None] = ContextVar("code_guard", default=None)


@contextmanager
def guarding_codes(*, client: str | None, actor: Actor | None) -> Iterator[None]:
    """Within this block every session lookup stands for a code a client sent: failed
    lookups count per client IP and per user, and past the limit every lookup is refused
    alike, whether the code exists or not, so the refusal tells a guesser nothing."""
    keys = [("ip", client)] if client else []
    if actor is not None:
        keys.append(("user", actor.id))
    reset = _guard.set(_Guard(keys))
    try:
        yield
    finally:
        _guard.reset(reset)


async def session_by_code(code: str) -> PokerSession:
    """`session_steps`, read on its own (in the transaction, inside one), for a code a
    client may have sent (see `judge_lookup`)."""
    canonical = normalize(code)
    session = None
    if canonical is not None:
        try:
            session = await group_commit.read(lambda: session_steps(canonical))
        except NoSession:
            session = None
    await judge_lookup(found=session is not None, well_formed=canonical is not None)
    if session is None:
        raise NotFound("No session with that code")
    return session


async def judge_lookup(*, found: bool, well_formed: bool) -> None:
    """Count a lookup of a code a client sent, when inside `guarding_codes`; RateLimited
    past the limit. Lookups outside the guard (a socket's own room) are not judged."""
    guard = _guard.get()
    if guard is not None and guard.keys:
        await _judge(guard, found=found, well_formed=well_formed)


async def _judge(guard: _Guard, *, found: bool, well_formed: bool) -> None:
    """A miss is counted and judged in one atomic step of the limiter, so a burst of
    guesses sent together gets at most the limit's worth of answers, and no lookup waits
    behind another (everyone behind one proxy shares an address). A malformed code cannot
    name a room: refusing it reveals nothing, and it is not counted."""
    limiter = throttle.current()
    if not found:
        if well_formed:
            allowed = [await limiter.allow(CODE_MISSES, "code-miss", *key) for key in guard.keys]
            if not all(allowed):
                raise RateLimited(TOO_MANY_MISSES)
        return
    if guard.passed:
        return
    for key in guard.keys:
        if not await limiter.test(CODE_MISSES, "code-miss", *key):
            raise RateLimited(TOO_MANY_MISSES)
    guard.passed = True


class NoSession(NotFound):
    """The code names no session (a miss, for the code-guessing limit)."""

    def __init__(self) -> None:
        super().__init__("No session with that code")


async def judged(code: str, run: Callable[[str], Awaitable[T]]) -> T:
    """`run(canonical code)` for a code a client sent, judged as `session_by_code`
    judges a lookup: past the guessing limit it is refused before anything is read, and
    a `NoSession` that `run` raises counts as a miss."""
    canonical = normalize(code)
    if canonical is None:
        raise NotFound("No session with that code")
    await judge_lookup(found=True, well_formed=True)
    try:
        return await run(canonical)
    except NoSession:
        await judge_lookup(found=False, well_formed=True)
        raise


async def guarded_session(code: str, *, client: str | None, actor: Actor | None) -> PokerSession:
    """`session_by_code` for a code a client sent (the /poker connect)."""
    with guarding_codes(client=client, actor=actor):
        return await session_by_code(code)


async def locked_session(uow: UnitOfWork, code: str) -> PokerSession:
    """Take the room's lock, then read the session, so the read cannot be stale."""
    canonical = normalize(code)
    if canonical is None:
        raise NotFound("No session with that code")
    await uow.lock(room_key(canonical))
    return await session_by_code(canonical)


async def code_of_story(story_id: Any) -> str:
    """The join code of the session a story belongs to, for edges that name only the story."""
    try:
        sid = uuid.UUID(str(story_id))
    except ValueError:
        raise NotFound("No such story") from None
    story = await Story.filter(id=sid).select_related("session").first()
    if story is None:
        raise NotFound("No such story")
    return str(story.session.code)


# The session and the caller's seat as steps (services/sql.py), for the paths written
# that way; the rows become models as Tortoise makes them.
_SESSION = "SELECT * FROM poker_sessions WHERE code = ?"
_GUEST_SEAT = "SELECT * FROM participants WHERE id = ?"
_USER_SEAT = (
    "SELECT * FROM participants WHERE session_id = ? AND user_id = ? AND removed_at IS NULL"
)


def session_steps(code: str) -> sql.Steps[PokerSession]:
    """The session with this (canonical) code; `NoSession` when there is none."""
    found = yield sql.stmt(_SESSION, code)
    if not found:
        raise NoSession
    return PokerSession._init_from_db(**found[0])


def seat_steps(actor: Actor, session: PokerSession) -> sql.Steps[Participant | None]:
    """The caller's participant in this session, if they have one: a guest's token names
    its seat, a signed-in user's is found by account."""
    if actor.kind == "guest":
        found = yield sql.stmt(_GUEST_SEAT, actor.participant_id)
    elif actor.user_id is not None:
        found = yield sql.stmt(_USER_SEAT, str(session.id), str(actor.user_id))
    else:
        found = []
    return seat_checked(actor, session, Participant._init_from_db(**found[0]) if found else None)


def moderated_steps(
    uow: UnitOfWork, code: str, actor: Actor, *, open_only: bool = True
) -> sql.Steps[tuple[str, int, PokerSession]]:
    """A moderator's command, as steps: the room's seq claimed first (its lock), then the
    session with this (canonical) code, which must be open unless `open_only` is off,
    and which the caller must moderate. The room, the seq claimed and the session."""
    room = room_key(code)
    seq = yield from uow.claim_steps(room)
    session = yield from session_steps(code)
    if open_only:
        require_open(session)
    moderator_checked(actor, session, (yield from seat_steps(actor, session)))
    return room, seq, session


async def transact_judged(code: str, steps: Callable[[UnitOfWork, str], sql.Steps[T]]) -> T:
    """`events.transact` of `steps(uow, canonical code)`, for a code a client sent,
    judged as `judged` judges it."""
    return await judged(code, lambda canonical: transact(lambda uow: steps(uow, canonical)))


def require_owner(actor: Actor, session: PokerSession) -> None:
    if actor.user_id is None or actor.user_id != session.owner_id:
        raise Forbidden("Only the session's owner can do this")


def require_open(session: PokerSession) -> None:
    if session.status == "archived":
        raise Conflict("This session is archived")
    if session.status != "active":
        raise Conflict(f"This session is {session.status}")


async def participant_of(actor: Actor, session: PokerSession) -> Participant | None:
    """The caller's participant in this session, if they have one (`seat_steps`, read on
    its own, or in the transaction inside one)."""
    return await group_commit.read(lambda: seat_steps(actor, session))


def seat_checked(
    actor: Actor, session: PokerSession, seat: Participant | None
) -> Participant | None:
    """`seat`, read as the caller's participant in `session`: a guest's token names its
    seat, which must be in this session and not removed; an account may have no seat."""
    if actor.kind != "guest":
        return seat
    if actor.session_id != session.id:
        raise Forbidden("This guest token belongs to another session")
    if seat is None or seat.removed_at is not None:
        raise Unauthorized("You were removed from this session")
    return seat


async def require_participant(actor: Actor, session: PokerSession) -> Participant:
    p = await participant_of(actor, session)
    if p is None:
        raise Forbidden("Join the session first")
    return p


async def require_moderator(actor: Actor, session: PokerSession) -> Participant | None:
    """The moderator, or the owner, who keeps every right in their own session."""
    return moderator_checked(actor, session, await participant_of(actor, session))


def moderator_checked(
    actor: Actor, session: PokerSession, seat: Participant | None
) -> Participant | None:
    """`seat` (the caller's, as `participant_of` finds it), if the caller moderates the
    session or owns it."""
    if actor.user_id is not None and actor.user_id == session.owner_id:
        return seat
    if seat is None or seat.role != MODERATOR:
        raise Forbidden("Only the moderator can do this")
    return seat
