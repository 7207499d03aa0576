"""A typed client for Roundtable's live rooms, for bots and scripts.

    async with PokerRoom("http://127.0.0.1:8000", token, "ABC123") as room:
        room.on("story_started", lambda event: ...)
        await room.cast_vote("5")

Commands are awaitable methods that raise `CommandError` when the server refuses them.
Every change arrives as an `Event` in `seq` order: a gap, or a reconnect, is filled by
`sync` before your handlers see what came after it, so none is missed or seen twice.
"""

from roundtable_client.board import Board
from roundtable_client.errors import CommandError, ConnectRefused
from roundtable_client.events import Actor, Event
from roundtable_client.poker import PokerRoom
from roundtable_client.rest import Rest
from roundtable_client.room import Room

__all__ = [
    "Actor",
    "Board",
    "CommandError",
    "ConnectRefused",
    "Event",
    "PokerRoom",
    "Rest",
    "Room",
]
