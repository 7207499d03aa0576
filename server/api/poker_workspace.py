"""REST for the poker workspace: the account's team defaults, its room templates, and
new sessions made from a template. Another account's template is not found."""

from __future__ import annotations

from typing import Any

from server.api.poker_schemas import MessageResponse, SessionResponse, path_id
from server.api.poker_workspace_schemas import (
    TemplateCreate,
    TemplateListResponse,
    TemplateResponse,
    TemplateSessionCreate,
    TemplateUpdate,
    WorkspaceResponse,
    WorkspaceUpdate,
)
from server.api.routing import Api, Call
from services.poker import templates, workspace
from services.scopes import POKER_READ, POKER_WRITE

api = Api("poker-workspace")

TEMPLATE = "/workspace/templates/{template}"
# A template carries up to 100 stories of up to 10,500 characters each.
TEMPLATE_MAX_BODY = 2 * 1024 * 1024
_NOT_FOUND = "Template not found"


def _template_id(call: Call) -> int:
    return path_id(call.path["template"], _NOT_FOUND)


@api.route(
    "GET",
    "/workspace",
    summary="Your team defaults: the settings a new session or template starts from",
    response=WorkspaceResponse,
    scope=POKER_READ,
)
async def get_workspace(call: Call) -> Any:
    return {"success": True, "workspace": await workspace.get_workspace(actor=call.user)}


@api.route(
    "PATCH",
    "/workspace",
    summary="Change your team defaults; sessions made earlier keep their settings",
    body=WorkspaceUpdate,
    response=WorkspaceResponse,
    scope=POKER_WRITE,
)
async def update_workspace(call: Call) -> Any:
    body: WorkspaceUpdate = call.body
    changed = await workspace.update_workspace(
        actor=call.user, changes=body.model_dump(exclude_unset=True)
    )
    return {"success": True, "workspace": changed}


@api.route(
    "GET",
    "/workspace/templates",
    summary="List your room templates, by name",
    response=TemplateListResponse,
    scope=POKER_READ,
)
async def list_templates(call: Call) -> Any:
    return {"success": True, "templates": await templates.list_templates(actor=call.user)}


@api.route(
    "POST",
    "/workspace/templates",
    summary="Save a room template: settings (your defaults for those left out) and stories",
    body=TemplateCreate,
    response=TemplateResponse,
    status=201,
    scope=POKER_WRITE,
    max_body=TEMPLATE_MAX_BODY,
    errors=(409,),
)
async def create_template(call: Call) -> Any:
    body: TemplateCreate = call.body
    fields = body.model_dump(exclude_unset=True)
    template = await templates.create_template(
        actor=call.user,
        name=fields.pop("name"),
        description=fields.pop("description", ""),
        stories=fields.pop("stories", []),
        settings=fields,
    )
    return {"success": True, "template": template}


@api.route(
    "GET",
    TEMPLATE,
    summary="Get one of your room templates",
    response=TemplateResponse,
    scope=POKER_READ,
    errors=(404,),
)
async def get_template(call: Call) -> Any:
    template = await templates.get_template(actor=call.user, template_id=_template_id(call))
    return {"success": True, "template": template}


@api.route(
    "PATCH",
    TEMPLATE,
    summary="Change a room template; `stories` replaces its list",
    body=TemplateUpdate,
    response=TemplateResponse,
    scope=POKER_WRITE,
    max_body=TEMPLATE_MAX_BODY,
    errors=(404, 409),
)
async def update_template(call: Call) -> Any:
    body: TemplateUpdate = call.body
    template = await templates.update_template(
        actor=call.user,
        template_id=_template_id(call),
        changes=body.model_dump(exclude_unset=True),
    )
    return {"success": True, "template": template}


@api.route(
    "DELETE",
    TEMPLATE,
    summary="Delete a room template; sessions made from it stay",
    response=MessageResponse,
    scope=POKER_WRITE,
    errors=(404,),
)
async def delete_template(call: Call) -> Any:
    await templates.delete_template(actor=call.user, template_id=_template_id(call))
    return {"success": True, "message": "Template deleted"}


@api.route(
    "POST",
    TEMPLATE + "/sessions",
    summary="Create a session from a template, with its stories; answers as POST /sessions",
    body=TemplateSessionCreate,
    response=SessionResponse,
    status=201,
    scope=POKER_WRITE,
    errors=(404, 409),
)
async def start_session(call: Call) -> Any:
    body: TemplateSessionCreate = call.body
    session = await templates.start_session(
        actor=call.user, template_id=_template_id(call), **body.model_dump(exclude_unset=True)
    )
    return {"success": True, "session": session}
