"""The tool registry: each tool's name, description, input model, required PAT scope and
the service call it makes. A face lists `TOOLS` and runs one with `call`; the same input
is refused the same way and a tool behaves the same wherever it is called from."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python

from services import scopes
from services.actors import Actor
from services.errors import DomainError, NotFound, ValidationFailed

log = logging.getLogger("roundtable.tools")
M = TypeVar("M", bound=BaseModel)
Call = Callable[[Actor, Any], Awaitable[Any]]


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    description: str
    input: type[BaseModel]
    # The PAT scope(s) a token needs to call it, besides the face's own (mcp).
    scope: scopes.Needed
    call: Call
    # Whether it changes anything (a client may ask before calling it).
    writes: bool
    # What it answers; every answer is checked against it.
    output: type[BaseModel] | None = None

    def input_schema(self) -> dict[str, Any]:
        return self.input.model_json_schema()

    def output_schema(self) -> dict[str, Any] | None:
        return self.output.model_json_schema() if self.output is not None else None


TOOLS: dict[str, Tool] = {}


def tool(
    name: str,
    *,
    title: str,
    description: str,
    input: type[M],
    scope: scopes.Needed,
    writes: bool = False,
    output: type[BaseModel] | None = None,
) -> Callable[[Callable[[Actor, M], Awaitable[Any]]], Callable[[Actor, M], Awaitable[Any]]]:
    """Register the decorated `async def fn(actor, args)` as the tool `name`."""

    def register(fn: Callable[[Actor, M], Awaitable[Any]]) -> Callable[[Actor, M], Awaitable[Any]]:
        assert name not in TOOLS, name
        TOOLS[name] = Tool(name, title, description, input, scope, fn, writes, output)
        return fn

    return register


def _readable(exc: ValidationError) -> ValidationFailed:
    errors: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in err["loc"]) or "arguments"
        errors.setdefault(where, []).append(err["msg"])
    first = next(iter(errors.items()))
    return ValidationFailed(f"{first[0]}: {first[1][0]}", details={"errors": errors})


async def call(name: str, actor: Actor, arguments: Mapping[str, Any] | None) -> Any:
    """Run the tool `name` for `actor`: scope, then input, then the service. Its answer
    is plain JSON (ids and times as strings). Refusals are the one error tree."""
    found = TOOLS.get(name)
    if found is None:
        raise NotFound(f"No tool named {name!r}")
    scopes.require(actor, found.scope)
    try:
        args = found.input.model_validate(dict(arguments or {}))
    except ValidationError as exc:
        raise _readable(exc) from None
    answer = to_jsonable_python(await found.call(actor, args))
    if found.output is not None:
        # An answer that breaks its own schema is our bug; the change, if any, is made,
        # so the agent is told it failed rather than handed something else.
        try:
            found.output.model_validate(answer)
        except ValidationError:
            log.exception("tool %s answered outside its output schema", name)
            raise DomainError("The tool's answer was malformed") from None
    return answer
