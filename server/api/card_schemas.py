"""Request and response schemas for columns and cards (seed 001 shapes, camelCase).

PATCH bodies tell "absent" from "null": the edge passes on only the fields that were
sent (`model_dump(exclude_unset=True)`), and null clears a nullable field. Fields that
cannot be cleared refuse null.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from server.api.schemas import CamelInput, CamelOutput, NoNul, StrictInt
from services.boards import cards, columns
from services.boards.cards import parse_date
from services.errors import Invalid


def _when(value: Any) -> Any:
    try:
        return parse_date(value)
    except Invalid as exc:
        raise PydanticCustomError("value_error", exc.message) from None


def _text(low: int, high: int) -> Any:
    return StringConstraints(min_length=low, max_length=high)


_Clean = NoNul
ColumnName = Annotated[str, _text(1, columns.NAME_MAX), _Clean]
Title = Annotated[str, _text(1, cards.TITLE_MAX), _Clean]
Description = Annotated[str, _text(0, cards.DESCRIPTION_MAX), _Clean]
Estimate = Annotated[str, _text(0, cards.ESTIMATE_MAX), _Clean]
Ref = Annotated[str, _text(1, 64)]
# "YYYY-MM-DD" (midnight UTC) or an ISO date-time; nothing else, not a number.
When = Annotated[
    datetime,
    BeforeValidator(_when),
    WithJsonSchema({"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]}),
]
Priority = Literal["low", "medium", "high"]
WipLimit = Annotated[StrictInt, Field(ge=1, le=10_000)]
Index = Annotated[StrictInt, Field(ge=0, le=100_000)]


def not_null(schema: dict[str, Any]) -> None:
    """The schema of a field that may be left out but is never null: no default, and no
    null among its types."""
    schema.pop("default", None)
    branches = schema.pop("anyOf", None)
    if branches is not None:
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1:
            schema.update(kept[0])
        else:
            schema["anyOf"] = kept


def unchanged() -> Any:
    """A PATCH field that may be left out but not sent as null."""
    return Field(default=None, json_schema_extra=not_null)


def _refuse_nulls(model: Any, names: tuple[str, ...]) -> None:
    for name in names:
        if name in model.model_fields_set and getattr(model, name) is None:
            raise ValueError(f"{name} cannot be null")


class ColumnCreate(CamelInput):
    name: ColumnName
    wip_limit: WipLimit | None = None
    scope_id: Ref | None = Field(default=None, description="The board scope it belongs to")


class ColumnUpdate(CamelInput):
    name: ColumnName | None = unchanged()
    order: Index | None = unchanged()
    wip_limit: WipLimit | None = None
    scope_id: Ref | None = Field(
        default=None, description="The board scope it belongs to; null: the whole board only"
    )

    @model_validator(mode="after")
    def _not_null(self) -> ColumnUpdate:
        _refuse_nulls(self, ("name", "order"))
        return self


class ColumnPublic(CamelOutput):
    id: str
    project_id: str
    scope_id: str | None
    name: str
    order: int
    wip_limit: int | None
    version: int
    created_at: str
    updated_at: str


class ChecklistItemIn(CamelInput):
    title: Title
    done: StrictBool = False
    order: Index | None = None


Checklist = Annotated[list[ChecklistItemIn], Field(max_length=100)]


class CardCreate(CamelInput):
    title: Title
    description: Description = ""
    priority: Priority | None = None
    start_date: When | None = None
    due_date: When | None = None
    assignee_id: Ref | None = None
    estimate: Estimate | None = None
    checklist: Checklist = []

    def fields(self) -> dict[str, Any]:
        data = self.model_dump()
        data["checklist"] = [item.model_dump() for item in self.checklist]
        return data


class CardUpdate(CamelInput):
    title: Title | None = unchanged()
    description: Description | None = None
    priority: Priority | None = None
    start_date: When | None = None
    due_date: When | None = None
    assignee_id: Ref | None = None
    estimate: Estimate | None = None
    checklist: Checklist | None = unchanged()
    archived: StrictBool | None = unchanged()
    column_id: Ref | None = unchanged()
    order: Index | None = unchanged()
    after_id: Ref | None = None
    before_id: Ref | None = None
    version: StrictInt | None = unchanged()

    @model_validator(mode="after")
    def _not_null(self) -> CardUpdate:
        _refuse_nulls(self, ("title", "checklist", "archived", "column_id", "order", "version"))
        return self

    def changes(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True)
        data.pop("version", None)
        if self.checklist is not None:
            data["checklist"] = [item.model_dump() for item in self.checklist]
        return data


class CardListQuery(CamelInput):
    column_id: Ref | None = None
    archived: Literal["true", "false"] | None = None


class CardChecklistItem(CamelOutput):
    item_id: str = Field(alias="_id", description="The item's id, as the boards API names it")
    id: str = Field(description="The same id as `_id`")
    title: str
    done: bool
    order: int


class CardLabel(CamelOutput):
    """A label as a card shows it."""

    id: uuid.UUID
    name: str
    color: str


class CardPublic(CamelOutput):
    id: str
    project_id: str
    column_id: str
    title: str
    description: str
    priority: Priority | None
    start_date: str | None
    due_date: str | None
    assignee_id: str | None
    order: int
    position: str
    archived: bool
    version: int
    estimate: str | None
    checklist: list[CardChecklistItem]
    checklist_progress: int | None
    labels: list[CardLabel]
    comment_count: int
    attachment_count: int
    created_at: str
    updated_at: str
