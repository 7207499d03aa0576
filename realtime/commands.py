"""Socket commands: a payload model, a scope and a service call, answered with one ack.

The ack is `{"ok": true, "data": ...}` or `{"ok": false, "error": {"code", "message"}}`.
A DomainError keeps its code, a payload that does not fit its model is `invalid`, and
anything unexpected is logged and answered `internal`, never with a traceback.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Protocol, TypeVar

import structlog
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from realtime.publisher import published_seqs
from services.actors import Actor
from services.availability import is_outage
from services.errors import DomainError, Unavailable, ValidationFailed

log = structlog.get_logger("roundtable.socket")

Ack = dict[str, Any]


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
    scope: str | None
    run: Callable[[C, P], Awaitable[Any]]


def command(
    payload: type[P], *, scope: str | None = None
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
) -> Ack:
    """Run one command for one socket and render its ack; logs one line."""
    started = time.perf_counter()
    caller: C | None = None
    failure: str | None = None
    with published_seqs() as seqs:
        try:
            caller = await resolve()
            if cmd.scope is not None:
                caller.actor.require_scope(cmd.scope)
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


def unknown(name: Any, *, namespace: str) -> Ack:
    """The ack for an event that is no command: any name a client sends, of any type."""
    if not isinstance(name, str):
        log.info("socket", namespace=namespace, command=None, ok=False, error="invalid")
        return error("invalid", "A command's name must be a string")
    name = name[:64]
    log.info("socket", namespace=namespace, command=name, ok=False, error="invalid")
    return error("invalid", f"Unknown command '{name}'")
