"""Permission matrix rows of automation rules: project admins manage them, every
project member reads them and their traces; anyone else gets 404."""

from __future__ import annotations

from models import AutomationRule, AutomationTrace
from services.automations.webhook import new_secret
from tests.matrix import ADMIN_CREATE, ADMIN_WRITE, READ, TENANT_IDS, Req, World, row

P = "/orgs/{org_slug}/workspaces/{ws_slug}/projects/{project_id}"
RULES = P + "/automations"
RULE = RULES + "/{rule_id}"

TENANT_IDS.append("rule_id")


async def seeded_rule(w: World) -> str:
    """A rule of the world's project, with one trace."""
    _, sealed = new_secret()
    made = await AutomationRule.create(
        project_id=w.board.project.id,
        name=(w.tag + "Label done cards")[:100],
        trigger="task_created",
        actions=[{"type": "add_comment", "text": w.tag + "Welcome"}],
        owner_id=w.owner.id,
        secret_sealed=sealed,
    )
    await AutomationTrace.create(
        rule_id=made.id,
        project_id=w.board.project.id,
        trigger="task_created",
        actor={"id": str(made.id), "name": "Rule: " + made.name, "kind": "automation"},
        card_title=w.tag + "Write the spec",
        result="success",
    )
    return str(made.id)


async def new_rule(w: World, caller: str) -> Req:
    return Req(
        json={
            "name": "Welcome new cards",
            "trigger": {"type": "task_created"},
            "actions": [{"type": "add_comment", "text": "Welcome"}],
        }
    )


async def a_rule(w: World, caller: str) -> Req:
    return Req({"rule_id": await seeded_rule(w)})


async def rename_rule(w: World, caller: str) -> Req:
    return Req({"rule_id": await seeded_rule(w)}, json={"name": "Renamed"})


async def switch_off(w: World, caller: str) -> Req:
    return Req({"rule_id": await seeded_rule(w)}, json={"enabled": False})


row("POST", RULES, ADMIN_CREATE, new_rule)
row("GET", RULES, READ)
row("GET", RULE, READ, a_rule)
row("PATCH", RULE, ADMIN_WRITE, rename_rule)
row("DELETE", RULE, ADMIN_WRITE, a_rule)
row("PATCH", RULE + "/toggle", ADMIN_WRITE, switch_off)
row("GET", RULE + "/traces", READ, a_rule)
