"""The pilotage state: one read of a workspace's missions, priorities, todos, decisions
and active documents, shaped by a profile and a detail level (docs/pilotage.md).

- `cycle` is "v" and the workspace room's seq: it changes with every pilotage change,
  so two equal cycles are the same state. `contractVersion` is the version of this
  response's shape.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from models import Card, ProposedAction
from services.actors import Actor
from services.events import current_seq
from services.pilotage import items, public
from services.pilotage.access import PilotageAccess, pilotage_access

CONTRACT_VERSION = 1
PROFILES = ("pilotage", "execution", "revue")
INTENTS = ("weekly_review", "daily_execution", "sprint_planning", "context_only")
DETAIL_LEVELS = ("minimal", "standard", "detailed")
# The most recent decisions the pilotage profile shows; revue shows them all.
RECENT_DECISIONS = 20


@dataclass(frozen=True)
class Sections:
    """What a profile shows: which missions and todos (all, or only those not done),
    and whether decisions and documents are in it."""

    all_missions: bool
    all_todos: bool
    decisions: int | None  # how many of the latest; None for all, 0 for none
    docs: bool


PROFILE_SECTIONS = {
    "pilotage": Sections(all_missions=True, all_todos=False, decisions=RECENT_DECISIONS, docs=True),
    "execution": Sections(all_missions=False, all_todos=False, decisions=0, docs=False),
    "revue": Sections(all_missions=True, all_todos=True, decisions=None, docs=True),
}

# minimal: what each item is called, and its status.
_MINIMAL = {
    "mission": ("id", "objective", "status"),
    "priority": ("id", "label"),
    "todo": ("id", "label", "status"),
    "decision": ("id", "title"),
    "doc": ("id", "title", "sourceType"),
}
_STAMPS = ("createdAt", "updatedAt")


def _shaped(kind: str, item: dict[str, Any], level: str) -> dict[str, Any]:
    if level == "minimal":
        return {k: item[k] for k in _MINIMAL[kind]}
    if level == "standard":
        return {k: v for k, v in item.items() if k not in _STAMPS}
    return item


def _open(status: str) -> bool:
    return status != "done"


async def pilotage_state(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    profile: str = "pilotage",
    intent: str | None = None,
    detail_level: str = "standard",
) -> dict[str, Any]:
    access = await pilotage_access(actor, org_slug, ws_slug)
    # Read the cycle first: a change committed while the rows are read gives a newer
    # cycle on the next read, never an older one for newer rows.
    seq = await current_seq(access.room)
    show = PROFILE_SECTIONS[profile]
    minimal = detail_level == "minimal"
    ws = access.workspace_id
    missions = [
        public.mission_public(m)
        for m in await items.rows_of(items.MISSIONS, ws)
        if (show.all_missions and not minimal) or _open(m.status)
    ]
    todos = [
        public.todo_public(t)
        for t in await items.rows_of(items.TODOS, ws)
        if (show.all_todos and not minimal) or _open(t.status)
    ]
    priorities = [
        public.priority_public(p) for p in await items.rows_of(items.PRIORITIES, ws) if p.active
    ]
    decisions: list[dict[str, Any]] = []
    if show.decisions != 0:
        rows = await items.rows_of(items.DECISIONS, ws)
        kept = rows if show.decisions is None else rows[-show.decisions :]
        decisions = [public.decision_public(d) for d in reversed(kept)]
    docs = [public.doc_public(d) for d in await items.rows_of(items.DOCS, ws)] if show.docs else []
    state: dict[str, Any] = {
        "cycle": f"v{seq}",
        "contractVersion": CONTRACT_VERSION,
        "missions": [_shaped("mission", m, detail_level) for m in missions],
        "activePriorities": [_shaped("priority", p, detail_level) for p in priorities],
        "todos": [_shaped("todo", t, detail_level) for t in todos],
        "decisions": [_shaped("decision", d, detail_level) for d in decisions],
        "activeDocs": [_shaped("doc", d, detail_level) for d in docs],
        "usageContext": {"profile": profile, "role": access.role, "intent": intent},
    }
    if detail_level == "detailed":
        await _link(access, state, missions, priorities, todos)
    return state


async def _link(
    access: PilotageAccess,
    state: dict[str, Any],
    missions: list[dict[str, Any]],
    priorities: list[dict[str, Any]],
    todos: list[dict[str, Any]],
) -> None:
    """What `detailed` adds: each todo's mission and priority by name, each mission's
    todo counts, and the actions awaiting review or apply with links to the cards and
    boards they name."""
    names = {m["id"]: m["objective"] for m in missions}
    labels = {p["id"]: p["label"] for p in priorities}
    for todo in state["todos"]:
        todo["mission"] = (
            {"id": todo["missionId"], "objective": names.get(todo["missionId"])}
            if todo["missionId"]
            else None
        )
        todo["priority"] = (
            {"id": todo["priorityId"], "label": labels.get(todo["priorityId"])}
            if todo["priorityId"]
            else None
        )
    counts: dict[str, Counter[str]] = {}
    for todo in todos:
        if todo["missionId"]:
            counts.setdefault(todo["missionId"], Counter())[todo["status"]] += 1
    for mission in state["missions"]:
        mission["todoCounts"] = dict(counts.get(mission["id"], Counter()))
    pending = await ProposedAction.filter(
        workspace_id=access.workspace_id, status__in=("suggested", "approved")
    ).order_by("created_at", "id")
    card_ids = {a.payload.get("cardId") for a in pending} - {None}
    boards = {
        str(cid): str(pid)
        for cid, pid in await Card.filter(
            id__in=[c for c in card_ids if _is_uuid(c)], project__workspace_id=access.workspace_id
        ).values_list("id", "project_id")
    }
    state["pendingActions"] = [
        public.action_public(a) | {"links": _links(access, a.payload, boards)} for a in pending
    ]


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _links(
    access: PilotageAccess, payload: dict[str, Any], boards: dict[str, str]
) -> dict[str, str]:
    """Where in the app the board of a payload's card or project opens."""
    base = f"/b/{access.org_slug}/{access.ws_slug}"
    project = boards.get(str(payload.get("cardId"))) or payload.get("projectId")
    if isinstance(project, str) and _is_uuid(project):
        return {"board": f"{base}/{project}"}
    return {}
