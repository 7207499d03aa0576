"""A planning-poker room on `/poker`: its session, stories and people kept in step with
its events, and its commands."""

from __future__ import annotations

from typing import Any, ClassVar

from roundtable_client.events import Event
from roundtable_client.room import Room


class PokerRoom(Room):
    """`PokerRoom(url, token, code)`: a signed-in user (JWT or a personal access token
    with poker scopes) takes a seat when connecting; a guest connects with the token
    `POST /api/sessions/{code}/join` gave them."""

    namespace: ClassVar[str] = "/poker"

    def __init__(self, url: str, token: str, code: str, **options: Any) -> None:
        super().__init__(url, token, **options)
        self.code = code.upper()

    def auth(self) -> dict[str, Any]:
        return {"token": self.token, "code": self.code}

    # What the room holds

    @property
    def session(self) -> dict[str, Any]:
        session: dict[str, Any] = self._state()["session"]
        return session

    @property
    def stories(self) -> list[dict[str, Any]]:
        stories: list[dict[str, Any]] = self._state()["stories"]
        return stories

    @property
    def participants(self) -> list[dict[str, Any]]:
        people: list[dict[str, Any]] = self._state()["participants"]
        return people

    @property
    def me(self) -> dict[str, Any]:
        me: dict[str, Any] = self._state()["me"]
        return me

    @property
    def current_story(self) -> dict[str, Any] | None:
        current = self.session.get("current_story_id")
        return next((s for s in self.stories if s["id"] == current), None)

    def story(self, story_id: str) -> dict[str, Any] | None:
        return next((s for s in self.stories if s["id"] == story_id), None)

    def online(self) -> list[dict[str, Any]]:
        """Who is here now, from presence."""
        people: list[dict[str, Any]] = self.presence.get("participants", [])
        return people

    def _state(self) -> dict[str, Any]:
        if self.state is None:
            raise RuntimeError("Not connected yet: await connect() first")
        return self.state

    def apply(self, event: Event) -> None:
        if self.state is None:
            return
        d = event.data
        kind = event.type
        if kind in (
            "story_added",
            "story_started",
            "story_updated",
            "story_revealed",
            "round_restarted",
        ):
            self._put_story(d["story"])
            if kind == "story_started":
                self.session["current_story_id"] = d["story"]["id"]
        elif kind == "vote_cast":
            story = self.story(str(d["story_id"]))
            if story is not None and d["participant_id"] not in story["voted"]:
                story["voted"].append(d["participant_id"])
                story["votes_cast"] = d["votes_cast"]
        elif kind == "vote_retracted":
            story = self.story(str(d["story_id"]))
            if story is not None and d["participant_id"] in story["voted"]:
                story["voted"].remove(d["participant_id"])
                story["votes_cast"] = d["votes_cast"]
        elif kind == "participant_joined":
            joined = d["participant"]
            if all(p["id"] != joined["id"] for p in self.participants):
                self.participants.append(joined)
        elif kind == "participant_left":
            self.state["participants"] = [
                p for p in self.participants if p["id"] != d["participant_id"]
            ]
        elif kind == "session_updated":
            self.session.update({k: v for k, v in d["session"].items() if k != "current_story"})

    def _put_story(self, story: dict[str, Any]) -> None:
        for i, known in enumerate(self.stories):
            if known["id"] == story["id"]:
                self.stories[i] = story
                return
        self.stories.append(story)

    # Commands

    async def cast_vote(self, value: str, *, story_id: str | None = None) -> Any:
        payload: dict[str, Any] = {"value": value}
        if story_id is not None:
            payload["story_id"] = story_id
        return await self.command("cast_vote", payload)

    async def retract_vote(self) -> Any:
        return await self.command("retract_vote")

    async def reveal(self) -> Any:
        return await self.command("reveal")

    async def add_story(
        self, title: str, description: str = "", acceptance_criteria: str = ""
    ) -> Any:
        payload = {"title": title, "description": description}
        payload["acceptance_criteria"] = acceptance_criteria
        return await self.command("add_story", payload)

    async def start_story(self, story_id: str) -> Any:
        return await self.command("start_story", {"story_id": story_id})

    async def restart_round(self) -> Any:
        return await self.command("restart_round")

    async def start_timer(self, seconds: int) -> Any:
        return await self.command("start_timer", {"seconds": seconds})

    async def post_notice(self, text: str, *, to: list[int] | None = None) -> Any:
        """A notice to the room, or to the seats `to` names (moderator only)."""
        payload: dict[str, Any] = {"text": text}
        if to is not None:
            payload["to"] = to
        return await self.command("post_notice", payload)
