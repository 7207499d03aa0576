"""Socket commands: a payload model, a scope and a service call, answered with one ack.

The ack is `{"ok": true, "data": ...}` or `{"ok": false, "error": {"code", "message"}}`.
A DomainError keeps its code, a payload that does not fit its model is `invalid`, and
anything unexpected is logged and answered `internal`, never with a traceback. A socket
or a user over its command limits is answered `rate_limited` before any work is done.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Protocol, TypeVar

import structlog
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from realtime.publisher import published_seqs
from services import throttle
from services.actors import Actor
from services.availability import is_outage
from services.errors import DomainError, RateLimited, Unavailable, ValidationFailed
from services.scopes import Needed, require

log = structlog.get_logger("roundtable.socket")

Ack = dict[str, Any]

# Command limits. A person sends a few commands a minute and seldom has more than two
# awaiting their acks; the benchmark in bench/ sends at most 5,000 commands from one
# socket, one at a time. Past IN_FLIGHT a socket's commands are refused at once, so one
# busy socket holds at most that many database transactions and cannot starve the
# others; a moving window bounds what it can send in a minute, and a fixed one what its
# user can, across sockets.
IN_FLIGHT_PER_SOCKET = 32
PER_SOCKET_PER_MINUTE = 6_000
PER_USER = throttle.limit("12000/minute")
# Per-user counts stay in this worker: a round trip to Redis on every command would cost
# more than the command's own database work. A user's sockets spread over N workers get
# N times the budget, which still bounds a flood. At this limit an exact moving window
# would keep 12,000 hits per user and cost more per command than a vote's own CPU; one
# counter a minute costs least, and lets through at most twice the limit across the
# turn of a minute.
_per_user = throttle.Throttle(None, counting="fixed")


class Budget:
    """One socket's command allowance: how many may run at once, and how many it may
    send in a moving minute. Counted in memory: a socket lives on one worker."""

    def __init__(
        self,
        *,
        in_flight: int = IN_FLIGHT_PER_SOCKET,
        per_minute: int = PER_SOCKET_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._max_in_flight = in_flight
        self._in_flight = 0
        self._sent: deque[float] = deque(maxlen=per_minute)

    def take(self) -> None:
        """Count one more command, running until `release`; RateLimited when over."""
        if self._in_flight >= self._max_in_flight:
            raise RateLimited("Too many commands at once; wait for their answers")
        now = self._clock()
        if len(self._sent) == self._sent.maxlen and now - self._sent[0] < 60.0:
            raise RateLimited("Too many commands this minute; slow down")
        self._sent.append(now)
        self._in_flight += 1

    def release(self) -> None:
        self._in_flight -= 1


class Caller(Protocol):
    """Who sent a command, as the namespace resolved it."""

    @property
    def room(self) -> str: ...

    @property
    def actor(self) -> Actor: ...


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it here rather than fail on write.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class Payload(BaseModel):
    """A command's payload: typed strictly (sockets carry real types), no unknown keys."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class Empty(Payload):
    """For commands that take no fields; an absent payload is the same as `{}`."""


P = TypeVar("P", bound=Payload)
C = TypeVar("C", bound=Caller)


@dataclass(frozen=True)
class Command(Generic[C, P]):
    name: str
    payload: type[P]
    scope: Needed | None
    run: Callable[[C, P], Awaitable[Any]]


def command(
    payload: type[P], *, scope: Needed | None = None
) -> Callable[[Callable[[C, P], Awaitable[Any]]], Command[C, P]]:
    """Declare a command named after the function; `scope` is what a PAT needs for it."""

    def declare(run: Callable[[C, P], Awaitable[Any]]) -> Command[C, P]:
        return Command(name=run.__name__, payload=payload, scope=scope, run=run)

    return declare


def ok(data: Any) -> Ack:
    return {"ok": True, "data": data}


def error(code: str, message: str) -> Ack:
    return {"ok": False, "error": {"code": code, "message": message}}


def parse(model: type[P], args: tuple[Any, ...]) -> P:
    """The single argument a client sent, validated; none at all reads as `{}`."""
    if len(args) > 1:
        raise ValidationFailed("Send one payload object")
    raw = args[0] if args else None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ValidationFailed("The payload must be an object")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailed(_first_problem(exc)) from None


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])


async def dispatch(
    cmd: Command[C, Any],
    resolve: Callable[[], Awaitable[C]],
    args: tuple[Any, ...],
    *,
    namespace: str,
    budget: Budget | None = None,
) -> Ack:
    """Run one command for one socket and render its ack; logs one line."""
    started = time.perf_counter()
    caller: C | None = None
    failure: str | None = None
    taken = False
    with published_seqs() as seqs:
        try:
            if budget is not None:
                budget.take()
                taken = True
            caller = await resolve()
            if cmd.scope is not None:
                require(caller.actor, cmd.scope)
            await _count_for_user(caller.actor)
            body = parse(cmd.payload, args)
            ack = ok(await cmd.run(caller, body))
        except DomainError as exc:
            failure = exc.code
            ack = error(exc.code, exc.message)
            if "current" in exc.details:
                # A stale write: the thing as it is now, so the client can merge.
                ack["error"]["current"] = exc.details["current"]
        except Exception as exc:
            if is_outage(exc):
                # Nothing was committed; the client may send the command again.
                failure = Unavailable.code
                ack = error(Unavailable.code, Unavailable.default_message)
            else:
                failure = "internal"
                log.exception(
                    "socket command crashed",
                    namespace=namespace,
                    command=cmd.name,
                    room=caller.room if caller else None,
                    actor=caller.actor.id if caller else None,
                )
                ack = error("internal", "Internal error")
        finally:
            if budget is not None and taken:
                budget.release()
    log.info(
        "socket",
        namespace=namespace,
        command=cmd.name,
        room=caller.room if caller else None,
        actor=caller.actor.id if caller else None,
        ok=failure is None,
        error=failure,
        seq=max(seqs) if seqs else None,
        ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return ack


async def _count_for_user(actor: Actor) -> None:
    """One more command from this user, counted across their sockets on this worker."""
    if not await _per_user.allow(PER_USER, "socket-commands", actor.id):
        raise RateLimited("Too many commands this minute; slow down")


def unknown(name: Any, *, namespace: str) -> Ack:
    """The ack for an event that is no command: any name a client sends, of any type."""
    if not isinstance(name, str):
        log.info("socket", namespace=namespace, command=None, ok=False, error="invalid")
        return error("invalid", "A command's name must be a string")
    name = name[:64]
    log.info("socket", namespace=namespace, command=name, ok=False, error="invalid")
    return error("invalid", f"Unknown command '{name}'")
