"""Permission matrix rows of the project wizard: any workspace member may draft a
project, and each draft is its author's alone (each caller acts on a draft of their
own; a stranger meets the owner's). PATs need projects:read or projects:write."""

from __future__ import annotations

from typing import Any

from services.wizard import drafts
from tests.factories import user_actor
from tests.matrix import READ, TENANT_IDS, Req, World, expect, row

WS = "/orgs/{org_slug}/workspaces/{ws_slug}"
DRAFTS = WS + "/project-drafts"
DRAFT = DRAFTS + "/{draft_id}"

TENANT_IDS.append("draft_id")

WRITE = expect(200, 200, 200)
CREATE = expect(201, 201, 201)
DESCRIPTION = (
    "We want to help patients book appointments online so that the front desk spends "
    "less time on the phone.\n- Patients can see free slots\n- Staff can manage the calendar"
)
ANSWERS = {
    "success": "Phone calls to the front desk drop by 30% in three months",
    "deadline": "Live before the end of March, when the new clinic opens",
    "risks": "The SMS provider may be too expensive for the clinic",
}


async def a_draft(w: World, caller: str, *, stage: str = "framing") -> str:
    """A draft of the caller's own (the owner's for someone outside the workspace)."""
    user = await w.user(caller)
    if caller in ("anonymous", "stranger"):
        user = w.owner
    where: dict[str, Any] = {
        "actor": user_actor(user),
        "org_slug": w.board.org.slug,
        "ws_slug": w.board.workspace.slug,
    }
    made = await drafts.create_draft(
        name=w.tag + "Clinic booking", description=w.tag + DESCRIPTION, **where
    )
    if stage in ("refinement", "roadmap"):
        await drafts.refine(draft_id=made["id"], answers=ANSWERS, **where)
    if stage == "roadmap":
        await drafts.generate_roadmap(draft_id=made["id"], **where)
    return str(made["id"])


async def new_draft(w: World, caller: str) -> Req:
    return Req(json={"name": "Clinic booking", "description": DESCRIPTION})


async def draft(w: World, caller: str) -> Req:
    return Req({"draft_id": await a_draft(w, caller)})


async def answers(w: World, caller: str) -> Req:
    body = {"answers": [{"topic": t, "answer": a} for t, a in ANSWERS.items()]}
    return Req({"draft_id": await a_draft(w, caller)}, json=body)


async def ready(w: World, caller: str) -> Req:
    return Req({"draft_id": await a_draft(w, caller, stage="refinement")})


async def planned(w: World, caller: str) -> Req:
    return Req({"draft_id": await a_draft(w, caller, stage="roadmap")})


async def seed(w: World) -> dict[str, str]:
    """A draft for the schema's fuzzing, ready for a roadmap."""
    return {"draft_id": await a_draft(w, "owner", stage="refinement")}


row("POST", DRAFTS, CREATE, new_draft)
row("GET", DRAFTS, READ)
row("GET", DRAFT, READ, draft)
row("POST", DRAFT + "/refine", WRITE, answers)
row("POST", DRAFT + "/generate-roadmap", WRITE, ready)
row("POST", DRAFT + "/execute", CREATE, planned)
row("DELETE", DRAFT, WRITE, draft)
