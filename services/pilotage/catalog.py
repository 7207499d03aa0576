"""The actions a proposal may name, each defined once: its name, what it does, its
payload (a pydantic model), the references checked when it is proposed, and the
service call that performs it when an approved proposal is applied.

Applying runs inside the proposal's own transaction (`actions.apply_action`), through
the same services as a person's change: the board's for cards, pilotage's for todos and
missions. An agent tool registry can list and call these definitions as they are.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from models import Card, Column, Project
from services.actors import Actor
from services.boards import cards, comments, moves
from services.boards.access import parse_id
from services.boards.locate import ProjectRef
from services.errors import NotFound
from services.events import UnitOfWork
from services.pilotage import items
from services.pilotage.access import PilotageAccess

# Text as sent: something besides whitespace, and no NUL (PostgreSQL cannot store it).
NOT_BLANK_NO_NUL = r"^[^\x00]*[^\s\x00][^\x00]*$"
NO_NUL = r"^[^\x00]*$"


_strip = AfterValidator(str.strip)


Ref = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NOT_BLANK_NO_NUL)]
ColumnRef = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK_NO_NUL)
]
Text20 = Annotated[
    str, StringConstraints(min_length=1, max_length=20, pattern=NOT_BLANK_NO_NUL), _strip
]
Text100 = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK_NO_NUL), _strip
]
Text200 = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=NOT_BLANK_NO_NUL), _strip
]
Text500 = Annotated[
    str, StringConstraints(min_length=1, max_length=500, pattern=NOT_BLANK_NO_NUL), _strip
]
Comment = Annotated[
    str, StringConstraints(min_length=1, max_length=10_000, pattern=NOT_BLANK_NO_NUL), _strip
]
CardText = Annotated[str, StringConstraints(max_length=5000, pattern=NO_NUL), _strip]
Priority = Literal["low", "medium", "high"]


class ActionPayload(BaseModel):
    """A payload: camelCase keys as sent, nothing unknown."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class MoveCardPayload(ActionPayload):
    card_id: Ref = Field(description="The card to move")
    target_column: ColumnRef = Field(description="The column to move it to: its name or its id")


class CreateCardPayload(ActionPayload):
    project_id: Ref = Field(description="The project whose board gets the card")
    title: Text500
    column: ColumnRef | None = Field(
        default=None, description="Its column's name or id; the board's first column if absent"
    )
    description: CardText | None = None
    priority: Priority | None = None


class UpdateCardPayload(ActionPayload):
    card_id: Ref
    title: Text500 | None = None
    description: CardText | None = None
    priority: Priority | None = None
    estimate: Text20 | None = None


class AssignCardPayload(ActionPayload):
    card_id: Ref
    assignee_id: Ref | None = Field(description="A member of the card's project, or null")


class AddCommentPayload(ActionPayload):
    card_id: Ref
    content: Comment


class CreateTodoPayload(ActionPayload):
    label: Text500
    mission_id: Ref | None = None
    priority_id: Ref | None = None


class UpdateMissionPayload(ActionPayload):
    mission_id: Ref
    objective: Text500 | None = None
    module: Text100 | None = None
    status: Literal["to_launch", "in_progress", "blocked", "done"] | None = None
    blocked_reason: Text200 | None = None


@dataclass(frozen=True)
class Context:
    """Where an action is performed: the applying transaction, and who applies it."""

    uow: UnitOfWork
    access: PilotageAccess
    actor: Actor


P = TypeVar("P", bound=ActionPayload)


@dataclass(frozen=True)
class ActionType(Generic[P]):
    name: str
    description: str
    payload: type[P]
    # Whatever the payload names must be this workspace's, when proposed and applied.
    check: Callable[[PilotageAccess, P], Awaitable[None]]
    run: Callable[[Context, P], Awaitable[dict[str, Any]]]


# What the payloads name, looked up only inside the workspace.


async def card_of(access: PilotageAccess, card_id: Any) -> Card:
    card = await Card.filter(
        id=parse_id(card_id, "Card"), project__workspace_id=access.workspace_id
    ).first()
    if card is None:
        raise NotFound("Card not found")
    return card


async def project_of(access: PilotageAccess, project_id: Any) -> Project:
    project = await Project.filter(
        id=parse_id(project_id, "Project"), workspace_id=access.workspace_id
    ).first()
    if project is None:
        raise NotFound("Project not found")
    return project


async def column_of(project_id: uuid.UUID, name_or_id: str | None) -> Column:
    """A column of the project by id, or by name (case aside); the first one if None."""
    columns = Column.filter(project_id=project_id).order_by("order", "created_at", "id")
    if name_or_id is None:
        first = await columns.first()
        if first is None:
            raise NotFound("The board has no column")
        return first
    try:
        by_id = await columns.filter(id=uuid.UUID(name_or_id)).first()
    except ValueError:
        by_id = None
    found = by_id or await columns.filter(name__iexact=name_or_id.strip()).first()
    if found is None:
        raise NotFound(f"The board has no column '{name_or_id[:100]}'")
    return found


def _ref(access: PilotageAccess, project_id: uuid.UUID) -> ProjectRef:
    return ProjectRef(project_id, access.org_slug, access.ws_slug)


def _sent(payload: ActionPayload, *skip: str) -> dict[str, Any]:
    return {k: getattr(payload, k) for k in payload.model_fields_set if k not in skip}


# move_card


async def _check_move(access: PilotageAccess, p: MoveCardPayload) -> None:
    await column_of((await card_of(access, p.card_id)).project_id, p.target_column)


async def _move(ctx: Context, p: MoveCardPayload) -> dict[str, Any]:
    card = await card_of(ctx.access, p.card_id)
    column = await column_of(card.project_id, p.target_column)
    return await moves.move_card(
        actor=ctx.actor, ref=_ref(ctx.access, card.project_id), card_id=card.id, column_id=column.id
    )


# create_card


async def _check_create_card(access: PilotageAccess, p: CreateCardPayload) -> None:
    await column_of((await project_of(access, p.project_id)).id, p.column)


async def _create_card(ctx: Context, p: CreateCardPayload) -> dict[str, Any]:
    project = await project_of(ctx.access, p.project_id)
    column = await column_of(project.id, p.column)
    fields = _sent(p, "project_id", "column") | {"title": p.title}
    return await cards.create_card(
        actor=ctx.actor, ref=_ref(ctx.access, project.id), column_id=column.id, fields=fields
    )


# update_card, assign_card, add_comment


async def _check_card(
    access: PilotageAccess, p: UpdateCardPayload | AssignCardPayload | AddCommentPayload
) -> None:
    await card_of(access, p.card_id)


async def _update_card(ctx: Context, p: UpdateCardPayload) -> dict[str, Any]:
    card = await card_of(ctx.access, p.card_id)
    changes = _sent(p, "card_id")
    if changes.get("description", "") is None:
        changes["description"] = ""
    return await cards.update_card(
        actor=ctx.actor, ref=_ref(ctx.access, card.project_id), card_id=card.id, changes=changes
    )


async def _assign_card(ctx: Context, p: AssignCardPayload) -> dict[str, Any]:
    card = await card_of(ctx.access, p.card_id)
    return await cards.update_card(
        actor=ctx.actor,
        ref=_ref(ctx.access, card.project_id),
        card_id=card.id,
        changes={"assignee_id": p.assignee_id},
    )


async def _add_comment(ctx: Context, p: AddCommentPayload) -> dict[str, Any]:
    card = await card_of(ctx.access, p.card_id)
    return await comments.add_comment(
        actor=ctx.actor,
        project_id=card.project_id,
        card_id=card.id,
        content=p.content,
        org_slug=ctx.access.org_slug,
        ws_slug=ctx.access.ws_slug,
    )


# create_todo, update_mission


async def _check_todo(access: PilotageAccess, p: CreateTodoPayload) -> None:
    if p.mission_id is not None:
        await items.item_in(items.MISSIONS, access.workspace_id, p.mission_id)
    if p.priority_id is not None:
        await items.item_in(items.PRIORITIES, access.workspace_id, p.priority_id)


async def _create_todo(ctx: Context, p: CreateTodoPayload) -> dict[str, Any]:
    fields = {"label": p.label, "mission_id": p.mission_id, "priority_id": p.priority_id}
    return await items.create_in(ctx.uow, ctx.access, ctx.actor, items.TODOS, fields)


async def _check_mission(access: PilotageAccess, p: UpdateMissionPayload) -> None:
    mission = await items.item_in(items.MISSIONS, access.workspace_id, p.mission_id)
    # The mission's own rule, refused now rather than when a person applies it.
    items.check_mission(mission, _sent(p, "mission_id"))


async def _update_mission(ctx: Context, p: UpdateMissionPayload) -> dict[str, Any]:
    changes = _sent(p, "mission_id")
    return await items.update_in(
        ctx.uow, ctx.access, ctx.actor, items.MISSIONS, p.mission_id, changes
    )


ACTION_TYPES: dict[str, ActionType[Any]] = {
    t.name: t
    for t in (
        ActionType(
            "move_card",
            "Move a card to another column of its board",
            MoveCardPayload,
            _check_move,
            _move,
        ),
        ActionType(
            "create_card",
            "Create a card on a board of the workspace",
            CreateCardPayload,
            _check_create_card,
            _create_card,
        ),
        ActionType(
            "update_card",
            "Change a card's title, description, priority or estimate",
            UpdateCardPayload,
            _check_card,
            _update_card,
        ),
        ActionType(
            "assign_card",
            "Assign a card to a project member, or unassign it",
            AssignCardPayload,
            _check_card,
            _assign_card,
        ),
        ActionType(
            "add_comment", "Comment on a card", AddCommentPayload, _check_card, _add_comment
        ),
        ActionType(
            "create_todo",
            "Add a todo to the pilotage",
            CreateTodoPayload,
            _check_todo,
            _create_todo,
        ),
        ActionType(
            "update_mission",
            "Change a mission's objective, module, status or blocked reason",
            UpdateMissionPayload,
            _check_mission,
            _update_mission,
        ),
    )
}
