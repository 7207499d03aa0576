"""Who is on a board right now and which card each person is looking at or editing.

Ephemeral and never logged. One entry per person however many tabs they have open;
their focus is the one their most recent tab set.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

FocusMode = Literal["viewing", "editing"]

_tick = itertools.count(1)


@dataclass(frozen=True)
class Focus:
    card_id: str
    mode: FocusMode

    def wire(self) -> dict[str, Any]:
        return {"cardId": self.card_id, "mode": self.mode}


@dataclass
class _Person:
    name: str
    # sid -> (when it was set, focus or None)
    tabs: dict[str, tuple[int, Focus | None]] = field(default_factory=dict)

    def focus(self) -> Focus | None:
        latest = max(self.tabs.values(), key=lambda t: t[0], default=None)
        return latest[1] if latest else None


class BoardPresence:
    def __init__(self) -> None:
        self._rooms: dict[str, dict[uuid.UUID, _Person]] = {}

    def add(self, room: str, sid: str, user_id: uuid.UUID, name: str) -> None:
        person = self._rooms.setdefault(room, {}).setdefault(user_id, _Person(name=name))
        person.name = name
        person.tabs[sid] = (next(_tick), None)

    def remove(self, room: str, sid: str) -> None:
        people = self._rooms.get(room)
        if people is None:
            return
        for uid, person in list(people.items()):
            person.tabs.pop(sid, None)
            if not person.tabs:
                del people[uid]
        if not people:
            del self._rooms[room]

    def focus(self, room: str, sid: str, user_id: uuid.UUID, focus: Focus | None) -> bool:
        """Set what this tab looks at; False when the tab is not in the room."""
        person = self._rooms.get(room, {}).get(user_id)
        if person is None or sid not in person.tabs:
            return False
        person.tabs[sid] = (next(_tick), focus)
        return True

    def members(self, room: str) -> list[dict[str, Any]]:
        people = self._rooms.get(room, {})
        out = []
        for uid, person in people.items():
            focus = person.focus()
            out.append(
                {
                    "userId": str(uid),
                    "name": person.name,
                    "state": "online",
                    "focus": focus.wire() if focus else None,
                }
            )
        return sorted(out, key=lambda m: (m["name"].lower(), m["userId"]))

    def payload(self, room: str) -> dict[str, Any]:
        return {"members": self.members(room)}
