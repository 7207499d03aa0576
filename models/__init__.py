"""Tortoise tables and their migrations. No business rules live here."""

from models.accounts import ApiToken, User
from models.agents import Agent, AgentMission, AgentProposal, AgentStep
from models.automations import AutomationDueMark, AutomationRule, AutomationTrace
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
from models.documents import Document, DocumentVersion
from models.events import Room, RoomEvent
from models.integrations import StoryImport, StoryLink
from models.jobs import Job, JobSecret
from models.notifications import Notification
from models.orgs import Invitation, Organization, OrgMember, Workspace, WorkspaceMember
from models.pilotage import (
    ActionTrail,
    ActiveDoc,
    Decision,
    Mission,
    Priority,
    ProposedAction,
    Todo,
)
from models.poker import Folder, Participant, PokerSession, Story, Vote
from models.poker_workspace import PokerWorkspace, RoomTemplate
from models.webhooks import Webhook, WebhookDelivery
from models.wizard import ProjectDraft

__all__ = [
    "ActionTrail",
    "ActiveDoc",
    "Agent",
    "AgentMission",
    "AgentProposal",
    "AgentStep",
    "ApiToken",
    "Attachment",
    "AutomationDueMark",
    "AutomationRule",
    "AutomationTrace",
    "Card",
    "CardLabel",
    "CardRelation",
    "ChecklistItem",
    "Column",
    "Comment",
    "CustomField",
    "CustomFieldValue",
    "Decision",
    "Document",
    "DocumentVersion",
    "Folder",
    "Invitation",
    "Job",
    "JobSecret",
    "Label",
    "Mission",
    "Notification",
    "OrgMember",
    "Organization",
    "Participant",
    "PokerSession",
    "PokerWorkspace",
    "Priority",
    "Project",
    "ProjectDraft",
    "ProjectMember",
    "ProposedAction",
    "Room",
    "RoomEvent",
    "RoomTemplate",
    "Scope",
    "Story",
    "StoryImport",
    "StoryLink",
    "Todo",
    "User",
    "Vote",
    "Webhook",
    "WebhookDelivery",
    "Workspace",
    "WorkspaceMember",
]
