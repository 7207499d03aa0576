"""Board tools: organizations, workspaces and projects to find a board, its columns and
cards, and the card changes a teammate makes, through the same services as the REST
routes and the /board socket. A change with a stale `version` is refused with the
current card, never written over."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.actors import Actor
from services.boards import (
    cards,
    checklists,
    columns,
    comments,
    labels,
    moves,
    orgs,
    projects,
    workspaces,
)
from services.boards.locate import ProjectRef
from services.errors import Invalid, invalid_field
from services.scopes import PROJECTS_READ, PROJECTS_WRITE
from services.tools import outputs
from services.tools.registry import tool

Id = Field(min_length=1, max_length=64)
Slug = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
Version = Field(ge=1, le=2**31 - 1, description="The card's version you last read")
Priority = Literal["low", "medium", "high"]
Day = Field(None, max_length=40, description="ISO 8601 date (YYYY-MM-DD) or date-time")


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(_Args):
    pass


class OrgArgs(_Args):
    org_slug: str = Slug


class WorkspaceArgs(_Args):
    org_slug: str = Slug
    ws_slug: str = Slug


class BoardArgs(_Args):
    project_id: str = Id
    offset: int = Field(0, ge=0, le=100_000, description="Cards to skip")
    limit: int = Field(100, ge=1, le=500, description="Cards to return")


class CardArgs(_Args):
    project_id: str = Id
    card_id: str = Id


class CreateCard(_Args):
    project_id: str = Id
    column_id: str = Id
    title: str = Field(min_length=1, max_length=cards.TITLE_MAX)
    description: str = Field("", max_length=cards.DESCRIPTION_MAX)
    priority: Priority | None = None
    due_date: str | None = Day


class UpdateCard(_Args):
    project_id: str = Id
    card_id: str = Id
    version: int = Version
    title: str | None = Field(None, min_length=1, max_length=cards.TITLE_MAX)
    description: str | None = Field(None, max_length=cards.DESCRIPTION_MAX)
    priority: Priority | None = None
    due_date: str | None = Day
    assignee_id: str | None = Field(None, min_length=1, max_length=64)


class MoveCard(_Args):
    project_id: str = Id
    card_id: str = Id
    column_id: str = Field(min_length=1, max_length=64, description="The column it goes to")
    after_id: str | None = Field(None, max_length=64, description="The card it goes below")
    before_id: str | None = Field(None, max_length=64, description="The card it goes above")
    version: int = Version


class ArchiveCard(_Args):
    project_id: str = Id
    card_id: str = Id
    version: int = Version


class AddComment(_Args):
    project_id: str = Id
    card_id: str = Id
    content: str = Field(min_length=1, max_length=comments.CONTENT_MAX)


class AddChecklistItem(_Args):
    project_id: str = Id
    card_id: str = Id
    title: str = Field(min_length=1, max_length=checklists.TITLE_MAX)


class ProjectArgs(_Args):
    project_id: str = Id


class SetCardLabel(_Args):
    project_id: str = Id
    card_id: str = Id
    label_id: str = Field(min_length=1, max_length=64, description="One of list_labels")
    applied: bool = Field(True, description="true puts the label on the card, false takes it off")


class SearchCards(_Args):
    project_id: str = Id
    query: str = Field(min_length=1, max_length=200, description="Words in the title or text")
    limit: int = Field(20, ge=1, le=100)


def _day(value: str) -> datetime | None:
    try:
        return cards.parse_date(value)
    except Invalid as exc:
        raise invalid_field("due_date", exc.message) from None


@tool(
    "list_organizations",
    title="List my organizations",
    description="The organizations you belong to, with your role in each.",
    input=NoArgs,
    scope=PROJECTS_READ,
    output=outputs.Organizations,
)
async def list_organizations(actor: Actor, args: NoArgs) -> dict[str, Any]:
    return {"organizations": await orgs.list_orgs(actor=actor)}


@tool(
    "list_workspaces",
    title="List an organization's workspaces",
    description="The workspaces of an organization that you can see.",
    input=OrgArgs,
    scope=PROJECTS_READ,
    output=outputs.Workspaces,
)
async def list_workspaces(actor: Actor, args: OrgArgs) -> dict[str, Any]:
    return {"workspaces": await workspaces.list_workspaces(actor=actor, org_slug=args.org_slug)}


@tool(
    "list_projects",
    title="List a workspace's projects",
    description="The projects (boards) of a workspace that you can see.",
    input=WorkspaceArgs,
    scope=PROJECTS_READ,
    output=outputs.Projects,
)
async def list_projects(actor: Actor, args: WorkspaceArgs) -> dict[str, Any]:
    found = await projects.list_projects(actor=actor, org_slug=args.org_slug, ws_slug=args.ws_slug)
    return {"projects": found}


@tool(
    "get_board",
    title="Get a board",
    description="A project's columns and its live cards in board order, a page of cards at "
    "a time (offset, limit); `total` says how many there are.",
    input=BoardArgs,
    scope=PROJECTS_READ,
    output=outputs.BoardPage,
)
async def get_board(actor: Actor, args: BoardArgs) -> dict[str, Any]:
    ref = ProjectRef(args.project_id)
    cols = await columns.list_columns(actor=actor, ref=ref)
    every = await cards.list_cards(actor=actor, ref=ref)
    page = every[args.offset : args.offset + args.limit]
    return {"columns": cols, "cards": page, "total": len(every), "offset": args.offset}


@tool(
    "get_card",
    title="Get a card",
    description="A card with its details: fields, labels, checklist and version.",
    input=CardArgs,
    scope=PROJECTS_READ,
    output=outputs.OneCard,
)
async def get_card(actor: Actor, args: CardArgs) -> dict[str, Any]:
    card = await cards.get_card(actor=actor, ref=ProjectRef(args.project_id), card_id=args.card_id)
    return {"card": card}


@tool(
    "search_cards",
    title="Search a board's cards",
    description="Live cards whose title or description holds every word of the query.",
    input=SearchCards,
    scope=PROJECTS_READ,
    output=outputs.Found,
)
async def search_cards(actor: Actor, args: SearchCards) -> dict[str, Any]:
    words = args.query.lower().split()
    every = await cards.list_cards(actor=actor, ref=ProjectRef(args.project_id))
    found = [
        c
        for c in every
        if all(w in f"{c.get('title', '')} {c.get('description', '')}".lower() for w in words)
    ]
    return {"cards": found[: args.limit], "total": len(found)}


@tool(
    "create_card",
    title="Create a card",
    description="A new card at the bottom of a column.",
    input=CreateCard,
    scope=PROJECTS_WRITE,
    output=outputs.OneCard,
    writes=True,
)
async def create_card(actor: Actor, args: CreateCard) -> dict[str, Any]:
    fields = args.model_dump(exclude={"project_id", "column_id"}, exclude_none=True)
    if "due_date" in fields:
        fields["due_date"] = _day(fields["due_date"])
    card = await cards.create_card(
        actor=actor, ref=ProjectRef(args.project_id), column_id=args.column_id, fields=fields
    )
    return {"card": card}


@tool(
    "update_card",
    title="Update a card",
    description="Change a card's title, description, priority, due date or assignee. The "
    "version must be the one you last read; a stale one is a conflict carrying the current "
    "card.",
    input=UpdateCard,
    scope=PROJECTS_WRITE,
    output=outputs.OneCard,
    writes=True,
)
async def update_card(actor: Actor, args: UpdateCard) -> dict[str, Any]:
    changes = args.model_dump(exclude={"project_id", "card_id", "version"}, exclude_unset=True)
    if changes.get("due_date") is not None:
        changes["due_date"] = _day(changes["due_date"])
    card = await cards.update_card(
        actor=actor,
        ref=ProjectRef(args.project_id),
        card_id=args.card_id,
        changes=changes,
        version=args.version,
    )
    return {"card": card}


@tool(
    "move_card",
    title="Move a card",
    description="Drop a card into a column, below `after_id` and/or above `before_id` (neither: "
    "the top). The version must be the one you last read.",
    input=MoveCard,
    scope=PROJECTS_WRITE,
    output=outputs.Moved,
    writes=True,
)
async def move_card(actor: Actor, args: MoveCard) -> dict[str, Any]:
    moved = await moves.move_card(
        actor=actor,
        ref=ProjectRef(args.project_id),
        card_id=args.card_id,
        column_id=args.column_id,
        after_id=args.after_id,
        before_id=args.before_id,
        version=args.version,
    )
    return {"move": moved}


@tool(
    "archive_card",
    title="Archive a card",
    description="Put a card in the project's trash, from where it can be restored.",
    input=ArchiveCard,
    scope=PROJECTS_WRITE,
    output=outputs.OneCard,
    writes=True,
)
async def archive_card(actor: Actor, args: ArchiveCard) -> dict[str, Any]:
    card = await cards.update_card(
        actor=actor,
        ref=ProjectRef(args.project_id),
        card_id=args.card_id,
        changes={"archived": True},
        version=args.version,
    )
    return {"card": card}


@tool(
    "add_comment",
    title="Comment on a card",
    description="Post a comment on a card; mentioned and assigned people are notified.",
    input=AddComment,
    scope=PROJECTS_WRITE,
    output=outputs.OneComment,
    writes=True,
)
async def add_comment(actor: Actor, args: AddComment) -> dict[str, Any]:
    comment = await comments.add_comment(
        actor=actor, project_id=args.project_id, card_id=args.card_id, content=args.content
    )
    return {"comment": comment}


@tool(
    "list_labels",
    title="List a board's labels",
    description="The labels of a project's board, to put on its cards with set_card_label.",
    input=ProjectArgs,
    scope=PROJECTS_READ,
    output=outputs.Labels,
)
async def list_labels(actor: Actor, args: ProjectArgs) -> dict[str, Any]:
    return {"labels": await labels.list_labels(actor=actor, ref=ProjectRef(args.project_id))}


@tool(
    "set_card_label",
    title="Label a card",
    description="Put one of the board's labels on a card, or take it off (applied: false). "
    "Doing it twice changes nothing.",
    input=SetCardLabel,
    scope=PROJECTS_WRITE,
    output=outputs.CardLabels,
    writes=True,
)
async def set_card_label(actor: Actor, args: SetCardLabel) -> dict[str, Any]:
    return await labels.set_card_label(
        actor=actor,
        ref=ProjectRef(args.project_id),
        card_id=args.card_id,
        label_id=args.label_id,
        applied=args.applied,
    )


@tool(
    "add_checklist_item",
    title="Add a checklist item",
    description="Append an item to a card's checklist.",
    input=AddChecklistItem,
    scope=PROJECTS_WRITE,
    output=outputs.ChecklistItemAdded,
    writes=True,
)
async def add_checklist_item(actor: Actor, args: AddChecklistItem) -> dict[str, Any]:
    ref = ProjectRef(args.project_id)
    return await checklists.add_item(actor=actor, ref=ref, card_id=args.card_id, title=args.title)
