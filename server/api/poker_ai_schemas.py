"""Request and response schemas of the poker AI helpers (`/sessions/{code}/ai/...`).

The suggestions themselves are the provider's schemas (services/ai/poker_schemas.py),
so what a model must answer and what a client reads are one definition."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from server.api.poker_schemas import Envelope, unchanged
from server.api.schemas import Input, NoNul, Output, StrictInt
from services.ai.poker_schemas import (
    AcceptanceCriteria,
    EstimateAdvice,
    EstimationReport,
    SessionSummary,
    StoryAnalysis,
    StoryDrafts,
    StoryImprovement,
    StorySplit,
)

MAX_DRAFTS = 10
Goal = Annotated[str, StringConstraints(min_length=1, max_length=1000), NoNul]
Notes = Annotated[str, StringConstraints(min_length=1, max_length=20000), NoNul]


class AssistRequest(Input):
    """No fields: the helper works on the session's current story or its numbers."""


def _goal_or_notes(schema: dict[str, Any]) -> None:
    schema["anyOf"] = [{"required": ["goal"]}, {"required": ["notes"]}]


class DraftRequest(Input):
    """A goal, pasted notes (one story per line or sentence), or both."""

    model_config = {**Input.model_config, "json_schema_extra": _goal_or_notes}

    goal: Goal = unchanged("What the stories are for, in a sentence")
    notes: Notes = unchanged("Notes to draft from: one story per line or sentence")
    max_stories: Annotated[StrictInt, Field(ge=1, le=MAX_DRAFTS)] = Field(
        default=5, description="How many stories to draft at most"
    )

    @model_validator(mode="after")
    def _something_to_draft_from(self) -> DraftRequest:
        if self.goal is None and self.notes is None:
            raise PydanticCustomError("value_error", "send a goal, notes, or both")
        return self


class StoryRef(Output):
    id: uuid.UUID
    title: str


class SummaryResponse(Envelope):
    suggestion: SessionSummary


class ReportResponse(Envelope):
    suggestion: EstimationReport


class DraftsResponse(Envelope):
    suggestion: StoryDrafts = Field(
        description="Each draft's story is shaped like POST /sessions/{code}/stories"
    )


class AnalysisResponse(Envelope):
    story: StoryRef
    suggestion: StoryAnalysis


class ImprovementResponse(Envelope):
    story: StoryRef
    suggestion: StoryImprovement = Field(
        description="proposed is shaped like PATCH /stories/{story}"
    )


class CriteriaResponse(Envelope):
    story: StoryRef
    suggestion: AcceptanceCriteria


class SplitResponse(Envelope):
    story: StoryRef
    suggestion: StorySplit = Field(
        description="Each part is shaped like POST /sessions/{code}/stories"
    )


class EstimateResponse(Envelope):
    story: StoryRef
    suggestion: EstimateAdvice
