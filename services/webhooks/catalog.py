"""Which committed facts a webhook can subscribe to, under which event names."""

from __future__ import annotations

from typing import Any

from services.events import Event, Fact, SessionCreated

POKER_EVENTS = (
    "session_created",
    "session_updated",
    "session_archived",
    "story_added",
    "story_updated",
    "story_revealed",
    "participant_joined",
    "round_restarted",
)
BOARD_EVENTS = (
    "card_created",
    "card_moved",
    "card_updated",
    "card_deleted",
    "comment_added",
)
EVENTS: tuple[str, ...] = POKER_EVENTS + BOARD_EVENTS

# Room event types that reach webhooks under another name: archiving and restoring a
# card are updates of it, as its `archived` field says.
_RENAMED = {"card_archived": "card_updated", "card_restored": "card_updated"}
POKER_PREFIX, BOARD_PREFIX = "poker:", "board:"


def event_name(fact: Fact) -> str | None:
    """The webhook event `fact` is, or None when no webhook can subscribe to it."""
    if isinstance(fact, SessionCreated):
        return "session_created"
    if not isinstance(fact, Event):
        return None
    name = _RENAMED.get(fact.type, fact.type)
    if fact.room.startswith(POKER_PREFIX):
        if name == "session_updated" and _archived(fact.data):
            return "session_archived"
        return name if name in POKER_EVENTS else None
    if fact.room.startswith(BOARD_PREFIX):
        return name if name in BOARD_EVENTS else None
    return None


def _archived(data: dict[str, Any]) -> bool:
    session = data.get("session")
    return isinstance(session, dict) and session.get("status") == "archived"
