"""The room's assistant over REST: each helper's answer on real stories, accepting a
suggestion through the ordinary endpoints, who may ask, every kind of bad input, and
vote values that stay hidden until the reveal, from the answer and from the provider."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from models import RoomEvent
from server.api.poker_ai_schemas import (
    AnalysisResponse,
    CriteriaResponse,
    DraftsResponse,
    EstimateResponse,
    ImprovementResponse,
    ReportResponse,
    SplitResponse,
    SummaryResponse,
)
from services import ai
from services.ai.builtin import BuiltinProvider
from services.ai.llm import LlmProvider
from services.ai.provider import AiConfig, S
from tests.factories import bearer, user_with_headers
from tests.server.test_poker_analytics_api import Headers, Room, _pat
from tests.services.test_ai_llm import ChatServer, chat  # noqa: F401  (the fixture)

CHECKOUT = {
    "title": "Pay by card and save the card for later",
    "description": (
        "As a shopper, I want to pay by card at checkout so that I can finish my order "
        "quickly. It should be fast and easy, with Visa, Mastercard etc."
    ),
    "acceptance_criteria": (
        "- A valid card is charged and the order is confirmed\n"
        "- A declined card shows the bank's reason\n"
        "- A saved card is offered at the next checkout"
    ),
}
STORY_HELPERS = {
    "analyze-current-story": AnalysisResponse,
    "improve-current-story": ImprovementResponse,
    "generate-acceptance-criteria": CriteriaResponse,
    "split-current-story": SplitResponse,
    "estimate-assistant": EstimateResponse,
}
SESSION_HELPERS = {"summary": SummaryResponse, "estimation-report": ReportResponse}
ALL = [*STORY_HELPERS, *SESSION_HELPERS, "draft-stories"]


@pytest.fixture(autouse=True)
def builtin_rules() -> Iterator[None]:
    ai.use(BuiltinProvider())
    yield
    ai.use(BuiltinProvider())


class Assisted(Room):
    async def add(self, story: dict[str, str]) -> str:
        res = await self.client.post(
            f"/api/sessions/{self.code}/stories", json=story, headers=self.headers
        )
        assert res.status_code == 201, res.text
        return str(res.json()["story"]["id"])

    async def ask(
        self, helper: str, body: Any = None, headers: Headers | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"/api/sessions/{self.code}/ai/{helper}",
            json={} if body is None else body,
            headers=self.headers if headers is None else headers,
        )

    async def stories(self) -> list[dict[str, Any]]:
        res = await self.client.get(f"/api/sessions/{self.code}/stories", headers=self.headers)
        return list(res.json()["stories"])


async def _room(client: httpx.AsyncClient, **options: Any) -> Assisted:
    owner, headers = await user_with_headers(name="Olivia")
    room = Assisted(client, owner, headers)
    await room.open(**options)
    return room


def _described(model: type[BaseModel], body: dict[str, Any]) -> dict[str, Any]:
    """The response model documents every field sent; the suggestion part of it."""
    assert model.model_validate(body).model_dump(mode="json") == body
    assert body["success"] is True
    suggestion: dict[str, Any] = body["suggestion"]
    assert suggestion["provider"] == "builtin"
    assert 0 <= suggestion["confidence"] <= 1 and suggestion["reasons"]
    return suggestion


async def test_every_helper_answers_on_the_current_story_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    room = await _room(client)
    story_id = await room.add(CHECKOUT)
    before = await room.stories()
    for helper, model in STORY_HELPERS.items():
        res = await room.ask(helper)
        assert res.status_code == 200, (helper, res.text)
        _described(model, res.json())
        assert res.json()["story"] == {"id": story_id, "title": CHECKOUT["title"]}
    for helper, model in SESSION_HELPERS.items():
        res = await room.ask(helper)
        assert res.status_code == 200, (helper, res.text)
        _described(model, res.json())
    assert await room.stories() == before


async def test_analysis_names_the_story_s_issues(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    await room.add({"title": "Make search fast and easy"})
    found = _described(AnalysisResponse, (await room.ask("analyze-current-story")).json())
    codes = {i["code"] for i in found["issues"]}
    assert {"no_user_role", "no_acceptance_criteria", "several_ands", "vague_words"} <= codes
    assert found["ready"] is False
    testable = next(c for c in found["invest"] if c["criterion"] == "testable")
    assert testable["ok"] is False


async def test_drafted_stories_are_accepted_through_add_story(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    await room.add({"title": "Refund an order"})
    notes = (
        "Customers pay by card at checkout\n"
        "Admins refund an order\n"
        "Order history: past orders, invoices, reorder button\n"
    )
    res = await room.ask("draft-stories", {"goal": "Self-service checkout", "notes": notes})
    found = _described(DraftsResponse, res.json())
    titles = [d["story"]["title"] for d in found["drafts"]]
    assert titles == ["Pay by card at checkout", "Order history"]
    assert found["skipped"] == ["Refund an order"]
    history = found["drafts"][1]["story"]
    assert history["acceptance_criteria"] == "- Past orders\n- Invoices\n- Reorder button"
    assert history["description"].startswith("As a customer, I want order history.")
    for draft in found["drafts"]:
        await room.add(draft["story"])
    assert [s["title"] for s in await room.stories()] == ["Refund an order", *titles]


async def test_drafts_from_a_goal_alone_split_along_its_conjunctions(
    client: httpx.AsyncClient,
) -> None:
    room = await _room(client)
    res = await room.ask(
        "draft-stories",
        {"goal": "Customers can search, filter and save products to a wishlist", "max_stories": 2},
    )
    found = _described(DraftsResponse, res.json())
    assert [d["story"]["title"] for d in found["drafts"]] == ["Search products", "Filter products"]


async def test_improved_text_and_criteria_are_accepted_by_changing_the_story(
    client: httpx.AsyncClient,
) -> None:
    room = await _room(client)
    story_id = await room.add({"title": "export invoices as PDF."})
    improved = _described(ImprovementResponse, (await room.ask("improve-current-story")).json())
    proposed = improved["proposed"]
    assert improved["changed"] is True
    assert proposed["title"] == "Export invoices as PDF"
    assert proposed["description"].startswith("As a user, I want to export invoices as PDF.")
    res = await client.patch(f"/api/stories/{story_id}", json=proposed, headers=room.headers)
    assert res.status_code == 200, res.text
    assert {k: res.json()["story"][k] for k in proposed} == proposed

    criteria = _described(CriteriaResponse, (await room.ask("generate-acceptance-criteria")).json())
    text = criteria["acceptance_criteria"]
    assert text.startswith("- Given I am a user, when I export invoices as PDF, then ")
    res = await client.patch(
        f"/api/stories/{story_id}", json={"acceptance_criteria": text}, headers=room.headers
    )
    assert res.status_code == 200 and res.json()["story"]["acceptance_criteria"] == text


async def test_a_story_change_needs_the_moderator_and_a_field(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    story_id = await room.add({"title": "Login"})
    url = f"/api/stories/{story_id}"
    res = await client.patch(url, json={"title": "Sign in"}, headers=room.guests["Alice"])
    assert res.status_code == 403 and res.json()["success"] is False
    for body in ({}, {"title": "   "}, {"title": None}, {"votes": 3}, {"title": "x" * 501}):
        res = await client.patch(url, json=body, headers=room.headers)
        assert res.status_code == 422, (body, res.text)
        assert res.json()["success"] is False
    res = await client.patch(
        "/api/stories/00000000-0000-0000-0000-000000000000",
        json={"title": "x"},
        headers=room.headers,
    )
    assert res.status_code == 404
    res = await client.patch("/api/stories/not-a-uuid", json={"title": "x"}, headers=room.headers)
    assert res.status_code == 404


async def test_a_split_follows_the_title_s_conjunctions(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    await room.add(CHECKOUT)
    found = _described(SplitResponse, (await room.ask("split-current-story")).json())
    assert found["strategy"] == "conjunctions"
    assert [p["title"] for p in found["parts"]] == ["Pay by card", "Save the card for later"]
    assert [p["acceptance_criteria"].splitlines() for p in found["parts"]] == [
        [
            "- A valid card is charged and the order is confirmed",
            "- A declined card shows the bank's reason",
        ],
        ["- A saved card is offered at the next checkout"],
    ]


class Recording:
    """A provider that keeps what it was given, and answers with the built-in rules."""

    name = "recording"

    def __init__(self) -> None:
        self.contexts: list[BaseModel] = []

    async def suggest(self, task: str, context: BaseModel, schema: type[S]) -> S:
        self.contexts.append(context)
        return await BuiltinProvider().suggest(task, context, schema)


async def test_values_stay_hidden_until_the_reveal(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    story_id = await room.add({"title": "Bulk import of contacts from a spreadsheet"})
    await room.vote({"Alice": "13", "Bob": "40", "Cara": "13"})
    recording = Recording()
    ai.use(recording)
    for helper in ALL:
        body = {"goal": "Contacts"} if helper == "draft-stories" else {}
        res = await room.ask(helper, body)
        assert res.status_code == 200, res.text
        assert '"40"' not in res.text
    advice = (await room.ask("estimate-assistant")).json()["suggestion"]
    assert advice["votes_considered"] is False
    assert (advice["low"], advice["likely"], advice["high"], advice["basis"]) == (
        None,
        None,
        None,
        "none",
    )
    for context in recording.contexts:
        seen = context.model_dump()
        seen.pop("deck", None)
        seen.get("analytics", {}).pop("deck", None)
        assert '"40"' not in json.dumps(seen) and seen.get("revealed") is None

    await room.reveal(story_id)
    advice = (await room.ask("estimate-assistant")).json()["suggestion"]
    assert advice["votes_considered"] is True and advice["basis"] == "votes"
    assert (advice["low"], advice["likely"], advice["high"]) == ("13", "13", "40")


async def test_the_estimate_draws_on_similar_earlier_stories(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    for title, value in (
        ("Export invoices as PDF", "8"),
        ("Export the invoice list as CSV", "5"),
        ("Dark mode for the dashboard", "2"),
    ):
        story_id = await room.add({"title": title})
        started = await client.post(f"/api/stories/{story_id}/start", headers=room.headers)
        assert started.status_code == 200
        await room.vote({"Alice": value, "Bob": value})
        await room.reveal(story_id)
    current = await room.add({"title": "Export credit notes as PDF"})
    await client.post(f"/api/stories/{current}/start", headers=room.headers)
    advice = _described(EstimateResponse, (await room.ask("estimate-assistant")).json())
    assert advice["basis"] == "similar_stories"
    assert [s["title"] for s in advice["similar"]][:1] == ["Export invoices as PDF"]
    assert (advice["low"], advice["likely"], advice["high"]) == ("5", "8", "8")


async def test_summary_and_report_read_the_session_s_numbers(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    await room.story("Login", {"Alice": "5", "Bob": "5", "Cara": "5"})
    await room.story("Checkout", {"Alice": "3", "Bob": "3", "Cara": "13"})
    search = await room.story("Search", {"Alice": "1", "Bob": "8"})
    await room.revote(search, {"Alice": "3", "Bob": "3", "Cara": "3"})
    await room.add({"title": "Wishlist"})

    summary = _described(SummaryResponse, (await room.ask("summary")).json())
    assert summary["headline"].startswith("3 of 4 stories estimated")
    assert any("Checkout" in a and "13" in a for a in summary["attention"])
    assert any("'Wishlist'" in n for n in summary["next_steps"])

    report = _described(ReportResponse, (await room.ask("estimation-report")).json())
    assert report["accuracy"]["estimated"] == 3 and report["accuracy"]["consensus"] == 2
    assert report["revoted"] == [{"title": "Search", "rounds": 2, "estimates": ["8", "3"]}]
    assert report["outliers"] == [{"title": "Checkout", "final_estimate": "3", "values": ["13"]}]
    assert any("re-vote" in r for r in report["recommendations"])


async def test_who_may_ask(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    await room.add(CHECKOUT)
    stranger = (await user_with_headers())[1]
    _, member_headers = await user_with_headers(name="Mia")
    joined = await client.post(f"/api/sessions/{room.code}/join", json={}, headers=member_headers)
    assert joined.status_code == 200
    read_only = await _pat(room.owner, "poker:read")
    write_only = await _pat(room.owner, "poker:write")
    for helper in ALL:
        body = {"goal": "Checkout"} if helper == "draft-stories" else {}
        for headers, status in (
            (room.headers, 200),
            (member_headers, 200),
            (read_only, 200),
            (write_only, 403),
            (stranger, 403),
            (room.guests["Alice"], 403),
            ({}, 401),
            (bearer("rtp_not-a-token"), 401),
        ):
            res = await room.ask(helper, body, headers=headers)
            assert res.status_code == status, (helper, status, res.text)
            if status != 200:
                assert res.json()["success"] is False and res.json()["message"]
        for code in ("ZZZZZZ", "nope"):
            res = await client.post(
                f"/api/sessions/{code}/ai/{helper}", json=body, headers=room.headers
            )
            assert res.status_code == 404, res.text


async def test_bad_input_is_a_clear_refusal(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    await room.add(CHECKOUT)
    url = f"/api/sessions/{room.code}/ai/"
    for helper in ALL:
        for raw, status in (("{", 400), ("[]", 422), ('"x"', 422), ('{"extra": 1}', 422)):
            res = await client.post(
                url + helper,
                content=raw,
                headers=room.headers | {"content-type": "application/json"},
            )
            assert res.status_code == status, (helper, raw, res.text)
            assert res.json()["success"] is False
    for body in (
        {},
        {"goal": ""},
        {"goal": "   "},
        {"goal": None},
        {"notes": "x" * 20001},
        {"goal": "a\x00b"},
        {"goal": "Checkout", "max_stories": 0},
        {"goal": "Checkout", "max_stories": 11},
        {"goal": "Checkout", "max_stories": "3"},
        {"goal": "Checkout", "max_stories": 2.5},
        {"goal": "Checkout", "count": 3},
    ):
        res = await room.ask("draft-stories", body)
        assert res.status_code == 422, (body, res.text)
        assert res.json()["success"] is False and res.json()["errors"]
    res = await room.ask("draft-stories", {"goal": "Checkout", "max_stories": 3.0})
    assert res.status_code == 200


async def test_story_helpers_need_a_current_story(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    for helper in STORY_HELPERS:
        res = await room.ask(helper)
        assert res.status_code == 409, res.text
        assert res.json()["message"].startswith("There is no current story")
    for helper in SESSION_HELPERS:
        assert (await room.ask(helper)).status_code == 200


async def test_a_model_that_cannot_be_reached(client: httpx.AsyncClient) -> None:
    """The built-in rules answer in its place, and say so; or, configured to, a 502."""
    room = await _room(client)
    await room.add(CHECKOUT)
    config = AiConfig(base_url="http://127.0.0.1:9/v1", model="tiny", timeout_seconds=2)
    ai.use(LlmProvider(config, fallback=BuiltinProvider()))
    res = await room.ask("generate-acceptance-criteria")
    assert res.status_code == 200, res.text
    found = res.json()["suggestion"]
    assert found["provider"] == "builtin:fallback"
    assert "cannot be reached" in found["reasons"][0]
    ai.use(LlmProvider(config, fallback=None))
    res = await room.ask("summary")
    assert res.status_code == 502
    assert res.json() == {
        "success": False,
        "code": "upstream",
        "message": "The AI model could not answer: the model's server cannot be reached",
    }


async def test_a_story_change_is_heard_once_and_only_in_an_open_room(
    client: httpx.AsyncClient,
) -> None:
    room = await _room(client)
    story_id = await room.add({"title": "Login"})
    url = f"/api/stories/{story_id}"
    await room.vote({"Alice": "5"})

    def logged() -> Any:
        return RoomEvent.filter(room=f"poker:{room.code}", type="story_updated").order_by("seq")

    res = await client.patch(url, json={"title": "Sign in"}, headers=room.headers)
    assert res.status_code == 200 and res.json()["story"]["voted"] == [room.seats["Alice"]]
    res = await client.patch(url, json={"title": "Sign in"}, headers=room.headers)
    assert res.status_code == 200
    [event] = await logged()
    assert event.data["changed"] == ["title"] and event.data["story"]["title"] == "Sign in"
    assert event.data["story"]["votes"] is None

    paused = await client.patch(
        f"/api/sessions/{room.code}", json={"status": "archived"}, headers=room.headers
    )
    assert paused.status_code == 200
    res = await client.patch(url, json={"title": "Log in"}, headers=room.headers)
    assert res.status_code == 409 and res.json()["message"] == "This session is archived"
    assert len(await logged()) == 1


async def test_a_model_s_answer_keeps_the_session_s_facts_and_the_deck(
    client: httpx.AsyncClient,
    chat: ChatServer,  # noqa: F811
) -> None:
    """A model words the report and suggests cards; the figures stay the session's own
    and a card that is not in the deck is dropped."""
    room = await _room(client)
    await room.story("Login", {"Alice": "5", "Bob": "5"})
    ai.use(LlmProvider(AiConfig(base_url=chat.url, model="tiny"), fallback=BuiltinProvider()))
    made_up = {"estimated": 40, "consensus": 40, "consensus_rate": 100}
    chat.replies = [
        json.dumps(
            {
                "confidence": 0.8,
                "reasons": ["One story, full agreement"],
                "accuracy": made_up | {"average_agreement": 100, "low_agreement": 0},
                "revoted": [],
                "outliers": [],
                "recommendations": ["Keep refining stories this way"],
            }
        )
    ]
    report = (await room.ask("estimation-report")).json()["suggestion"]
    assert report["provider"] == "llm:tiny"
    assert report["recommendations"] == ["Keep refining stories this way"]
    assert report["accuracy"]["estimated"] == 1 and report["accuracy"]["consensus"] == 1
    assert chat.requests[0]["messages"][1]["content"].count('"final_estimate":"5"') >= 1

    await room.add({"title": "Checkout"})
    await client.post(
        f"/api/stories/{(await room.stories())[-1]['id']}/start", headers=room.headers
    )
    chat.replies = [
        json.dumps(
            {
                "confidence": 0.5,
                "reasons": ["A guess"],
                "low": "4",
                "likely": "5",
                "high": "7",
                "basis": "similar_stories",
                "votes_considered": True,
                "similar": [],
            }
        )
    ]
    advice = (await room.ask("estimate-assistant")).json()["suggestion"]
    assert (advice["low"], advice["likely"], advice["high"]) == (None, "5", None)
    assert advice["votes_considered"] is False
