"""A project's rules: create (the webhook signing secret is shown once), read, change,
turn on or off, delete, and read their traces. Project admins manage rules; every
project member reads them. Whoever saves a rule last is its owner: it acts with their
rights."""

from __future__ import annotations

import uuid
from typing import Any

from models import AutomationRule, Column, Label, ProjectMember
from services.actors import Actor
from services.automations import actions as action_kinds
from services.automations import conditions, due, listener, traces, webhook
from services.automations.triggers import DUE_DATE_REACHED, OPTIONS, STATUSES, TRIGGERS
from services.boards.access import ProjectAccess, parse_id
from services.boards.locate import ProjectRef, board_access
from services.errors import Conflict, Forbidden, NotFound, invalid_field
from services.timefmt import iso

MAX_RULES = 50
NAME_MAX = 100
_NOT_FOUND = "Automation rule not found"
_PRIORITIES = (None, "low", "medium", "high")


def rule_public(rule: AutomationRule) -> dict[str, Any]:
    return {
        "id": str(rule.id),
        "projectId": str(rule.project_id),
        "name": rule.name,
        "enabled": rule.enabled,
        "trigger": {"type": rule.trigger, **rule.trigger_options},
        "conditions": rule.conditions,
        "actions": list(rule.actions),
        "ownerId": str(rule.owner_id) if rule.owner_id else None,
        "createdAt": iso(rule.created_at),
        "updatedAt": iso(rule.updated_at),
    }


async def _rule_in(access: ProjectAccess, rule_id: Any) -> AutomationRule:
    wanted = parse_id(rule_id, "Automation rule")
    rule = await AutomationRule.filter(id=wanted, project_id=access.project.id).first()
    if rule is None:
        raise NotFound(_NOT_FOUND)
    return rule


async def _admin(actor: Actor, ref: ProjectRef) -> ProjectAccess:
    access = await board_access(actor, ref)
    if not access.is_admin:
        raise Forbidden("Only a project admin can manage automation rules")
    return access


# Checking what a rule names


class _Names:
    """The ids a rule names, checked against the project in one read per kind."""

    def __init__(self) -> None:
        self.wanted: list[tuple[str, str, str]] = []

    def add(self, kind: str, value: Any, where: str) -> None:
        self.wanted.append((kind, str(value), where))

    async def check(self, project_id: uuid.UUID) -> None:
        found: dict[str, set[str]] = {}
        for kind in {k for k, _, _ in self.wanted}:
            found[kind] = await _ids(kind, project_id)
        for kind, value, where in self.wanted:
            if value not in found[kind]:
                raise invalid_field(where, f"names no {kind} of this project")


async def _ids(kind: str, project_id: uuid.UUID) -> set[str]:
    if kind == "column":
        rows = await Column.filter(project_id=project_id).values_list("id", flat=True)
    elif kind == "label":
        rows = await Label.filter(project_id=project_id).values_list("id", flat=True)
    else:
        rows = await ProjectMember.filter(project_id=project_id).values_list("user_id", flat=True)
    return {str(r) for r in rows}


def _uuid(value: Any, where: str, what: str) -> str:
    if not conditions.is_uuid(value):
        raise invalid_field(where, f"must be the id of a {what}")
    return str(uuid.UUID(value))


def _trigger(trigger: Any, names: _Names) -> tuple[str, dict[str, Any]]:
    if not isinstance(trigger, dict) or trigger.get("type") not in TRIGGERS:
        raise invalid_field("trigger.type", f"must be one of {', '.join(TRIGGERS)}")
    kind = trigger["type"]
    options: dict[str, Any] = {}
    for name, value in trigger.items():
        if name == "type":
            continue
        what = OPTIONS[kind].get(name)
        where = f"trigger.{name}"
        if what is None:
            raise invalid_field(where, f"{kind} takes no option {name!r}")
        if value is None:
            continue
        if what == "status":
            if value not in STATUSES:
                raise invalid_field(where, f"must be one of {', '.join(STATUSES)}")
        else:
            value = _uuid(value, where, what)
            names.add(what, value, where)
        options[name] = value
    return kind, options


def _action(action: Any, where: str, names: _Names) -> dict[str, Any]:
    if not isinstance(action, dict) or action.get("type") not in action_kinds.ACTIONS:
        raise invalid_field(f"{where}.type", f"must be one of {', '.join(action_kinds.ACTIONS)}")
    kind = action["type"]
    ids = {
        "move_to_column": ("columnId", "column"),
        "add_label": ("labelId", "label"),
        "remove_label": ("labelId", "label"),
    }
    if kind in ids:
        key, what = ids[kind]
        action[key] = _uuid(action.get(key), f"{where}.{key}", what)
        names.add(what, action[key], f"{where}.{key}")
    elif kind == "assign" and action.get("userId") is not None:
        action["userId"] = _uuid(action["userId"], f"{where}.userId", "member")
        names.add("member", action["userId"], f"{where}.userId")
    elif kind == "set_priority" and action.get("priority") not in _PRIORITIES:
        raise invalid_field(f"{where}.priority", "must be low, medium, high or null")
    elif kind == "notify":
        to = list(action.get("to") or [])
        for i, who in enumerate(to):
            if who not in ("assignee", "creator"):
                spot = f"{where}.to.{i}"
                to[i] = _uuid(who, spot, "member")
                names.add("member", to[i], spot)
        action["to"] = to
    return action


async def _checked(
    access: ProjectAccess,
    *,
    trigger: Any,
    conditions_tree: Any,
    action_list: Any,
) -> tuple[str, dict[str, Any], dict[str, Any] | None, list[dict[str, Any]]]:
    names = _Names()
    kind, options = _trigger(trigger, names)
    if conditions_tree is not None:
        conditions.check(conditions_tree)
        for what, value, where in conditions.references(conditions_tree):
            names.add(what, value, where)
    if not isinstance(action_list, list) or not 1 <= len(action_list) <= action_kinds.MAX_ACTIONS:
        raise invalid_field("actions", f"must list 1-{action_kinds.MAX_ACTIONS} actions")
    checked = [_action(a, f"actions.{i}", names) for i, a in enumerate(action_list)]
    await names.check(access.project.id)
    for i, action in enumerate(checked):
        if action["type"] == "call_webhook":
            action["url"] = await webhook.check_url(action.get("url", ""), field=f"actions.{i}.url")
    return kind, options, conditions_tree, checked


def _name(name: Any) -> str:
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= NAME_MAX:
        raise invalid_field("name", f"must be 1-{NAME_MAX} characters")
    return name.strip()


async def _saved(rule: AutomationRule) -> None:
    listener.forget()
    if rule.enabled and rule.trigger == DUE_DATE_REACHED:
        await due.plan_project(rule.project_id)


async def create_rule(
    *,
    actor: Actor,
    ref: ProjectRef,
    name: str,
    trigger: dict[str, Any],
    actions: list[dict[str, Any]],
    conditions_tree: dict[str, Any] | None = None,
    enabled: bool = True,
) -> tuple[dict[str, Any], str]:
    """A new rule, and the secret that signs its webhook calls (shown this once)."""
    access = await _admin(actor, ref)
    clean = _name(name)
    kind, options, tree, checked = await _checked(
        access, trigger=trigger, conditions_tree=conditions_tree, action_list=actions
    )
    if await AutomationRule.filter(project_id=access.project.id).count() >= MAX_RULES:
        raise Conflict(f"A project has at most {MAX_RULES} automation rules")
    secret, sealed_secret = webhook.new_secret()
    rule = await AutomationRule.create(
        project_id=access.project.id,
        name=clean,
        enabled=enabled,
        trigger=kind,
        trigger_options=options,
        conditions=tree,
        actions=checked,
        owner_id=actor.user_id,
        secret_sealed=sealed_secret,
    )
    await _saved(rule)
    return rule_public(rule), secret


async def list_rules(*, actor: Actor, ref: ProjectRef) -> list[dict[str, Any]]:
    access = await board_access(actor, ref)
    rows = await AutomationRule.filter(project_id=access.project.id).order_by("created_at", "id")
    return [rule_public(r) for r in rows]


async def get_rule(*, actor: Actor, ref: ProjectRef, rule_id: Any) -> dict[str, Any]:
    access = await board_access(actor, ref)
    return rule_public(await _rule_in(access, rule_id))


async def update_rule(
    *, actor: Actor, ref: ProjectRef, rule_id: Any, changes: dict[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """Apply the keys present in `changes` (name, enabled, trigger, conditions, actions,
    rotate_secret); `conditions: None` removes them. The caller becomes the owner."""
    access = await _admin(actor, ref)
    rule = await _rule_in(access, rule_id)
    if "name" in changes:
        rule.name = _name(changes["name"])
    if changes.get("enabled") is not None:
        rule.enabled = bool(changes["enabled"])
    trigger = changes.get("trigger") or {"type": rule.trigger, **rule.trigger_options}
    tree = changes.get("conditions", rule.conditions)
    action_list = changes.get("actions") or rule.actions
    kind, options, tree, checked = await _checked(
        access, trigger=trigger, conditions_tree=tree, action_list=action_list
    )
    rule.trigger, rule.trigger_options, rule.conditions, rule.actions = kind, options, tree, checked
    secret = None
    if changes.get("rotate_secret"):
        secret, rule.secret_sealed = webhook.new_secret()
    rule.owner_id = actor.user_id
    await rule.save()
    await _saved(rule)
    return rule_public(rule), secret


async def toggle_rule(
    *, actor: Actor, ref: ProjectRef, rule_id: Any, enabled: bool | None = None
) -> dict[str, Any]:
    """Turn the rule on or off (`enabled`), or flip it."""
    access = await _admin(actor, ref)
    rule = await _rule_in(access, rule_id)
    rule.enabled = (not rule.enabled) if enabled is None else enabled
    rule.owner_id = actor.user_id
    await rule.save()
    await _saved(rule)
    return rule_public(rule)


async def delete_rule(*, actor: Actor, ref: ProjectRef, rule_id: Any) -> None:
    """The rule and its traces; runs still queued find it gone."""
    access = await _admin(actor, ref)
    rule = await _rule_in(access, rule_id)
    await rule.delete()
    listener.forget()


async def list_traces(
    *,
    actor: Actor,
    ref: ProjectRef,
    rule_id: Any,
    limit: int = traces.LIMIT_DEFAULT,
    before: int | None = None,
) -> list[dict[str, Any]]:
    """The rule's executions, newest first; `before` pages back from a trace id."""
    access = await board_access(actor, ref)
    rule = await _rule_in(access, rule_id)
    return await traces.list_traces(rule, limit=limit, before=before)
