"""The typed shapes of what a room sends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    kind: str

    @classmethod
    def parse(cls, data: Any) -> Actor:
        data = data or {}
        return cls(str(data.get("id", "")), str(data.get("name", "")), str(data.get("kind", "")))


@dataclass(frozen=True)
class Event:
    """One logged change of a room: its place in the room's order, its type (snake_case
    past tense, such as `vote_cast` or `card_moved`), what changed, who did it and when."""

    seq: int
    type: str
    data: dict[str, Any]
    actor: Actor
    at: str

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Event:
        return cls(
            seq=int(raw["seq"]),
            type=str(raw["type"]),
            data=dict(raw.get("data") or {}),
            actor=Actor.parse(raw.get("actor")),
            at=str(raw.get("at", "")),
        )
