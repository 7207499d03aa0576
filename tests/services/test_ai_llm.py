"""The LLM provider on the wire, against a small chat-completions server started here:
a valid answer, an invalid one asked for again, a timeout and a 429, each falling back
to the built-in rules (said in `provider`) or failing with 502 when told to."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from services.ai.builtin import BuiltinProvider
from services.ai.llm import LlmProvider
from services.ai.poker_rules import CRITERIA, ESTIMATE
from services.ai.poker_schemas import AcceptanceCriteria, EstimateAdvice, StoryContext, StoryText
from services.ai.provider import AiConfig
from services.errors import UpstreamFailed

CONTEXT = StoryContext(
    story=StoryText(
        title="Password reset by email",
        description="As a user who forgot the password, I want a reset link so that I can "
        "sign in again.",
        acceptance_criteria="- The link expires after an hour\n- A used link is refused",
    ),
    status="voting",
    deck=["1", "2", "3", "5", "8", "13", "?", "coffee"],
)
CRITERIA_ANSWER = {
    "confidence": 0.7,
    "reasons": ["From the story's criteria lines"],
    "criteria": [
        {
            "given": "I asked for a reset link",
            "when": "I open it after an hour",
            "then": "it is refused",
        }
    ],
    "acceptance_criteria": "- Given I asked for a reset link, when I open it after an hour, "
    "then it is refused",
}


@dataclass
class ChatServer:
    """Answers POST /v1/chat/completions with the scripted replies, in order: a string is
    the assistant's content, an int a bare HTTP status, a float a delay before the next."""

    replies: list[Any] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    async def complete(self, request: web.Request) -> web.Response:
        self.requests.append(await request.json())
        reply = self.replies.pop(0)
        if isinstance(reply, float):
            await asyncio.sleep(reply)
            reply = self.replies.pop(0)
        if isinstance(reply, int):
            return web.json_response({"error": {"message": "slow down"}}, status=reply)
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": 1700000000,
                "model": "tiny",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
        )


@pytest.fixture
async def chat() -> AsyncIterator[ChatServer]:
    server = ChatServer()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", server.complete)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}/v1"
    try:
        yield server
    finally:
        await runner.cleanup()


def _provider(chat: ChatServer, *, fallback: bool = True, timeout: float = 5) -> LlmProvider:
    config = AiConfig(
        base_url=chat.url, api_key="sk-test", model="tiny", timeout_seconds=timeout, max_tokens=300
    )
    return LlmProvider(config, fallback=BuiltinProvider() if fallback else None)


async def test_a_valid_answer_is_validated_and_named_after_the_model(chat: ChatServer) -> None:
    chat.replies = [json.dumps(CRITERIA_ANSWER)]
    made = await _provider(chat).suggest(CRITERIA, CONTEXT, AcceptanceCriteria)
    assert made.provider == "llm:tiny"
    assert made.criteria[0].then == "it is refused"
    [sent] = chat.requests
    assert sent["model"] == "tiny" and sent["max_tokens"] == 300
    assert sent["response_format"] == {"type": "json_object"}
    system, user = sent["messages"]
    schema = json.loads(system["content"].split("JSON Schema:\n", 1)[1].split("\n", 1)[0])
    assert "provider" not in schema["properties"] and "criteria" in schema["required"]
    assert "Given/When/Then" in user["content"]
    assert user["content"].endswith(CONTEXT.model_dump_json())


async def test_an_answer_in_a_code_fence_is_read(chat: ChatServer) -> None:
    chat.replies = ["```json\n" + json.dumps(CRITERIA_ANSWER) + "\n```"]
    made = await _provider(chat).suggest(CRITERIA, CONTEXT, AcceptanceCriteria)
    assert made.provider == "llm:tiny"


async def test_an_invalid_answer_is_asked_for_once_more(chat: ChatServer) -> None:
    chat.replies = ["Sure! Here are your criteria: …", json.dumps(CRITERIA_ANSWER)]
    made = await _provider(chat).suggest(CRITERIA, CONTEXT, AcceptanceCriteria)
    assert made.provider == "llm:tiny"
    first, second = chat.requests
    assert second["messages"][:2] == first["messages"]
    assert second["messages"][2] == {
        "role": "assistant",
        "content": "Sure! Here are your criteria: …",
    }
    assert second["messages"][3]["content"].startswith("That answer could not be used: not JSON")


async def test_an_answer_off_the_schema_twice_falls_back_to_the_rules(chat: ChatServer) -> None:
    off_schema = json.dumps(CRITERIA_ANSWER | {"confidence": 3})
    chat.replies = [off_schema, off_schema]
    made = await _provider(chat).suggest(CRITERIA, CONTEXT, AcceptanceCriteria)
    assert made.provider == "builtin:fallback"
    assert made.reasons[0].startswith(
        "The model's answer could not be used (its answer was "
        "invalid twice: not valid against the schema (confidence"
    )
    # The rules' own answer follows: criteria from the story's lines.
    assert [c.then for c in made.criteria] == [
        "the link expires after an hour",
        "a used link is refused",
    ]


async def test_a_timeout_falls_back(chat: ChatServer) -> None:
    chat.replies = [2.0, json.dumps(CRITERIA_ANSWER)]
    made = await _provider(chat, timeout=0.3).suggest(CRITERIA, CONTEXT, AcceptanceCriteria)
    assert made.provider == "builtin:fallback"
    assert "no answer within 0.3 s" in made.reasons[0]
    assert len(chat.requests) == 1


async def test_a_429_falls_back_or_fails_when_told_to(chat: ChatServer) -> None:
    chat.replies = [429]
    made = await _provider(chat).suggest(ESTIMATE, CONTEXT, EstimateAdvice)
    assert made.provider == "builtin:fallback"
    assert "busy (429)" in made.reasons[0]
    assert len(chat.requests) == 1

    chat.replies = [429]
    with pytest.raises(UpstreamFailed) as refused:
        await _provider(chat, fallback=False).suggest(ESTIMATE, CONTEXT, EstimateAdvice)
    assert refused.value.status == 502
    assert (
        refused.value.message == "The AI model could not answer: the model's server is busy (429)"
    )


async def test_an_unknown_task_with_a_failing_model_is_a_502(chat: ChatServer) -> None:
    chat.replies = [500]
    with pytest.raises(UpstreamFailed):
        await _provider(chat).suggest("plan_a_party", CONTEXT, AcceptanceCriteria)


def test_the_settings_pick_the_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    from server.config import Settings
    from services import ai

    for name in ("AI_MODEL", "AI_BASE_URL", "AI_API_KEY", "AI_MAX_TOKENS", "AI_FALLBACK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    plain = Settings.from_env()
    assert (plain.ai_model, plain.ai_fallback, plain.ai_max_tokens) == (None, "builtin", 1500)
    try:
        assert ai.configure(AiConfig()).name == "builtin"
        monkeypatch.setenv("AI_MODEL", "llama3.1:8b")
        monkeypatch.setenv("AI_BASE_URL", "http://localhost:11434/v1")
        monkeypatch.setenv("AI_FALLBACK", "error")
        chosen = Settings.from_env()
        provider = ai.configure(
            AiConfig(base_url=chosen.ai_base_url, model=chosen.ai_model, fallback="error")
        )
        assert isinstance(provider, LlmProvider) and provider.fallback is None
        assert provider.name == "llm:llama3.1:8b" and ai.current() is provider
    finally:
        ai.use(None)
    for name, value, message in (
        ("AI_MAX_TOKENS", "lots", "AI_MAX_TOKENS must be a whole number"),
        ("AI_FALLBACK", "maybe", "AI_FALLBACK must be 'builtin' or 'error'"),
        ("AI_TIMEOUT_SECONDS", "0", "AI_TIMEOUT_SECONDS must be between"),
    ):
        monkeypatch.setenv(name, value)
        with pytest.raises(SystemExit, match=message):
            Settings.from_env()
        monkeypatch.delenv(name)
    monkeypatch.delenv("AI_MODEL")
    with pytest.raises(SystemExit, match="AI_BASE_URL and AI_API_KEY need AI_MODEL"):
        Settings.from_env()
