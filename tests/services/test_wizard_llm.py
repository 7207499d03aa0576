"""The wizard with a configured model, on the wire against a local chat-completions
server: the model phrases the questions and plans the roadmap that becomes the board;
an unusable answer (twice) leaves the built-in rules to plan, and says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from models import Column
from services.ai import provider as ai
from services.ai.builtin import BuiltinProvider
from services.ai.llm import LlmProvider
from services.ai.provider import AiConfig
from services.wizard import drafts
from tests.factories import create_board, user_actor
from tests.services.test_ai_llm import ChatServer, chat  # noqa: F401  (the local server)

DESCRIPTION = (
    "We want to help patients book appointments online so that the front desk spends "
    "less time on the phone.\n- Patients can see free slots\n- Staff can manage the calendar"
)
ANSWERS = {
    "success": "Phone calls to the front desk drop by 30% in three months",
    "deadline": "Live before the end of March, when the new clinic opens",
    "risks": "The SMS provider may be too expensive for the clinic",
}
QUESTIONS = {
    "confidence": 0.8,
    "reasons": ["The draft says nothing of budget"],
    "questions": [
        {"topic": "constraints", "question": "What budget do you have?", "hint": "Scope"}
    ],
}
ROADMAP = {
    "confidence": 0.8,
    "reasons": ["From the features"],
    "phases": [
        {
            "name": "Pilot",
            "description": "One clinic first",
            "deliverables": [
                {
                    "title": "Booking page for one clinic",
                    "description": "Patients book a free slot",
                    "acceptanceHints": ["Ten bookings in the first week"],
                }
            ],
        },
        {
            "name": "Rollout",
            "description": "Every clinic",
            "deliverables": [
                {"title": "All clinics", "description": "", "acceptanceHints": []},
            ],
        },
    ],
}


@pytest.fixture
def model(chat: ChatServer) -> Iterator[ChatServer]:  # noqa: F811
    config = AiConfig(base_url=chat.url, api_key="sk-test", model="tiny", timeout_seconds=5)
    ai.use(LlmProvider(config, fallback=BuiltinProvider()))
    yield chat
    ai.use(None)


async def _draft(board: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    where = {
        "actor": user_actor(board.owner),
        "org_slug": board.org.slug,
        "ws_slug": board.workspace.slug,
    }
    made = await drafts.create_draft(name="Clinic booking", description=DESCRIPTION, **where)
    return made, where


async def test_the_model_asks_and_plans_the_board(db: str, model: ChatServer) -> None:
    board = await create_board()
    model.replies = [json.dumps(QUESTIONS), json.dumps(QUESTIONS), json.dumps(ROADMAP)]
    made, where = await _draft(board)
    assert made["engine"] == "llm:tiny"
    assert made["questions"] == QUESTIONS["questions"]
    refined = await drafts.refine(draft_id=made["id"], answers=ANSWERS, **where)
    assert refined["ready"]
    planned = await drafts.generate_roadmap(draft_id=made["id"], **where)
    assert planned["engine"] == "llm:tiny"
    assert [p["name"] for p in planned["roadmap"]["phases"]] == ["Pilot", "Rollout"]
    # The model read the draft: its name, description and answers, nothing else.
    context = json.loads(model.requests[-1]["messages"][1]["content"].split("(JSON):\n", 1)[1])
    assert context["name"] == "Clinic booking" and context["answers"] == ANSWERS
    executed = await drafts.execute(draft_id=made["id"], **where)
    columns = await Column.filter(project_id=executed["project"]["id"]).order_by("order")
    assert [c.name for c in columns] == ["Pilot", "Rollout"]


async def test_an_unusable_plan_falls_back_to_the_rules(db: str, model: ChatServer) -> None:
    board = await create_board()
    broken = json.loads(json.dumps(ROADMAP))
    broken["phases"][0]["name"] = "Pilot\u0000"
    model.replies = [json.dumps(QUESTIONS), json.dumps(QUESTIONS), "no", json.dumps(broken)]
    made, where = await _draft(board)
    await drafts.refine(draft_id=made["id"], answers=ANSWERS, **where)
    planned = await drafts.generate_roadmap(draft_id=made["id"], **where)
    assert planned["engine"] == "builtin:fallback"
    assert [p["name"] for p in planned["roadmap"]["phases"]] == ["Discovery", "Build", "Launch"]
