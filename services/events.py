"""The room event log and the after-commit bus.

A service appends room events, and records other facts (a token revoked, a password
changed, a notification created), inside its transaction; once it has committed, the
bus hands them to every listener (the room publisher, socket revocation, live
notifications). Nothing is broadcast or acknowledged before it is durable, and a
listener that fails never fails the change.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from tortoise.transactions import in_transaction

from models import Room, RoomEvent
from services import group_commit, sql
from services.actors import Actor
from services.timefmt import iso

log = logging.getLogger("roundtable.events")
T = TypeVar("T")

# How far back `sync` replays before it answers with a snapshot instead.
REPLAY_LIMIT = 500


@dataclass(frozen=True)
class Event:
    room: str
    seq: int
    type: str
    data: dict[str, Any]
    actor: dict[str, Any] | None
    at: datetime

    def wire(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.type,
            "data": self.data,
            "actor": self.actor,
            "at": iso(self.at),
        }


@dataclass(frozen=True)
class TokenRevoked:
    """An API or guest token can no longer be used; its open sockets must close."""

    token_id: uuid.UUID


@dataclass(frozen=True)
class PasswordChanged:
    """Every JWT issued to this user before now is void; its open sockets must close."""

    user_id: uuid.UUID


@dataclass(frozen=True)
class NotificationCreated:
    """A notification for `user_id`, in its public form, to push to their screens."""

    user_id: uuid.UUID
    body: dict[str, Any]


@dataclass(frozen=True)
class StoryRevealed:
    """A poker story's votes were revealed; `final_estimate` is the round's result."""

    story_id: uuid.UUID
    final_estimate: str | None
    actor: Actor | None


@dataclass(frozen=True)
class SessionCreated:
    """A poker session was created; nobody is in its room yet, so no room event says so."""

    code: str
    owner_id: uuid.UUID
    actor: Actor | None
    session: dict[str, Any]


# What a committed unit of work hands to the bus: its room events and other facts.
Fact = Event | TokenRevoked | PasswordChanged | NotificationCreated | StoryRevealed | SessionCreated
Listener = Callable[[list[Fact]], Awaitable[None]]
_listeners: list[Listener] = []


# Changes that belong to the same transaction as a fact, whoever made it: a revealed
# story's estimate written onto the board cards linked to it. They run when the fact is
# recorded, so a failure rolls the whole change back; the area that owns the fact never
# imports the area that reacts.
# A reaction uses the ORM, so a unit of work written as steps cannot run it; its `idle`
# steps tell, for one fact, whether it has nothing to do (see `UnitOfWork.happened_steps`).
Reaction = Callable[["UnitOfWork", Any], Awaitable[None]]
Idle = Callable[[Any], sql.Steps[bool]]
_reactions: dict[type, dict[Reaction, Idle | None]] = {}


def react(fact_type: type, reaction: Reaction, *, idle: Idle | None = None) -> None:
    """Run `reaction(uow, fact)` inside the transaction of every `fact_type` recorded
    with `UnitOfWork.happened` or `happened_steps`. `idle(fact)`, steps that answer True
    when the reaction would do nothing for that fact, lets units of work written as
    steps record it without leaving their path."""
    _reactions.setdefault(fact_type, {})[reaction] = idle


def unreact(fact_type: type, reaction: Reaction) -> None:
    _reactions.get(fact_type, {}).pop(reaction, None)


class ReactionsPending(Exception):
    """Steps recorded a fact that a reaction has work to do for (`happened_steps`)."""


def subscribe(listener: Listener) -> None:
    _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


# Facts of units of work nested in an enclosing one (`enclosing_unit_of_work`): they
# are only committed with it, so they wait for its commit.
_held: ContextVar[list[Fact] | None] = ContextVar("held_facts", default=None)


async def after_commit(facts: Sequence[Fact]) -> None:
    """Hand committed facts to every listener, in order. A listener that raises is
    logged and skipped: the change stands, the log stays the truth, clients recover
    through `sync` and notifications show on reload."""
    if not facts:
        return
    held = _held.get()
    if held is not None:
        held.extend(facts)
        return
    batch = list(facts)
    for listener in list(_listeners):
        try:
            await listener(batch)
        except Exception:
            log.exception("after-commit listener %r failed; the change stands", listener)


class UnitOfWork:
    """The events a service appends, and the facts it records, in one transaction."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.facts: list[Fact] = []
        # Facts recorded by steps, whose reactions run after them (`_transact_reacting`).
        self.reacting: list[Fact] | None = None

    def record(self, *facts: Fact) -> None:
        """Facts for the bus once this unit of work has committed."""
        self.facts.extend(facts)

    async def happened(self, fact: Fact) -> None:
        """Record `fact`, and run its reactions (`react`) inside this transaction."""
        self.facts.append(fact)
        await self._react(fact)

    async def _react(self, fact: Fact) -> None:
        for reaction in list(_reactions.get(type(fact), ())):
            await reaction(self, fact)

    def happened_steps(self, fact: Fact) -> sql.Steps[None]:
        """`happened`, as steps (see `transact`). When every reaction's `idle` steps say
        it has nothing to do, the fact is only recorded. Otherwise the steps stop with
        `ReactionsPending`, which rolls them back, and `transact` runs them again in a
        transaction of the ORM, where the reactions run after them."""
        self.facts.append(fact)
        if self.reacting is not None:
            self.reacting.append(fact)
            return
        for idle in list(_reactions.get(type(fact), {}).values()):
            if idle is None or not (yield from idle(fact)):
                raise ReactionsPending

    async def lock(self, room: str, *, create: bool = False) -> bool:
        """Serialize writers of a room (a row lock on PostgreSQL; SQLite transactions
        are serial already). False when the room does not exist and `create` is off."""
        row = await Room.filter(key=room).select_for_update().first()
        if row is None:
            if not create:
                return False
            await Room.create(key=room, seq=0)
        return True

    async def emit(self, room: str, type: str, data: dict[str, Any], actor: Actor | None) -> Event:
        return await self.append(room, await self.claim(room), type, data, actor)

    async def claim(self, room: str) -> int:
        """The room's next seq, taking the room's lock (the row's, on PostgreSQL) until
        the commit: a writer that claims first reads what every earlier writer wrote."""
        return await sql.drive(self.claim_steps(room))

    def claim_steps(self, room: str) -> sql.Steps[int]:
        """`claim`, as steps (see `transact`). The seq is handed out in one statement
        (UPDATE … RETURNING, which SQLite 3.35+ and PostgreSQL both speak)."""
        found = yield sql.stmt("UPDATE rooms SET seq = seq + 1 WHERE key = ? RETURNING seq", room)
        if found:
            return int(found[0]["seq"])
        yield sql.stmt("INSERT INTO rooms (key, seq) VALUES (?, 1)", room)
        return 1

    async def append(
        self, room: str, seq: int, type: str, data: dict[str, Any], actor: Actor | None
    ) -> Event:
        """Write the event `seq` (from `claim`) to the room's log, for the bus."""
        return await sql.drive(self.append_steps(room, seq, type, data, actor))

    def append_steps(
        self, room: str, seq: int, type: str, data: dict[str, Any], actor: Actor | None
    ) -> sql.Steps[Event]:
        """`append`, as steps (see `transact`)."""
        event = self._event(room, seq, type, data, actor)
        yield _insert(event)
        return self._appended(event)

    def append_with(
        self,
        write: sql.Stmt,
        room: str,
        seq: int,
        type: str,
        data: dict[str, Any],
        actor: Actor | None,
    ) -> sql.Steps[tuple[sql.Rows, Event]]:
        """Run `write` (a statement that does not need the event) and append the event,
        in one round trip on PostgreSQL (the event's INSERT rides along as a WITH
        clause); `write`'s rows and the event."""
        event = self._event(room, seq, type, data, actor)
        insert = _insert(event)
        if not sql.is_postgres():
            rows = yield write
            yield insert
            return rows, self._appended(event)
        rows = yield sql.Stmt(
            f"WITH appended AS ({insert.sql}), written AS ({write.sql}) SELECT * FROM written",
            insert.args + write.args,
        )
        return rows, self._appended(event)

    def append_if_unchanged(
        self,
        write: sql.Stmt,
        room: str,
        seen: int,
        type: str,
        data: dict[str, Any],
        actor: Actor | None,
        riders: Sequence[sql.Stmt] = (),
    ) -> sql.Steps[sql.Rows | None]:
        """PostgreSQL, one statement: claim the room's next seq only if its seq is still
        `seen`, and with it run `write` (a statement whose rows come `FROM claimed`);
        then, only if `write` wrote a row, `riders` (writes of their own that end in
        `WHERE EXISTS (SELECT 1 FROM written)`) and the event. `write`'s rows, or None
        when another writer of the room came first and nothing was written (or, should
        `write` find no row after a claim that held, when only the seq was taken: a gap
        in the log rather than an event for a change not made).

        The claim waits for a writer that holds the room's lock and, once it commits,
        looks at the seq it left (READ COMMITTED rechecks an updated row), so the
        condition holds only if no change of the room committed since `seen` was read."""
        event = self._event(room, seen + 1, type, data, actor)
        insert = _insert(event)
        ridden = "".join(f" rider{i} AS ({r.sql})," for i, r in enumerate(riders))
        rows = yield sql.Stmt(
            "WITH claimed AS (UPDATE rooms SET seq = seq + 1 WHERE key = ? AND seq = ?"
            " RETURNING seq),"
            f" written AS ({write.sql}),{ridden}"
            f" appended AS ({_INSERT_IF_WRITTEN}) SELECT * FROM written",
            (room, seen, *write.args, *(a for r in riders for a in r.args), *insert.args),
        )
        if not rows:
            return None
        self._appended(event)
        return rows

    @staticmethod
    def _event(room: str, seq: int, type: str, data: dict[str, Any], actor: Actor | None) -> Event:
        wire_actor = actor.wire() if actor else None
        return Event(room=room, seq=seq, type=type, data=data, actor=wire_actor, at=sql.now())

    def _appended(self, event: Event) -> Event:
        self.events.append(event)
        self.facts.append(event)
        return event


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[UnitOfWork]:
    """One transaction; its events and facts go to the bus once it has committed."""
    uow = UnitOfWork()
    async with in_transaction():
        yield uow
    await after_commit(uow.facts)


@asynccontextmanager
async def enclosing_unit_of_work() -> AsyncIterator[UnitOfWork]:
    """A unit of work that calls other services inside its transaction (a pilotage
    action applied through the board's services): theirs become part of it, so all
    commit or none does, and their facts go to the bus, before its own, only once it
    has committed."""
    uow = UnitOfWork()
    held: list[Fact] = []
    reset = _held.set(held)
    try:
        async with in_transaction():
            yield uow
    finally:
        _held.reset(reset)
    await after_commit([*held, *uow.facts])


# `_insert`'s row, made only when the same statement claimed the seq and wrote the
# change (`written`, which selects `FROM claimed`). Every change to what a write reads
# claims the seq, so a claim that succeeds finds its row; should it not, the log shows
# no event for a change that was not made (a gap, which `sync` answers with a snapshot).
_INSERT_IF_WRITTEN = (
    "INSERT INTO room_events (room, seq, type, data, actor, at)"
    " SELECT ?::text, ?::bigint, ?::text, ?::jsonb, ?::jsonb, ?::timestamptz"
    " WHERE EXISTS (SELECT 1 FROM written)"
)


def _insert(event: Event) -> sql.Stmt:
    return sql.stmt(
        "INSERT INTO room_events (room, seq, type, data, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
        event.room,
        event.seq,
        event.type,
        sql.json_param(event.data),
        None if event.actor is None else sql.json_param(event.actor),
        event.at,
    )


async def transact(steps: Callable[[UnitOfWork], sql.Steps[T]]) -> T:
    """A unit of work written as steps (services/sql.py): one definition that runs in
    one hop to SQLite's thread, sharing a commit with concurrent ones, and statement by
    statement on PostgreSQL. Its facts go to the bus once it has committed. Steps that
    record a fact with a reaction to run (`UnitOfWork.happened_steps`) run again with
    it, in one transaction."""
    uow = UnitOfWork()
    try:
        value = await group_commit.run(lambda: steps(uow))
    except ReactionsPending:
        return await _transact_reacting(steps)
    await after_commit(uow.facts)
    return value


async def _transact_reacting(steps: Callable[[UnitOfWork], sql.Steps[T]]) -> T:
    """The steps in a transaction of the ORM, statement by statement, then the reactions
    to the facts they recorded, in the same transaction."""
    async with unit_of_work() as uow:
        uow.reacting = []
        value = await sql.drive(steps(uow))
        for fact in uow.reacting:
            await uow._react(fact)
    return value


async def transact_unless_raced(steps: Callable[[UnitOfWork], sql.Steps[T | None]]) -> T | None:
    """PostgreSQL: a unit of work of statements that each commit on their own, with no
    transaction around them: reads, then one conditional write (see `UnitOfWork.
    append_if_unchanged`). Its value, with its facts handed to the bus; or None when
    the steps answered None because another writer came first and nothing was written,
    so the caller runs its locking version instead."""
    uow = UnitOfWork()
    value = await group_commit.autocommit(lambda: steps(uow))
    if value is not None:
        await after_commit(uow.facts)
    return value


async def current_seq(room: str) -> int:
    row = await Room.filter(key=room).first()
    return int(row.seq) if row else 0


_SEQS = "SELECT key, seq FROM rooms WHERE key IN ({marks})"


async def current_seqs(rooms: list[str]) -> dict[str, int]:
    """The last seq handed out in each of `rooms`, a read per 500 rooms; rooms with no
    events yet are left out."""
    # Plain SQL: each worker asks for all its rooms every few seconds (realtime/heartbeat).
    found = await sql.drive(sql.in_chunks(_SEQS, rooms))
    return {str(row["key"]): int(row["seq"]) for row in found}


async def events_since(room: str, since: int) -> list[Event] | None:
    """The events after `since`, in order, or None when they are no longer replayable."""
    head = await current_seq(room)
    if since < 0 or since > head or head - since > REPLAY_LIMIT:
        return None
    rows = await RoomEvent.filter(room=room, seq__gt=since, seq__lte=head).order_by("seq")
    if len(rows) != head - since:
        return None
    return [
        Event(room=r.room, seq=int(r.seq), type=r.type, data=r.data, actor=r.actor, at=r.at)
        for r in rows
    ]
