"""What the poker helpers read (contexts) and answer (suggestions). A context holds only
what its caller may read: vote values only once revealed. Answers carry the limits of
the endpoints a client accepts them through (a drafted story fits the add-story body)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from services.ai.provider import Suggestion

Line = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=5000)]
CardValue = Annotated[str, StringConstraints(min_length=1, max_length=20)]
Percent = Annotated[int, Field(ge=0, le=100)]
Count = Annotated[int, Field(ge=0)]


# Contexts


class StoryText(BaseModel):
    title: str
    description: str = ""
    acceptance_criteria: str = ""


class SimilarStory(BaseModel):
    """An earlier revealed story of the same owner, ranked by BM25."""

    title: str
    description: str = ""
    final_estimate: str
    score: float = 0.0


class RevealedVotes(BaseModel):
    """The current round's revealed values, without names."""

    values: list[str]
    final_estimate: str | None
    agreement: int | None = None


class StoryContext(BaseModel):
    story: StoryText
    status: str
    deck: list[str]
    similar: list[SimilarStory] = []
    # None until the story is revealed: values stay hidden before the reveal.
    revealed: RevealedVotes | None = None
    other_titles: list[str] = []


class DraftContext(BaseModel):
    goal: str = ""
    notes: str = ""
    max_stories: int = 5
    deck: list[str] = []
    existing_titles: list[str] = []
    similar: list[SimilarStory] = []


class SessionContext(BaseModel):
    """A session's analytics, as its readers see them (services/poker/analytics.py)."""

    analytics: dict[str, Any]


# Answers


class StoryFields(BaseModel):
    """Shaped like the add-story body: post it as is to accept it."""

    title: Title
    description: LongText = ""
    acceptance_criteria: LongText = ""


class SimilarRef(BaseModel):
    title: Title
    final_estimate: CardValue
    score: float = Field(ge=0)


InvestCriterion = Literal["independent", "negotiable", "valuable", "estimable", "small", "testable"]
IssueCode = Literal[
    "no_user_role",
    "no_acceptance_criteria",
    "too_long",
    "several_ands",
    "vague_words",
    "too_short",
    "no_benefit",
    "other",
]


class InvestCheck(BaseModel):
    criterion: InvestCriterion
    ok: bool
    note: Line


class Issue(BaseModel):
    code: IssueCode
    message: Line


class StoryAnalysis(Suggestion):
    ready: bool = Field(description="No issue stands in the way of estimating it")
    invest: list[InvestCheck] = Field(max_length=6)
    issues: list[Issue] = Field(max_length=20)
    questions: list[Line] = Field(max_length=10, description="To ask the product owner")
    similar: list[SimilarRef] = Field(max_length=5)


class DraftedStory(BaseModel):
    story: StoryFields
    source: Line = Field(description="The part of the goal or notes it was drawn from")
    similar: list[SimilarRef] = Field(max_length=3)


class StoryDrafts(Suggestion):
    drafts: list[DraftedStory] = Field(max_length=10)
    skipped: list[Line] = Field(max_length=20, description="Already stories of this session")


class StoryImprovement(Suggestion):
    proposed: StoryFields = Field(description="The whole story as proposed")
    changes: list[Line] = Field(max_length=12, description="What changed, and why")
    changed: bool


class Criterion(BaseModel):
    given: Line
    when: Line
    then: Line


class AcceptanceCriteria(Suggestion):
    criteria: list[Criterion] = Field(max_length=12)
    acceptance_criteria: LongText = Field(
        description="The criteria as text, ready for the story's acceptance_criteria"
    )


class StorySplit(Suggestion):
    strategy: Literal["conjunctions", "criteria", "workflow", "none"]
    parts: list[StoryFields] = Field(max_length=8, description="Empty when it need not split")


class EstimateAdvice(Suggestion):
    low: CardValue | None = Field(description="A card of the session's deck")
    likely: CardValue | None
    high: CardValue | None
    basis: Literal["similar_stories", "votes", "both", "none"]
    votes_considered: bool = Field(description="False until the story is revealed")
    similar: list[SimilarRef] = Field(max_length=5)


class SessionSummary(Suggestion):
    headline: Line
    highlights: list[Line] = Field(max_length=10)
    attention: list[Line] = Field(max_length=10, description="Stories worth another look")
    next_steps: list[Line] = Field(max_length=10)


class Accuracy(BaseModel):
    estimated: Count
    consensus: Count = Field(description="Stories where every counted vote agreed")
    consensus_rate: Percent | None
    average_agreement: Percent | None
    low_agreement: Count


class RevotedStory(BaseModel):
    title: Title
    rounds: Annotated[int, Field(ge=2)]
    estimates: list[CardValue] = Field(max_length=20, description="Each revealed round's")


class OutlierStory(BaseModel):
    title: Title
    final_estimate: CardValue | None
    values: list[CardValue] = Field(max_length=100, description="The outlying votes")


class EstimationReport(Suggestion):
    accuracy: Accuracy
    revoted: list[RevotedStory] = Field(max_length=100)
    outliers: list[OutlierStory] = Field(max_length=100)
    recommendations: list[Line] = Field(max_length=10)
