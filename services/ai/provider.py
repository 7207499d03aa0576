"""The one interface for structured suggestions, and the provider in use.

A caller builds a context (a pydantic model holding only what its caller may read),
names a task and the schema of the answer, and gets a validated instance back:

    advice = await ai.current().suggest("estimate_story", context, EstimateAdvice)

The built-in provider answers from rules over the context; the LLM provider asks an
OpenAI-compatible model and falls back to the rules (or fails) when it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

BUILTIN = "builtin"
# The answer of the built-in rules given in place of a model's that could not be used.
FALLBACK = "builtin:fallback"
LLM_PREFIX = "llm:"

Reason = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class Suggestion(BaseModel):
    """What every answer carries besides its own fields: who produced it and how sure
    it is, with the reasons."""

    model_config = ConfigDict(extra="ignore")

    provider: str = Field(
        default=BUILTIN,
        max_length=120,
        description="builtin, llm:<model>, or builtin:fallback when the model failed",
    )
    confidence: float = Field(ge=0, le=1, description="0 to 1")
    reasons: list[Reason] = Field(max_length=12, description="Why this confidence")


S = TypeVar("S", bound=Suggestion)


class Provider(Protocol):
    """Gives structured suggestions. `task` names the rule (built-in) or the instruction
    (model); `context` is all it may read; the answer is an instance of `schema`."""

    name: str

    async def suggest(self, task: str, context: BaseModel, schema: type[S]) -> S: ...


class UnknownTask(LookupError):
    """The built-in provider has no rule for this task."""


@dataclass(frozen=True)
class AiConfig:
    """How to reach a model. No model: the built-in rules answer."""

    base_url: str | None = None
    api_key: str | None = None
    model: str | None = None
    timeout_seconds: float = 30.0
    max_tokens: int = 1500
    # "builtin": a model that fails is replaced by the built-in rules (said in
    # `provider`); "error": the request fails with 502.
    fallback: str = "builtin"

    @property
    def uses_model(self) -> bool:
        return bool(self.model)


_current: Provider | None = None


def configure(config: AiConfig) -> Provider:
    """Pick the provider for this process from its settings."""
    global _current
    from services.ai.builtin import BuiltinProvider

    builtin = BuiltinProvider()
    if config.uses_model:
        from services.ai.llm import LlmProvider

        _current = LlmProvider(config, fallback=builtin if config.fallback == BUILTIN else None)
    else:
        _current = builtin
    return _current


def current() -> Provider:
    """The configured provider; the built-in rules until `configure` says otherwise."""
    global _current
    if _current is None:
        from services.ai.builtin import BuiltinProvider

        _current = BuiltinProvider()
    return _current


def use(provider: Provider | None) -> None:
    """Install a provider (tests); None goes back to the built-in rules."""
    global _current
    _current = provider
