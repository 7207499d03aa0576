"""Request and response schemas for projects, their members, the portfolio, templates,
export/import and poker on a card (seed 001 shapes, camelCase)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StringConstraints

from server.api.card_schemas import When
from server.api.schemas import CamelInput, CamelOutput, Email, NoNul, StrictInt
from services.boards import projects, transfer
from services.boards.templates import TEMPLATES

_Clean = NoNul


def _len(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(min_length=min_length, max_length=max_length)


ProjectName = Annotated[str, _len(1, projects.NAME_MAX), _Clean]
Description = Annotated[str, _len(0, projects.DESCRIPTION_MAX), _Clean]
ColumnName = Annotated[str, _len(1, 100), _Clean]
CardTitle = Annotated[str, _len(1, 500), _Clean]
CardText = Annotated[str, _len(0, 20_000), _Clean]
Estimate = Annotated[str, _len(1, 20), _Clean]
LabelName = Annotated[str, _len(1, 50), _Clean]
FieldName = Annotated[str, _len(1, 100), _Clean]
OptionName = Annotated[str, _len(1, 100), _Clean]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Priority = Literal["low", "medium", "high"]
FieldType = Literal["text", "number", "select", "multi-select", "date", "boolean"]


# Projects


class ProjectCreate(CamelInput):
    name: ProjectName
    description: Description = ""
    template: str | None = Field(
        default=None,
        max_length=50,
        description="A template id (default: kanban)",
        json_schema_extra={"enum": [*TEMPLATES, None]},
    )


class ProjectUpdate(CamelInput):
    name: ProjectName | None = None
    description: Description | None = None


class ProjectPublic(CamelOutput):
    id: uuid.UUID
    name: str
    description: str
    workspace_id: uuid.UUID
    created_by: uuid.UUID | None
    role: Literal["admin", "member"] | None = Field(
        description="Your role in the project; null for an admin above it"
    )
    created_at: str
    updated_at: str


class Imported(CamelOutput):
    columns: int
    cards: int
    labels: int
    custom_fields: int


class ProjectImported(ProjectPublic):
    imported: Imported


# Members


class ProjectMemberAdd(CamelInput):
    email: Email
    role: Literal["admin", "member"] = "member"


class ProjectMemberPublic(CamelOutput):
    user_id: uuid.UUID
    name: str
    email: str
    role: Literal["admin", "member"]
    joined_at: str


# Templates


class TemplateColumnPublic(CamelOutput):
    name: str
    order: int
    wip_limit: int | None


class TemplateLabelPublic(CamelOutput):
    name: str
    color: str


class ProjectTemplatePublic(CamelOutput):
    id: str
    name: str
    description: str
    columns: list[TemplateColumnPublic]
    labels: list[TemplateLabelPublic]


# Portfolio


class PortfolioProject(CamelOutput):
    id: uuid.UUID
    name: str
    description: str
    role: str | None
    card_count: int
    open_cards: int = Field(description="Live cards not in the last column")
    done_cards: int = Field(description="Live cards in the last column")
    archived_cards: int
    overdue_cards: int = Field(description="Live, not done, due date in the past")
    completion: int = Field(description="Percent of live cards that are done")
    member_count: int
    column_count: int
    created_at: str
    last_activity_at: str


class PortfolioTotals(CamelOutput):
    project_count: int
    card_count: int
    open_cards: int
    done_cards: int
    archived_cards: int
    overdue_cards: int
    completion: int


class Portfolio(CamelOutput):
    projects: list[PortfolioProject]
    totals: PortfolioTotals


# Export and import (one shape both ways, so an export imports as it is)


class TransferProject(CamelInput):
    name: ProjectName
    description: Description = ""


class TransferColumn(CamelInput):
    name: ColumnName
    order: StrictInt | None = Field(default=None, description="Ignored: columns keep list order")
    wip_limit: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = None


class TransferChecklistItem(CamelInput):
    title: CardTitle
    done: StrictBool = False
    order: StrictInt | None = None


class TransferCard(CamelInput):
    title: CardTitle
    description: CardText = ""
    column_index: StrictInt = Field(default=0, description="Index into `columns`")
    order: StrictInt | None = Field(default=None, description="Rank within its column")
    priority: Priority | None = None
    start_date: When | None = None
    due_date: When | None = None
    archived: StrictBool = False
    estimate: Estimate | None = None
    checklist: list[TransferChecklistItem] = Field(default_factory=list, max_length=200)
    labels: list[LabelName] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class TransferLabel(CamelInput):
    name: LabelName
    color: Color = "#6b7280"


class TransferCustomField(CamelInput):
    name: FieldName
    type: FieldType
    options: list[OptionName] = Field(default_factory=list, max_length=100)


class ProjectImport(CamelInput):
    """Up to 50 columns and 500 cards; over that the import is refused with 400."""

    # The limits are checked by the service, which names the offending item; the schema
    # states them too.
    version: StrictInt | None = Field(default=None, json_schema_extra={"enum": [1, None]})
    exported_at: str | None = None
    project: TransferProject
    columns: list[TransferColumn] = Field(
        json_schema_extra={"minItems": 1, "maxItems": transfer.MAX_COLUMNS}
    )
    cards: list[TransferCard] = Field(
        default_factory=list, json_schema_extra={"maxItems": transfer.MAX_CARDS}
    )
    labels: list[TransferLabel] = Field(
        default_factory=list, json_schema_extra={"maxItems": transfer.MAX_LABELS}
    )
    custom_fields: list[TransferCustomField] = Field(
        default_factory=list, json_schema_extra={"maxItems": transfer.MAX_CUSTOM_FIELDS}
    )


class ProjectExport(CamelOutput):
    version: int
    exported_at: str
    project: dict[str, Any]
    columns: list[dict[str, Any]]
    cards: list[dict[str, Any]]
    labels: list[dict[str, Any]]
    custom_fields: list[dict[str, Any]]


# Poker on a card


class EstimateRequest(CamelInput):
    session_code: Annotated[str, StringConstraints(min_length=6, max_length=6)] | None = Field(
        default=None, description="A session you moderate; without it a new one is created"
    )


class EstimateStarted(CamelOutput):
    session_code: str
    story_id: uuid.UUID
    join_url: str
