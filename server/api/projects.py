"""REST for projects (seed 001, "Projects", "Project Import & Export", "Project Members")
and poker on a card.

The literal paths (portfolio, templates, import) are declared before
`projects/{project_id}`, and build_routes also puts literal segments first.
"""

from __future__ import annotations

from typing import Any

from server.api.board_schemas_projects import (
    EstimateRequest,
    EstimateStarted,
    Portfolio,
    ProjectCreate,
    ProjectExport,
    ProjectImport,
    ProjectImported,
    ProjectMemberAdd,
    ProjectMemberPublic,
    ProjectPublic,
    ProjectTemplatePublic,
    ProjectUpdate,
)
from server.api.routing import Api, Call
from server.api.shared import BOARD, WS, Ok, project_where, ws_where
from services.boards import estimation, portfolio, project_members, projects, transfer
from services.boards.access import workspace_access
from services.boards.templates import list_templates
from services.scopes import POKER_WRITE, PROJECTS_READ, PROJECTS_WRITE

api = Api("projects")

BASE = WS + "/projects"
PROJECT = BOARD
IMPORT_MAX_BODY = 5 * 1024 * 1024


@api.route(
    "GET",
    BASE + "/portfolio",
    summary="Every project you can see, with its progress in numbers",
    response=Portfolio,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def get_portfolio(call: Call) -> Any:
    return await portfolio.portfolio(actor=call.user, **ws_where(call))


@api.route(
    "GET",
    BASE + "/templates",
    summary="The templates a new project can start from",
    response=list[ProjectTemplatePublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def get_templates(call: Call) -> Any:
    await workspace_access(call.user, **ws_where(call))
    return list_templates()


@api.route(
    "POST",
    BASE + "/import",
    summary="Create a project from an export: up to 50 columns and 500 cards, all or nothing",
    body=ProjectImport,
    response=ProjectImported,
    status=201,
    scope=PROJECTS_WRITE,
    max_body=IMPORT_MAX_BODY,
    errors=(404, 413),
)
async def import_project(call: Call) -> Any:
    body: ProjectImport = call.body
    data = body.model_dump(by_alias=True, exclude_none=False)
    return await transfer.import_project(actor=call.user, data=data, **ws_where(call))


@api.route(
    "POST",
    BASE,
    summary="Create a project; you become its admin",
    body=ProjectCreate,
    response=ProjectPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def create_project(call: Call) -> Any:
    body: ProjectCreate = call.body
    return await projects.create_project(
        actor=call.user,
        name=body.name,
        description=body.description,
        template=body.template,
        **ws_where(call),
    )


@api.route(
    "GET",
    BASE,
    summary="The workspace's projects you can see",
    response=list[ProjectPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_projects(call: Call) -> Any:
    return await projects.list_projects(actor=call.user, **ws_where(call))


@api.route(
    "GET",
    PROJECT,
    summary="A project",
    response=ProjectPublic,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def get_project(call: Call) -> Any:
    return await projects.get_project(actor=call.user, **project_where(call))


@api.route(
    "PATCH",
    PROJECT,
    summary="Rename or describe a project (project members)",
    body=ProjectUpdate,
    response=ProjectPublic,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def update_project(call: Call) -> Any:
    body: ProjectUpdate = call.body
    return await projects.update_project(
        actor=call.user, name=body.name, description=body.description, **project_where(call)
    )


@api.route(
    "DELETE",
    PROJECT,
    summary="Delete a project and everything on its board (project admins)",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(403, 404),
)
async def delete_project(call: Call) -> Any:
    await projects.delete_project(actor=call.user, **project_where(call))
    return {"ok": True}


@api.route(
    "GET",
    PROJECT + "/export",
    summary="The project as one JSON snapshot: columns, cards, labels, custom fields",
    response=ProjectExport,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def export_project(call: Call) -> Any:
    return await transfer.export_project(actor=call.user, **project_where(call))


@api.route(
    "GET",
    PROJECT + "/members",
    summary="The project's members",
    response=list[ProjectMemberPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_members(call: Call) -> Any:
    return await project_members.list_members(actor=call.user, **project_where(call))


@api.route(
    "POST",
    PROJECT + "/members",
    summary="Add a workspace member to the project by email (project admins)",
    body=ProjectMemberAdd,
    response=ProjectMemberPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(403, 404, 409),
)
async def add_member(call: Call) -> Any:
    body: ProjectMemberAdd = call.body
    return await project_members.add_member(
        actor=call.user, email=body.email, role=body.role, **project_where(call)
    )


@api.route(
    "DELETE",
    PROJECT + "/members/{user_id}",
    summary="Remove a member (project admins), or leave the project yourself",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(403, 404, 409),
)
async def remove_member(call: Call) -> Any:
    await project_members.remove_member(
        actor=call.user, user_id=call.path["user_id"], **project_where(call)
    )
    return {"ok": True}


@api.route(
    "POST",
    PROJECT + "/cards/{card_id}/estimate",
    summary="Estimate a card with planning poker: a new session, or a story in yours",
    body=EstimateRequest,
    response=EstimateStarted,
    status=201,
    # It puts the card in a poker session as a story, so it needs both faces' write.
    scope=(PROJECTS_WRITE, POKER_WRITE),
    errors=(403, 404, 409),
)
async def estimate_card(call: Call) -> Any:
    body: EstimateRequest = call.body
    return await estimation.estimate_card(
        actor=call.user,
        card_id=call.path["card_id"],
        session_code=body.session_code,
        **project_where(call),
    )
