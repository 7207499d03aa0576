"""The wizard's two tasks for the AI provider (services/ai/): the next questions, and
the roadmap. The built-in rules answer both (services/wizard/rules.py); a configured
model answers the same schemas, checked before they are used."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.ai.builtin import rule
from services.ai.provider import Suggestion
from services.wizard import roadmap_rules, rules

QUESTIONS_TASK = "project_draft_questions"
ROADMAP_TASK = "project_draft_roadmap"

Topic = Literal["goal", "users", "scope", "success", "deadline", "constraints", "risks"]
# A model's text is stored as it comes: PostgreSQL text holds no NUL, so none is taken.
_NO_NUL = r"^[^\x00]*$"


def _len(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=_NO_NUL
    )


Short = Annotated[str, _len(1, 300)]
PhaseName = Annotated[str, _len(1, 100)]
Title = Annotated[str, _len(1, 200)]
Text = Annotated[str, _len(0, 2000)]
Hint = Annotated[str, _len(1, 200)]


class DraftContext(BaseModel):
    """All a provider may read: the draft's own words, its context texts and answers,
    and the topics the rules found missing."""

    name: str
    description: str
    context: list[str]
    answers: dict[str, str]
    missing_topics: list[str] = Field(default_factory=list)


class QuestionOut(BaseModel):
    topic: Topic
    question: Short
    hint: Short


class Questions(Suggestion):
    questions: list[QuestionOut] = Field(max_length=rules.QUESTIONS_AT_ONCE)


class DeliverableOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    title: Title
    description: Text
    acceptance_hints: list[Hint] = Field(alias="acceptanceHints", max_length=5)


class PhaseOut(BaseModel):
    name: PhaseName
    description: Text
    deliverables: list[DeliverableOut] = Field(
        min_length=1, max_length=roadmap_rules.MAX_DELIVERABLES_PER_PHASE
    )


class Roadmap(Suggestion):
    phases: list[PhaseOut] = Field(min_length=1, max_length=8)


def text_of(context: DraftContext) -> rules.DraftText:
    return rules.DraftText(
        name=context.name,
        description=context.description,
        context=list(context.context),
        answers=dict(context.answers),
    )


@rule(
    QUESTIONS_TASK,
    "A team is framing a new project. Ask at most three short questions about what the "
    "draft leaves unclear, the missing_topics first (goal, users, scope, success, "
    "deadline, constraints, risks), each tagged with its topic and a one-line hint of "
    "why it matters.",
)
def _questions(context: DraftContext) -> dict[str, Any]:
    found = rules.assess(text_of(context))
    return {
        "questions": [q.public() for q in found.questions],
        "confidence": 0.6,
        "reasons": ["Questions for the topics the draft's text and answers cover least"],
    }


@rule(
    ROADMAP_TASK,
    "Plan the project as phases (they become board columns, in order), each with "
    "deliverables (they become cards): a short title, a description and up to five "
    "acceptance hints. Start with discovery and end with the launch; draw the "
    "deliverables from the features, answers and context given, inventing none.",
)
def _roadmap(context: DraftContext) -> dict[str, Any]:
    return {
        **roadmap_rules.roadmap(text_of(context)),
        "confidence": 0.6,
        "reasons": ["Phases Discovery, Build and Launch, with the features the draft lists"],
    }
