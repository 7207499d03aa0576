"""Request and response schemas of the project wizard's drafts (camelCase)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from server.api.board_schemas_projects import ProjectImported
from server.api.schemas import CamelInput, CamelOutput, NoNul
from services.wizard import drafts

Topic = Literal["goal", "users", "scope", "success", "deadline", "constraints", "risks"]
Stage = Literal["framing", "refinement", "roadmap", "executed"]
DraftName = Annotated[str, StringConstraints(min_length=1, max_length=drafts.NAME_MAX), NoNul]
Description = Annotated[str, StringConstraints(max_length=drafts.DESCRIPTION_MAX), NoNul]
ContextText = Annotated[
    str, StringConstraints(min_length=1, max_length=drafts.CONTEXT_TEXT_MAX), NoNul
]
Answer = Annotated[str, StringConstraints(max_length=drafts.ANSWER_MAX), NoNul]
# Bodies carry up to ten texts of 20,000 characters each.
BODY_MAX = 1024 * 1024


class DocumentRef(CamelInput):
    document_id: uuid.UUID = Field(description="A document of this workspace you can read")


class DraftCreate(CamelInput):
    name: DraftName
    description: Description = ""
    context_documents: list[ContextText | DocumentRef] = Field(
        default_factory=list,
        max_length=drafts.CONTEXT_MAX,
        description="Up to 10 entries: a text (up to 20,000 characters) or {documentId}",
    )


class AnswerIn(CamelInput):
    topic: Topic
    answer: Answer = Field(description="Up to 2,000 characters; an empty answer withdraws it")


class DraftRefine(CamelInput):
    answers: list[AnswerIn] = Field(
        default_factory=list,
        max_length=drafts.ANSWERS_MAX,
        description="Answers to the questions (the latest per topic wins)",
    )


class ContextPublic(CamelOutput):
    kind: Literal["text", "document"]
    document_id: uuid.UUID | None
    title: str
    characters: int


class CoveragePublic(CamelOutput):
    topic: Topic
    percent: int


class QuestionPublic(CamelOutput):
    topic: Topic
    question: str
    hint: str


class AnswerPublic(CamelOutput):
    topic: Topic
    answer: str


class DeliverablePublic(CamelOutput):
    title: str
    description: str
    acceptance_hints: list[str]


class PhasePublic(CamelOutput):
    name: str
    description: str
    deliverables: list[DeliverablePublic]


class RoadmapPublic(CamelOutput):
    phases: list[PhasePublic]


class DraftPublic(CamelOutput):
    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    description: str
    context_documents: list[ContextPublic]
    stage: Stage
    readiness: int = Field(description="0-100, from what the draft covers and the answers")
    ready_at: int = Field(description="The readiness a roadmap needs")
    ready: bool
    coverage: list[CoveragePublic]
    questions: list[QuestionPublic]
    answers: list[AnswerPublic]
    roadmap: RoadmapPublic | None
    engine: str
    project_id: uuid.UUID | None
    created_at: str
    updated_at: str
    executed_at: str | None


class DraftExecuted(CamelOutput):
    draft: DraftPublic
    project: ProjectImported
