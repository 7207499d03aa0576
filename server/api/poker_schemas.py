"""Request and response schemas of the planning-poker REST API (seed 000 shapes).

Requests refuse what they cannot take as sent: booleans and ids are strict, so
`"yes"` or `"12"` is a 422 rather than a guess. Responses mirror the dicts built
by services/poker/views.py and folders.py; they document, and tests hold them equal.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StringConstraints

from server.api.schemas import Input, NoNul, Output, StrictInt
from services.errors import NotFound
from services.poker import seats, sessions, stories
from services.poker.decks import MAX_CUSTOM_VALUES, MAX_VALUE_LENGTH
from services.poker.stories import MAX_TIMER, MIN_TIMER

# Ids are 32-bit columns: a larger number is refused here, not by the database.
MAX_ID = 2**31 - 1


def _text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(min_length=min_length, max_length=max_length)


_Clean = NoNul
SessionName = Annotated[str, _text(1, sessions.SESSION_NAME_MAX), _Clean]
SessionText = Annotated[str, _text(0, sessions.DESCRIPTION_MAX), _Clean]
LongText = Annotated[str, _text(0, stories.TEXT_MAX), _Clean]
PersonName = Annotated[str, _text(1, seats.NAME_MAX), _Clean]
StoryTitle = Annotated[str, _text(1, stories.TITLE_MAX), _Clean]
Card = Annotated[str, _text(1, MAX_VALUE_LENGTH), _Clean]
DeckName = Annotated[str, _text(0, 50), _Clean]
FolderName = Annotated[str, _text(1, 100), _Clean]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
VotingSystem = Literal["fibonacci", "tshirt", "custom"]
Status = Literal["active", "paused", "completed", "archived"]
Deck = Annotated[
    list[Card],
    Field(max_length=MAX_CUSTOM_VALUES, json_schema_extra={"minItems": 2, "uniqueItems": True}),
]
TimerSeconds = Annotated[StrictInt, Field(ge=MIN_TIMER, le=MAX_TIMER)]
_FROM_WORKSPACE = "defaults to your workspace's"


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def unchanged(description: str | None = None) -> Any:
    """A PATCH field that may be left out but not sent as null: its default of None
    only marks it absent, so the schema leaves the default out."""
    return Field(default=None, description=description, json_schema_extra=_drop_default)


def path_id(raw: str, message: str, *, largest: int = MAX_ID) -> int:
    """An integer id from the path; anything else names nothing, so it is not found.
    `largest` is the column's: 2**63 - 1 for a big integer."""
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= largest:
        raise NotFound(message)
    return int(raw)


# Sessions


class SessionCreate(Input):
    """Settings left out come from your workspace defaults (GET /api/workspace)."""

    name: SessionName
    description: SessionText = ""
    folder_id: Id | None = None
    voting_system: VotingSystem = unchanged(_FROM_WORKSPACE)
    custom_deck_name: DeckName | None = None
    custom_deck_values: Deck | None = Field(
        default=None, description="2 to 30 unique cards; required for a new custom deck"
    )
    record_vote_names: StrictBool = unchanged(_FROM_WORKSPACE)
    async_voting_enabled: StrictBool = unchanged(_FROM_WORKSPACE)
    auto_reveal: StrictBool = unchanged(_FROM_WORKSPACE)
    timer_seconds: TimerSeconds = unchanged("What the room's timer offers; " + _FROM_WORKSPACE)


class SessionUpdate(Input):
    """Only the fields sent change. A field absent is kept; null is refused where a
    value is required, and clears the folder or the deck name."""

    name: SessionName = unchanged()
    description: SessionText = unchanged()
    folder_id: Id | None = Field(default=None, description="null takes the session out")
    status: Status = unchanged("'archived' archives the session, 'active' brings it back")
    voting_system: VotingSystem = unchanged()
    custom_deck_name: DeckName | None = None
    custom_deck_values: Deck | None = None
    record_vote_names: StrictBool = unchanged()
    async_voting_enabled: StrictBool = unchanged()
    auto_reveal: StrictBool = unchanged()
    timer_seconds: TimerSeconds = unchanged()


class SessionListQuery(Input):
    folder_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="Filter by folder")
    status: Status | None = Field(default=None, description="Filter by status")
    sort: Literal["created_at", "updated_at", "name"] = "created_at"
    order: Literal["asc", "desc"] = "desc"
    per_page: int = Field(default=15, ge=1, le=100)
    page: int = Field(default=1, ge=1, le=MAX_ID)


class JoinRequest(Input):
    name: PersonName | None = Field(
        default=None, description="Required for guests; a signed-in user defaults to their name"
    )
    spectator: StrictBool = False


class ModeratorRequest(Input):
    participant_id: Id


# Votes, stories and the timer


class VoteRequest(Input):
    participant_id: Id = Field(description="Your own participant id, as returned by join")
    vote: Card
    story_id: uuid.UUID | None = Field(
        default=None, description="Another story than the current one (async voting)"
    )


class RetractQuery(Input):
    story_id: uuid.UUID | None = None


class StoryCreate(Input):
    title: StoryTitle
    description: LongText = ""
    acceptance_criteria: LongText = ""


class TimerRequest(Input):
    seconds: TimerSeconds


# Folders


class FolderCreate(Input):
    name: FolderName
    color: Color | None = Field(default=None, description="Hex color such as #8b5cf6")


class FolderUpdate(Input):
    name: FolderName = unchanged()
    color: Color = unchanged()


# Responses


class ParticipantPublic(Output):
    id: int
    name: str
    role: Literal["moderator", "participant", "spectator"]
    kind: Literal["user", "guest"]
    has_voted: bool


class Voter(Output):
    id: int
    name: str


class RevealedVote(Output):
    participant: Voter | None = Field(
        default=None, description="Absent when the session does not record vote names"
    )
    value: str
    outlier: bool


Figure = int | float | str | None


class RoundStats(Output):
    votes_cast: int
    votes_counted: int = Field(description="Votes other than '?' and 'coffee'")
    average: Figure
    median: Figure
    min: Figure
    max: Figure
    agreement: int = Field(description="Percent of counted votes equal to the final estimate")
    outliers: list[str]


class RoundResult(Output):
    round: int
    final_estimate: str | None
    votes: list[RevealedVote]
    distribution: dict[str, int]
    stats: RoundStats


class StoryPublic(Output):
    id: uuid.UUID
    title: str
    description: str
    acceptance_criteria: str
    status: Literal["pending", "voting", "revealed"]
    position: int
    round: int
    votes_cast: int
    voted: list[int] = Field(description="Participant ids who have voted; values stay hidden")
    final_estimate: str | None
    votes: list[RevealedVote] | None = Field(description="Set once revealed")
    stats: RoundStats | None
    distribution: dict[str, int] | None
    history: list[RoundResult] = Field(description="Results of earlier rounds, oldest first")
    created_at: datetime | None
    revealed_at: datetime | None


class SessionPublic(Output):
    id: uuid.UUID
    code: str = Field(description="6-character join code")
    name: str
    description: str
    status: Status
    folder_id: int | None
    owner_id: uuid.UUID
    voting_system: VotingSystem
    custom_deck_name: str | None
    deck: list[str]
    record_vote_names: bool
    async_voting_enabled: bool
    auto_reveal: bool
    timer_seconds: int = Field(description="What the room's timer offers to run")
    participants_count: int
    moderator_id: int | None
    current_story_id: uuid.UUID | None
    current_story: StoryPublic | None
    timer_ends_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None


class FolderPublic(Output):
    id: int
    name: str
    color: str
    sessions_count: int
    created_at: datetime
    updated_at: datetime


class Envelope(Output):
    success: bool = True


class SessionResponse(Envelope):
    session: SessionPublic


class PageMeta(Output):
    current_page: int
    per_page: int
    total: int
    last_page: int


class SessionListResponse(Envelope):
    data: list[SessionPublic]
    meta: PageMeta


class JoinResponse(Envelope):
    participant: ParticipantPublic
    session: SessionPublic
    token: str | None = Field(
        description="Guest token for the vote endpoint; null for signed-in users and rejoins"
    )


class ParticipantListResponse(Envelope):
    participants: list[ParticipantPublic]


class VotePublic(Output):
    id: int
    story_id: uuid.UUID
    participant_id: int
    value: str


class VoteStats(Output):
    votes_cast: int
    total_participants: int = Field(description="Participants who may vote (not spectators)")
    all_voted: bool


class VoteResponse(Envelope):
    vote: VotePublic
    stats: VoteStats
    revealed: StoryPublic | None = Field(
        description="The revealed story when this vote completed an auto-reveal round"
    )


class RetractResponse(Envelope):
    story_id: uuid.UUID
    retracted: bool
    stats: VoteStats


class StoryResponse(Envelope):
    story: StoryPublic


class StoryListResponse(Envelope):
    stories: list[StoryPublic]


class TimerPublic(Output):
    seconds: int
    ends_at: datetime


class TimerResponse(Envelope):
    timer: TimerPublic


class FolderResponse(Envelope):
    folder: FolderPublic


class FolderListResponse(Envelope):
    folders: list[FolderPublic]


class MessageResponse(Envelope):
    message: str
