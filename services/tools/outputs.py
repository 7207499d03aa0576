"""What the poker and board tools answer, as pydantic models: their JSON schemas are the
tools' output schemas, and every answer is checked against them before it leaves. Each
names the fields an agent relies on; the rest of a record comes along as it is (the
same shape as the REST API's)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    """A record: the fields named here, and the others the REST API shows."""

    model_config = ConfigDict(extra="allow")


# Poker


class Story(_Open):
    id: str
    title: str
    status: str
    round: int
    votes_cast: int
    voted: list[int]
    final_estimate: str | None
    # Only once revealed; null before, whoever asks.
    votes: list[dict[str, Any]] | None


class Session(_Open):
    id: str
    code: str
    name: str
    status: str
    deck: list[str]
    current_story_id: str | None


class Participant(_Open):
    id: int
    name: str
    role: str
    has_voted: bool


class Sessions(BaseModel):
    sessions: list[Session]
    meta: dict[str, Any]


class SessionWithStories(BaseModel):
    session: Session
    stories: list[Story]


class Participants(BaseModel):
    participants: list[Participant]


class Seat(BaseModel):
    participant: Participant


class Stories(BaseModel):
    stories: list[Story]


class OneStory(BaseModel):
    story: Story


class Vote(_Open):
    vote: dict[str, Any]
    stats: dict[str, Any]


class Analytics(BaseModel):
    analytics: dict[str, Any]


# Boards


class Organization(_Open):
    id: str
    name: str
    slug: str


class Workspace(_Open):
    id: str
    name: str
    slug: str


class Project(_Open):
    id: str
    name: str


class Column(_Open):
    id: str
    name: str
    order: int


class Card(_Open):
    id: str
    title: str
    columnId: str
    version: int


class Comment(_Open):
    id: str
    cardId: str
    content: str


class Label(_Open):
    id: str
    name: str
    color: str


class Move(_Open):
    cardId: str
    columnId: str
    version: int


class Organizations(BaseModel):
    organizations: list[Organization]


class Workspaces(BaseModel):
    workspaces: list[Workspace]


class Projects(BaseModel):
    projects: list[Project]


class BoardPage(BaseModel):
    columns: list[Column]
    cards: list[Card]
    total: int
    offset: int


class Found(BaseModel):
    cards: list[Card]
    total: int


class OneCard(BaseModel):
    card: Card


class Moved(BaseModel):
    move: Move


class OneComment(BaseModel):
    comment: Comment


class Labels(BaseModel):
    labels: list[Label]


class CardLabels(BaseModel):
    cardId: str
    labels: list[Label]


class ChecklistItemAdded(_Open):
    cardId: str
    item: dict[str, Any]
    # Percent of the checklist done; null for an empty one.
    progress: int | None
