"""The built-in provider: deterministic rules over the context, no network.

Each task has one rule, registered with `@rule("task")`; a rule takes the context and
returns the answer (an instance of the caller's schema, or a dict it validates). Other
areas register their own tasks the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from services.ai.provider import BUILTIN, S, UnknownTask

Rule = Callable[[Any], BaseModel | dict[str, Any]]
_RULES: dict[str, Rule] = {}
_INSTRUCTIONS: dict[str, str] = {}


def rule(task: str, instruction: str = "") -> Callable[[Rule], Rule]:
    """Register the built-in rule for `task`, and what a model is asked to do for it."""

    def register(fn: Rule) -> Rule:
        assert task not in _RULES, task
        _RULES[task] = fn
        _INSTRUCTIONS[task] = " ".join((instruction or fn.__doc__ or "").split())
        return fn

    return register


def instruction(task: str) -> str:
    """What a model is asked to do for `task` (the rule's instruction or docstring)."""
    _load_rules()
    return _INSTRUCTIONS.get(task, "")


def answer(task: str, context: BaseModel, schema: type[S]) -> S:
    """The rule's answer, validated against `schema` (synchronously, for fallbacks)."""
    _load_rules()
    fn = _RULES.get(task)
    if fn is None:
        raise UnknownTask(task)
    made = fn(context)
    data = made.model_dump() if isinstance(made, BaseModel) else made
    return schema.model_validate({**data, "provider": BUILTIN})


class BuiltinProvider:
    name = BUILTIN

    async def suggest(self, task: str, context: BaseModel, schema: type[S]) -> S:
        return answer(task, context, schema)


def _load_rules() -> None:
    # The poker rules register themselves on import; imported late to avoid a cycle.
    from services.ai import poker_rules  # noqa: F401
