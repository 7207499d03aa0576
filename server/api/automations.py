"""REST for a project's automation rules and their execution traces (seed 001).
Project admins manage rules; every project member reads them and their traces."""

from __future__ import annotations

from typing import Any

from server.api.automation_schemas import (
    RuleCreate,
    RulePublic,
    RuleToggle,
    RuleUpdate,
    RuleWithSecret,
    TracePublic,
    TraceQuery,
)
from server.api.routing import Api, Call
from server.api.shared import BOARD, Ok, project_ref
from services.automations import rules
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("automations")

RULES = BOARD + "/automations"
RULE = RULES + "/{rule_id}"


@api.route(
    "POST",
    RULES,
    summary="Create an automation rule: a trigger, conditions (JSON) and actions; its"
    " webhook signing secret is in this answer only",
    body=RuleCreate,
    response=RuleWithSecret,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def create_rule(call: Call) -> Any:
    body: RuleCreate = call.body
    rule, secret = await rules.create_rule(actor=call.user, ref=project_ref(call), **body.fields())
    return {**rule, "signingSecret": secret}


@api.route(
    "GET",
    RULES,
    summary="List the project's automation rules",
    response=list[RulePublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_rules(call: Call) -> Any:
    return await rules.list_rules(actor=call.user, ref=project_ref(call))


@api.route(
    "GET",
    RULE,
    summary="Get an automation rule",
    response=RulePublic,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def get_rule(call: Call) -> Any:
    return await rules.get_rule(
        actor=call.user, ref=project_ref(call), rule_id=call.path["rule_id"]
    )


@api.route(
    "PATCH",
    RULE,
    summary="Change an automation rule, or rotate its signing secret",
    body=RuleUpdate,
    response=RuleWithSecret,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def update_rule(call: Call) -> Any:
    body: RuleUpdate = call.body
    rule, secret = await rules.update_rule(
        actor=call.user, ref=project_ref(call), rule_id=call.path["rule_id"], changes=body.changes()
    )
    return {**rule, "signingSecret": secret}


@api.route(
    "DELETE",
    RULE,
    summary="Delete an automation rule and its traces",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def delete_rule(call: Call) -> Any:
    await rules.delete_rule(actor=call.user, ref=project_ref(call), rule_id=call.path["rule_id"])
    return {"ok": True}


@api.route(
    "PATCH",
    RULE + "/toggle",
    summary="Enable or disable an automation rule (flip it, or set `enabled`)",
    body=RuleToggle,
    response=RulePublic,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def toggle_rule(call: Call) -> Any:
    body: RuleToggle = call.body
    return await rules.toggle_rule(
        actor=call.user, ref=project_ref(call), rule_id=call.path["rule_id"], enabled=body.enabled
    )


@api.route(
    "GET",
    RULE + "/traces",
    summary="An automation rule's execution traces, newest first",
    query=TraceQuery,
    response=list[TracePublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_traces(call: Call) -> Any:
    query: TraceQuery = call.query
    return await rules.list_traces(
        actor=call.user,
        ref=project_ref(call),
        rule_id=call.path["rule_id"],
        limit=query.limit,
        before=query.before,
    )
