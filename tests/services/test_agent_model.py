"""A mission with a model configured: tool calling over the agent's whitelist against a
small local chat-completions server. Reads run at once and go back to the model; its
changes become proposals."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from models import Agent, AgentMission, AgentProposal, AgentStep
from services import ai
from services.agents import missions
from services.ai.llm import LlmProvider
from services.ai.provider import AiConfig
from tests.agent_support import card, setup, work
from tests.factories import user_actor

pytestmark = pytest.mark.usefixtures("db")


class _Model(BaseHTTPRequestHandler):
    """Asks for the card, then for a checklist item, then answers."""

    seen: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        type(self).seen.append(body)
        messages = body["messages"]
        tool_turns = [m for m in messages if m["role"] == "tool"]
        user = messages[1]["content"]
        card_id = user.rsplit(" ", 1)[-1]
        if not tool_turns:
            call = ("get_card", {"project_id": self.server.project, "card_id": card_id})  # type: ignore[attr-defined]
        elif len(tool_turns) == 1:
            read = json.loads(tool_turns[0]["content"])
            title = read["card"]["title"]
            args = {"project_id": self.server.project, "card_id": card_id, "title": "Test " + title}  # type: ignore[attr-defined]
            call = ("add_checklist_item", args)
        else:
            call = None
        message: dict[str, Any] = {"role": "assistant", "content": None}
        if call is None:
            message["content"] = "Proposed a test item"
        else:
            message["tool_calls"] = [
                {
                    "id": f"call_{len(tool_turns)}",
                    "type": "function",
                    "function": {"name": call[0], "arguments": json.dumps(call[1])},
                }
            ]
        answer = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        }
        raw = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def model() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Model)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Model.seen = []
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    ai.use(LlmProvider(AiConfig(base_url=url, api_key="k", model="tiny")))
    yield server
    ai.use(None)
    server.shutdown()


async def test_a_model_plans_with_tool_calls_and_its_change_is_proposed(
    model: ThreadingHTTPServer,
) -> None:
    s = await setup()
    c = await card(s, "Sign in")
    model.project = str(c.project_id)  # type: ignore[attr-defined]
    agent = await Agent.create(
        workspace_id=s.board.workspace.id,
        name="Helper",
        slug="helper",
        tools=["get_card", "add_checklist_item"],
    )
    b = s.board
    made = await missions.start_mission(
        actor=user_actor(b.owner),
        org_slug=b.org.slug,
        ws_slug=b.workspace.slug,
        agent_id=agent.id,
        card_id=str(c.id),
        prompt=f"Add a test item to {c.id}",
    )
    await work()
    mission = await AgentMission.get(id=made["id"])
    assert mission.status == "awaiting_approval", mission.error
    offered = {t["function"]["name"] for t in _Model.seen[0]["tools"]}
    assert offered == {"get_card", "add_checklist_item"}
    assert _Model.seen[0]["model"] == "tiny"
    proposal = await AgentProposal.get(mission_id=mission.id)
    assert proposal.tool == "add_checklist_item"
    assert proposal.arguments["title"] == "Test Sign in"
    calls = await AgentStep.filter(mission_id=mission.id, kind="tool_call")
    assert [(c.data["tool"], c.data.get("ok")) for c in calls] == [("get_card", True)]
    notes = await AgentStep.filter(mission_id=mission.id, kind="step").values_list(
        "data", flat=True
    )
    assert any(n.get("message") == "Proposed a test item" for n in notes)  # type: ignore[union-attr]
