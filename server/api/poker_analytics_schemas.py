"""Response schemas of a session's analytics (`GET /sessions/{code}/analytics`).

They mirror the dicts built by services/poker/analytics.py. A story's figures are those
of its revealed result (`RoundStats`): numbers on numeric decks, cards on the others.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from server.api.poker_schemas import MAX_ID, Envelope, Figure, Voter, VotingSystem
from server.api.schemas import Day, Input, Output

Count = Annotated[int, Field(ge=0)]
Percent = Annotated[int, Field(ge=0, le=100)]
Seconds = Annotated[int, Field(ge=0)]


class OutlierVote(Output):
    value: str
    participant: Voter | None = Field(
        description="Who cast it; null when the session does not record vote names"
    )


class RoundSummary(Output):
    round: Annotated[int, Field(ge=1)]
    final_estimate: str | None
    votes_cast: Count
    agreement: Percent


class StoryAnalytics(Output):
    id: uuid.UUID
    title: str
    position: int
    status: Literal["pending", "voting", "revealed"]
    final_estimate: str | None = Field(description="Null until revealed")
    votes_cast: Count | None = Field(description="In the final round; null until revealed")
    votes_counted: Count | None = Field(description="Votes other than '?' and 'coffee'")
    average: Figure = Field(description="Numeric decks only")
    median: Figure
    min: Figure
    max: Figure
    std: float | int | None = Field(
        ge=0, description="Population standard deviation of the counted votes, numbers only"
    )
    agreement: Percent | None = Field(
        description="Percent of counted votes equal to the final estimate"
    )
    consensus: bool | None = Field(description="Every counted vote was the same card")
    low_agreement: bool | None = Field(description="Agreement under 50%")
    outliers: list[OutlierVote] = Field(
        description="Votes two or more cards away from the final estimate"
    )
    rounds: Annotated[int, Field(ge=1)] = Field(
        description="Rounds voted; more than one is a re-vote"
    )
    history: list[RoundSummary] = Field(description="Every revealed round, oldest first")
    started_at: datetime | None = Field(
        description="First made current (or added, if never made current)"
    )
    revealed_at: datetime | None
    seconds_to_estimate: Seconds | None = Field(description="From started_at to revealed_at")


class AnalyticsTotals(Output):
    stories: Count
    estimated: Count = Field(description="Revealed stories")
    pending: Count
    without_estimate: Count = Field(description="Revealed with only '?' or 'coffee' votes")
    consensus: Count = Field(description="Estimated stories where every counted vote agreed")
    consensus_rate: Percent | None = Field(description="consensus / estimated; null when none")
    average_agreement: Percent | None
    low_agreement: Count
    with_outliers: Count
    revoted: Count = Field(description="Estimated stories that took more than one round")
    rounds: Count
    votes_cast: Count
    average_estimate: Figure = Field(description="Of final estimates; numeric decks only")
    median_estimate: Figure
    total_seconds: Seconds | None
    average_seconds: Seconds | None
    median_seconds: Seconds | None


class DistributionEntry(Output):
    value: str
    count: Annotated[int, Field(ge=1)]


class TrendPoint(Output):
    story_id: uuid.UUID
    title: str
    position: int
    final_estimate: str | None
    agreement: Percent


class Participation(Output):
    participant: Voter
    votes: Count = Field(description="Estimated stories this person voted on")
    rate: Percent | None = Field(description="votes / estimated; null when none is estimated")
    outliers: Count | None = Field(description="Null when the session does not record vote names")


class SessionAnalytics(Output):
    code: str
    name: str
    voting_system: VotingSystem
    deck: list[str]
    scale: Literal["numeric", "ordinal"] = Field(
        description="numeric: estimates compare by value; ordinal: by deck position (T-shirt)"
    )
    record_vote_names: bool
    totals: AnalyticsTotals
    distribution: list[DistributionEntry] = Field(
        description="Stories per final estimate, in deck order"
    )
    trend: list[TrendPoint] = Field(description="Agreement of each estimated story, in order")
    participation: list[Participation]
    stories: list[StoryAnalytics]


class AnalyticsResponse(Envelope):
    analytics: SessionAnalytics


# Across the caller's sessions (`GET /analytics`)

# A custom deck's cards may be any numbers, negative ones too.
Points = int | float


class OwnerAnalyticsQuery(Input):
    folder_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Only the sessions of this folder of yours"
    )
    since: Day | None = Field(
        default=None,
        alias="from",
        description="Sessions created on or after this day (UTC, YYYY-MM-DD)",
    )
    until: Day | None = Field(
        default=None,
        alias="to",
        description="Sessions created on or before this day (UTC); not before `from`",
    )


class AnalyticsFilters(Output):
    folder_id: int | None
    from_: date | None = Field(alias="from")
    to: date | None


class OwnerTotals(Output):
    folders: Count
    sessions: Count
    stories: Count
    estimated: Count = Field(description="Revealed stories")
    points: Points | None = Field(description="Sum of the final estimates that are numbers")
    changed: Count = Field(description="Stories whose revealed estimate changed later")


class FolderRef(Output):
    id: int
    name: str
    color: str


class FolderSession(Output):
    code: str
    name: str
    status: Literal["active", "paused", "completed", "archived"]
    created_at: datetime
    stories: Count
    estimated: Count
    points: Points | None


class FolderEstimates(Output):
    folder: FolderRef | None = Field(description="Null for the sessions in no folder")
    name: str = Field(description="The folder's name, or 'Unfiled'")
    sessions: list[FolderSession] = Field(min_length=1, description="Oldest first")
    stories: Count
    estimated: Count
    points: Points | None
    average_estimate: Points | None = Field(description="Of the final estimates that are numbers")
    distribution: list[DistributionEntry] = Field(
        description="Stories per final estimate: numbers by value, then other cards"
    )


class SessionRef(Output):
    code: str
    name: str


class ChangedEstimate(Output):
    story_id: uuid.UUID
    title: str
    session: SessionRef
    folder_id: int | None
    first_estimate: str = Field(description="The earliest kept revealed estimate")
    final_estimate: str
    estimates: list[str] = Field(
        min_length=2, description="Final estimate of each kept revealed round, oldest first"
    )
    rounds: Annotated[int, Field(ge=2)] = Field(description="Every round voted, kept or not")
    revealed_at: datetime


class OwnerAnalytics(Output):
    filters: AnalyticsFilters
    totals: OwnerTotals
    folders: list[FolderEstimates] = Field(description="By folder name, unfiled last")
    changed: list[ChangedEstimate] = Field(
        max_length=200, description="Latest revealed first, at most 200"
    )


class OwnerAnalyticsResponse(Envelope):
    analytics: OwnerAnalytics


# Reference stories (`GET /sessions/{code}/reference-stories`)


class ReferenceQuery(Input):
    limit: int = Field(default=5, ge=1, le=20, description="How many to list at most")


class CurrentStoryRef(Output):
    id: uuid.UUID
    title: str


class ReferenceStory(Output):
    id: uuid.UUID
    title: str
    description: str
    acceptance_criteria: str
    final_estimate: str
    session_name: str
    voting_system: VotingSystem
    revealed_at: datetime
    score: float = Field(ge=0, description="BM25+ score from the words in common")


class ReferenceStories(Output):
    story: CurrentStoryRef | None = Field(description="The current story; null when none")
    references: list[ReferenceStory] = Field(
        max_length=20, description="Revealed stories of the same owner, most alike first"
    )


class ReferenceStoriesResponse(Envelope):
    reference_stories: ReferenceStories
