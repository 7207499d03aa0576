"""Tortoise tables and their migrations. No business rules live here."""

from models.accounts import ApiToken, User
from models.boards import (
    Attachment,
    Card,
    CardLabel,
    CardRelation,
    ChecklistItem,
    Column,
    Comment,
    CustomField,
    CustomFieldValue,
    Label,
    Project,
    ProjectMember,
    Scope,
)
from models.events import Room, RoomEvent
from models.notifications import Notification
from models.orgs import Invitation, Organization, OrgMember, Workspace, WorkspaceMember
from models.poker import Folder, Participant, PokerSession, Story, Vote

__all__ = [
    "ApiToken",
    "Attachment",
    "Card",
    "CardLabel",
    "CardRelation",
    "ChecklistItem",
    "Column",
    "Comment",
    "CustomField",
    "CustomFieldValue",
    "Folder",
    "Invitation",
    "Label",
    "Notification",
    "OrgMember",
    "Organization",
    "Participant",
    "PokerSession",
    "Project",
    "ProjectMember",
    "Room",
    "RoomEvent",
    "Scope",
    "Story",
    "User",
    "Vote",
    "Workspace",
    "WorkspaceMember",
]
