"""Tortoise tables and their migrations. No business rules live here."""

from models.accounts import ApiToken, User
from models.events import Room, RoomEvent
from models.poker import Folder, Participant, PokerSession, Story, Vote

__all__ = [
    "ApiToken",
    "Folder",
    "Participant",
    "PokerSession",
    "Room",
    "RoomEvent",
    "Story",
    "User",
    "Vote",
]
