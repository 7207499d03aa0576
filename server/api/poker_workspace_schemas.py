"""Request and response schemas of the poker workspace: team defaults and room templates.

The settings fields take the names, types and limits of a session's own (see
poker_schemas.py), so a value a session accepts is one a default or a template accepts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints

from server.api.poker_schemas import (
    Deck,
    DeckName,
    Envelope,
    Id,
    LongText,
    SessionName,
    StoryCreate,
    TimerSeconds,
    VotingSystem,
    unchanged,
)
from server.api.schemas import Input, NoNul, Output
from services.poker.templates import MAX_STORIES, NAME_MAX

TemplateName = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX), NoNul]
_FROM_WORKSPACE = "Left out: your workspace default of this moment"
_FROM_TEMPLATE = "Left out: the template's"


class RoomSettingsUpdate(Input):
    """Only the fields sent change. `custom_deck_values` needs a custom deck (sent, or
    already chosen); null clears the deck's name."""

    voting_system: VotingSystem = unchanged()
    custom_deck_name: DeckName | None = None
    custom_deck_values: Deck | None = unchanged("2 to 30 unique cards")
    record_vote_names: StrictBool = unchanged()
    async_voting_enabled: StrictBool = unchanged()
    auto_reveal: StrictBool = unchanged()
    timer_seconds: TimerSeconds = unchanged("What the room's timer offers to run, in seconds")


WorkspaceUpdate = RoomSettingsUpdate


class TemplateStory(StoryCreate):
    """A story a room made from the template starts with."""


Stories = Annotated[list[TemplateStory], Field(max_length=MAX_STORIES)]


class TemplateCreate(Input):
    name: TemplateName = Field(description="Unique among your templates")
    description: LongText = Field(default="", description="The new room's description")
    voting_system: VotingSystem = unchanged(_FROM_WORKSPACE)
    custom_deck_name: DeckName | None = unchanged(_FROM_WORKSPACE)
    custom_deck_values: Deck | None = unchanged("2 to 30 unique cards, for a custom deck")
    record_vote_names: StrictBool = unchanged(_FROM_WORKSPACE)
    async_voting_enabled: StrictBool = unchanged(_FROM_WORKSPACE)
    auto_reveal: StrictBool = unchanged(_FROM_WORKSPACE)
    timer_seconds: TimerSeconds = unchanged(_FROM_WORKSPACE)
    stories: Stories = Field(default_factory=list, description="At most 100, in room order")


class TemplateUpdate(RoomSettingsUpdate):
    """Only the fields sent change; `stories` replaces the whole list."""

    name: TemplateName = unchanged("Unique among your templates")
    description: LongText = unchanged()
    stories: Stories = unchanged("Replaces the whole list")


class TemplateSessionCreate(Input):
    """Everything is optional: the template gives the rest."""

    name: SessionName = unchanged("Left out: the template's name")
    description: LongText = unchanged(_FROM_TEMPLATE)
    folder_id: Id | None = None
    voting_system: VotingSystem = unchanged(_FROM_TEMPLATE)
    custom_deck_name: DeckName | None = unchanged(_FROM_TEMPLATE)
    custom_deck_values: Deck | None = unchanged("2 to 30 unique cards, for a custom deck")
    record_vote_names: StrictBool = unchanged(_FROM_TEMPLATE)
    async_voting_enabled: StrictBool = unchanged(_FROM_TEMPLATE)
    auto_reveal: StrictBool = unchanged(_FROM_TEMPLATE)
    timer_seconds: TimerSeconds = unchanged(_FROM_TEMPLATE)


# Responses


class RoomSettingsPublic(Output):
    voting_system: VotingSystem
    custom_deck_name: str | None
    deck: list[str]
    record_vote_names: bool
    async_voting_enabled: bool
    auto_reveal: bool
    timer_seconds: int


class PokerWorkspacePublic(RoomSettingsPublic):
    templates_count: int
    updated_at: datetime | None = Field(description="Null until the defaults are first changed")


class TemplateStoryPublic(Output):
    title: str
    description: str
    acceptance_criteria: str


class RoomTemplatePublic(RoomSettingsPublic):
    id: int
    name: str
    description: str
    stories: list[TemplateStoryPublic]
    created_at: datetime
    updated_at: datetime


class WorkspaceResponse(Envelope):
    workspace: PokerWorkspacePublic


class TemplateResponse(Envelope):
    template: RoomTemplatePublic


class TemplateListResponse(Envelope):
    templates: list[RoomTemplatePublic]
