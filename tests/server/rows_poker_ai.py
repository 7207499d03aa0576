"""The permission matrix's rows of the poker assistant and of changing a story's text.
The helpers read (poker:read); a story change is the moderator's (poker:write). A token
acts as the owner, so the owner's JWT shows what the scope, once held, opens."""

from __future__ import annotations

from services.poker.stories import add_story
from tests.factories import poker_room, user_actor
from tests.matrix import Req, World, scoped

POKER_READ, POKER_WRITE = "poker:read", "poker:write"
STORY_HELPERS = (
    "analyze-current-story",
    "improve-current-story",
    "generate-acceptance-criteria",
    "split-current-story",
    "estimate-assistant",
)


async def _room_with_story(w: World) -> tuple[str, str]:
    _, _, session = await poker_room(w.owner)
    story = await add_story(
        actor=user_actor(w.owner),
        code=session["code"],
        title="Pay by card and save the card",
        description="As a shopper, I want to pay by card so that I can finish my order.",
    )
    return str(session["code"]), str(story["id"])


async def current_story(w: World, caller: str) -> Req:
    code, _ = await _room_with_story(w)
    return Req({"code": code}, json={})


async def session(w: World, caller: str) -> Req:
    _, _, made = await poker_room(w.owner)
    return Req({"code": made["code"]}, json={})


async def goal(w: World, caller: str) -> Req:
    _, _, made = await poker_room(w.owner)
    return Req({"code": made["code"]}, json={"goal": "Customers can search and filter products"})


async def story_change(w: World, caller: str) -> Req:
    _, story_id = await _room_with_story(w)
    return Req({"story": story_id}, json={"title": "Pay by card"})


for helper in STORY_HELPERS:
    scoped("POST", f"/sessions/{{code}}/ai/{helper}", POKER_READ, 200, current_story)
scoped("POST", "/sessions/{code}/ai/summary", POKER_READ, 200, session)
scoped("POST", "/sessions/{code}/ai/estimation-report", POKER_READ, 200, session)
scoped("POST", "/sessions/{code}/ai/draft-stories", POKER_READ, 200, goal)
scoped("PATCH", "/stories/{story}", POKER_WRITE, 200, story_change)
