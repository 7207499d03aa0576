"""The poker assistant's tools: the same review-first suggestions as the REST helpers
(`/sessions/{code}/ai/...`), for the session's owner and people. Nothing changes; an
agent accepts a suggestion with add_stories, as a person would with the add-story body."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field, create_model, model_validator
from pydantic_core import PydanticCustomError

from services.actors import Actor
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
from services.poker import assist
from services.scopes import POKER_READ
from services.tools.poker import Code, SessionCode, _Args, _by_code
from services.tools.registry import Call, tool

_WHO = " For the session's owner and its people; vote values stay hidden until the reveal."


class StoryRef(BaseModel):
    id: uuid.UUID
    title: str


def _answer(name: str, suggestion: type[BaseModel], *, story: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {"suggestion": (suggestion, ...)}
    if story:
        fields["story"] = (StoryRef, Field(description="The current story it reads"))
    made: type[BaseModel] = create_model(name, **fields)
    return made


class DraftArgs(_Args):
    code: str = Code
    goal: str | None = Field(None, min_length=1, max_length=1000, description="What for")
    notes: str | None = Field(
        None, min_length=1, max_length=20000, description="One story per line or sentence"
    )
    max_stories: int = Field(5, ge=1, le=10)

    @model_validator(mode="after")
    def _something(self) -> DraftArgs:
        if not (self.goal or "").strip() and not (self.notes or "").strip():
            raise PydanticCustomError("value_error", "send a goal, notes, or both")
        return self


def _session_tool(name: str, title: str, description: str, helper: Any, output: Any) -> None:
    async def run(actor: Actor, args: SessionCode) -> Any:
        with _by_code(actor):
            return await helper(actor=actor, code=args.code)

    fn: Call = run
    tool(
        name,
        title=title,
        description=description + _WHO,
        input=SessionCode,
        scope=POKER_READ,
        output=output,
    )(fn)


_STORY = (
    (
        "analyze_current_story",
        "Analyze the current story",
        "INVEST checks, issues and questions for the current story, with similar earlier stories.",
        assist.analyze_story,
        StoryAnalysis,
    ),
    (
        "improve_current_story",
        "Improve the current story",
        "A clearer version of the current "
        "story (title, description, acceptance criteria) and what changed.",
        assist.improve_story,
        StoryImprovement,
    ),
    (
        "generate_acceptance_criteria",
        "Draft acceptance criteria",
        "Given/When/Then acceptance criteria for the current story, drawn from its text.",
        assist.acceptance_criteria,
        AcceptanceCriteria,
    ),
    (
        "split_current_story",
        "Split the current story",
        "Smaller stories the current one could split into, each shaped like add_stories' stories.",
        assist.split_story,
        StorySplit,
    ),
    (
        "suggest_estimate",
        "Suggest an estimate",
        "A range of cards for the current story from "
        "similar earlier stories and, once revealed, its votes.",
        assist.estimate_story,
        EstimateAdvice,
    ),
)
for _name, _title, _text, _helper, _schema in _STORY:
    _session_tool(
        _name, _title, _text, _helper, _answer(f"{_schema.__name__}Answer", _schema, story=True)
    )
_session_tool(
    "summarize_session",
    "Summarize a session",
    "A summary of the session from its "
    "numbers: headline, highlights, stories needing attention, next steps.",
    assist.summary,
    _answer("SessionSummaryAnswer", SessionSummary, story=False),
)
_session_tool(
    "estimation_report",
    "Report on a session's estimation",
    "Consensus, re-votes, outliers and recommendations over the session.",
    assist.estimation_report,
    _answer("EstimationReportAnswer", EstimationReport, story=False),
)


@tool(
    "draft_stories",
    title="Draft stories",
    description="Draft stories from a goal or notes, each shaped like add_stories' stories; "
    "titles already in the session are left out." + _WHO,
    input=DraftArgs,
    scope=POKER_READ,
    output=_answer("StoryDraftsAnswer", StoryDrafts, story=False),
)
async def draft_stories(actor: Actor, args: DraftArgs) -> dict[str, Any]:
    with _by_code(actor):
        return await assist.draft_stories(
            actor=actor,
            code=args.code,
            goal=args.goal,
            notes=args.notes,
            max_stories=args.max_stories,
        )
