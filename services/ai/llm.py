"""The LLM provider: any OpenAI-compatible chat-completions server (OpenAI, Ollama,
vLLM, llama.cpp, LM Studio) through the official SDK. The answer must be JSON valid
against the caller's schema; an invalid one is asked for once more, then the built-in
rules answer in its place (said in `provider`) or the request fails with 502."""

from __future__ import annotations

import json
import re
from typing import Any

import openai
import structlog
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, ValidationError

from services.ai import builtin
from services.ai.provider import FALLBACK, LLM_PREFIX, AiConfig, Provider, S, UnknownTask
from services.errors import UpstreamFailed

SYSTEM = (
    "You help software teams prepare and estimate user stories in a planning-poker room. "
    "Answer with one JSON object and nothing else. It must be valid against this JSON "
    "Schema:\n{schema}\n"
    "Use only what the context says; do not invent numbers, people or features. "
    "confidence is a number from 0 to 1, and reasons say why, briefly."
)
RETRY = (
    "That answer could not be used: {error}. Answer again with only the JSON object, "
    "valid against the schema."
)
# The SDK needs a key even where the server wants none (Ollama, llama.cpp).
NO_KEY = "not-needed"
log = structlog.get_logger("roundtable.ai")
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class ModelFailed(Exception):
    """The model gave no usable answer; the message says why, for the caller."""


def answer_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The schema the model fills: the caller's, without `provider` (set here)."""
    shape = schema.model_json_schema()
    shape.get("properties", {}).pop("provider", None)
    if "provider" in shape.get("required", []):
        shape["required"].remove("provider")
    return shape


def parse(content: str | None, schema: type[S]) -> S:
    """The model's text as an instance of `schema`; ValueError says what is wrong."""
    if not content or not content.strip():
        raise ValueError("the answer was empty")
    fenced = _FENCE.match(content)
    text = fenced.group(1) if fenced else content
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    data.pop("provider", None)
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'object'}: {e['msg']}"
            for e in exc.errors()[:5]
        )
        raise ValueError(f"not valid against the schema ({problems})") from None


class LlmProvider:
    def __init__(
        self,
        config: AiConfig,
        *,
        fallback: Provider | None = None,
        client: AsyncOpenAI | None = None,
    ) -> None:
        self.config = config
        self.fallback = fallback
        self.name = LLM_PREFIX + (config.model or "")
        self.client = client or AsyncOpenAI(
            base_url=config.base_url or None,
            api_key=config.api_key or NO_KEY,
            timeout=config.timeout_seconds,
            # One try per call: a retry on invalid output is ours, a 429 falls back.
            max_retries=0,
        )

    async def suggest(self, task: str, context: BaseModel, schema: type[S]) -> S:
        try:
            made = await self._ask(task, context, schema)
        except ModelFailed as exc:
            log.warning("ai model failed", model=self.config.model, task=task, reason=str(exc))
            if self.fallback is None:
                raise UpstreamFailed(f"The AI model could not answer: {exc}") from None
            try:
                made = await self.fallback.suggest(task, context, schema)
            except UnknownTask:
                raise UpstreamFailed(f"The AI model could not answer: {exc}") from None
            made.provider = FALLBACK
            made.reasons = [
                f"The model's answer could not be used ({exc}); the built-in rules answered",
                *made.reasons,
            ][:12]
            return made
        made.provider = self.name
        return made

    async def _ask(self, task: str, context: BaseModel, schema: type[S]) -> S:
        shape = json.dumps(answer_schema(schema), separators=(",", ":"))
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": SYSTEM.format(schema=shape)},
            {
                "role": "user",
                "content": f"Task: {builtin.instruction(task) or task}\n\nContext (JSON):\n"
                + context.model_dump_json(),
            },
        ]
        for attempt in range(2):
            content = await self._complete(messages)
            try:
                return parse(content, schema)
            except ValueError as exc:
                if attempt:
                    raise ModelFailed(f"its answer was invalid twice: {exc}") from None
                messages += [
                    {"role": "assistant", "content": (content or "")[:4000]},
                    {"role": "user", "content": RETRY.format(error=exc)},
                ]
        raise ModelFailed("no answer")  # pragma: no cover

    async def _complete(self, messages: list[ChatCompletionMessageParam]) -> str | None:
        try:
            reply = await self.client.chat.completions.create(
                model=self.config.model or "",
                messages=messages,
                max_tokens=self.config.max_tokens,
                temperature=0.2,
                response_format={"type": "json_object"},
            )
        except openai.APITimeoutError:
            raise ModelFailed(f"no answer within {self.config.timeout_seconds:g} s") from None
        except openai.RateLimitError:
            raise ModelFailed("the model's server is busy (429)") from None
        except openai.APIStatusError as exc:
            raise ModelFailed(f"the model's server answered {exc.status_code}") from None
        except openai.APIConnectionError:
            raise ModelFailed("the model's server cannot be reached") from None
        except openai.OpenAIError as exc:
            raise ModelFailed(f"the model's server failed ({type(exc).__name__})") from None
        if not reply.choices:
            return None
        return reply.choices[0].message.content
