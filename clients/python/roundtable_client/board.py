"""A board on `/board`: its columns and cards kept in step with its events, and its
commands. Card changes take the card's `version`; a stale one raises a `CommandError`
with code `conflict` whose `details["current"]` is the card as it is now."""

from __future__ import annotations

from typing import Any, ClassVar

from roundtable_client.events import Event
from roundtable_client.room import Room


class Board(Room):
    """`Board(url, token, project_id)`: a project member's JWT or personal access token."""

    namespace: ClassVar[str] = "/board"

    def __init__(self, url: str, token: str, project_id: str, **options: Any) -> None:
        super().__init__(url, token, **options)
        self.project_id = project_id

    def auth(self) -> dict[str, Any]:
        return {"token": self.token, "project": self.project_id}

    @property
    def cards(self) -> dict[str, dict[str, Any]]:
        """The live cards by id."""
        if self.state is None:
            raise RuntimeError("Not connected yet: await connect() first")
        if "_cards" not in self.state:
            self.state["_cards"] = {c["id"]: c for c in self.state.get("cards", [])}
        cards: dict[str, dict[str, Any]] = self.state["_cards"]
        return cards

    @property
    def columns(self) -> list[dict[str, Any]]:
        if self.state is None:
            raise RuntimeError("Not connected yet: await connect() first")
        columns: list[dict[str, Any]] = self.state.get("columns", [])
        return columns

    def column_named(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.columns if c["name"] == name), None)

    def apply(self, event: Event) -> None:
        if self.state is None:
            return
        d = event.data
        kind = event.type
        if kind in ("card_created", "card_updated", "card_restored"):
            self.cards[d["card"]["id"]] = d["card"]
        elif kind == "card_moved":
            card = self.cards.get(d["cardId"])
            if card is not None:
                card.update(columnId=d["columnId"], position=d["position"], version=d["version"])
        elif kind == "card_archived":
            self.cards.pop(d["card"]["id"], None)
        elif kind == "card_deleted":
            self.cards.pop(d["cardId"], None)

    async def create_card(self, column_id: str, title: str, **fields: Any) -> Any:
        return await self.command("create_card", {"column_id": column_id, "title": title, **fields})

    async def update_card(self, card_id: str, version: int, **changes: Any) -> Any:
        return await self.command(
            "update_card", {"card_id": card_id, "version": version, **changes}
        )

    async def move_card(
        self,
        card_id: str,
        column_id: str,
        version: int,
        *,
        after_id: str | None = None,
        before_id: str | None = None,
    ) -> Any:
        payload = {"card_id": card_id, "column_id": column_id, "version": version}
        if after_id is not None:
            payload["after_id"] = after_id
        if before_id is not None:
            payload["before_id"] = before_id
        return await self.command("move_card", payload)

    async def delete_card(self, card_id: str) -> Any:
        return await self.command("delete_card", {"card_id": card_id})

    async def add_comment(self, card_id: str, content: str) -> Any:
        return await self.command("add_comment", {"card_id": card_id, "content": content})

    async def focus_card(self, card_id: str | None) -> Any:
        return await self.command("focus_card", {"card_id": card_id})
