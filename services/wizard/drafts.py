"""Project drafts: framing, refinement, roadmap, then execution as a normal project.

A draft belongs to its author within one workspace: anyone else, even in the same
workspace, finds nothing (a draft may quote documents only its author can read).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from models import ProjectDraft
from services.actors import Actor
from services.auth import require_user
from services.boards import transfer
from services.boards.access import WorkspaceAccess, parse_id, workspace_access
from services.documents.access import document_access
from services.errors import Conflict, NotFound
from services.events import enclosing_unit_of_work, unit_of_work
from services.timefmt import iso
from services.wizard import engine
from services.wizard.rules import READY_AT, TOPICS, DraftText

STAGES = ("framing", "refinement", "roadmap", "executed")
NAME_MAX = 200
DESCRIPTION_MAX = 10_000
CONTEXT_MAX = 10
CONTEXT_TEXT_MAX = 20_000
ANSWER_MAX = 2_000
ANSWERS_MAX = 20
# Drafts one person may keep in one workspace.
MAX_DRAFTS = 50

# A context entry as given: a text blob, or the id of a document of the workspace.
ContextEntry = str | uuid.UUID


def draft_public(d: ProjectDraft) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "workspaceId": str(d.workspace_id),
        "name": d.name,
        "description": d.description,
        "contextDocuments": [
            {
                "kind": c["kind"],
                "documentId": c.get("documentId"),
                "title": c.get("title", ""),
                "characters": len(c.get("text", "")),
            }
            for c in d.context
        ],
        "stage": d.stage,
        "readiness": d.readiness,
        "readyAt": READY_AT,
        "ready": d.readiness >= READY_AT,
        "coverage": [{"topic": t, "percent": d.coverage.get(t, 0)} for t in TOPICS],
        "questions": d.questions,
        "answers": [{"topic": t, "answer": d.answers[t]} for t in TOPICS if t in d.answers],
        "roadmap": d.roadmap,
        "engine": d.engine,
        "projectId": str(d.project_id) if d.project_id else None,
        "createdAt": iso(d.created_at),
        "updatedAt": iso(d.updated_at),
        "executedAt": iso(d.executed_at),
    }


def _text_of(d: ProjectDraft) -> DraftText:
    return DraftText(
        name=d.name,
        description=d.description,
        context=[c.get("text", "") for c in d.context],
        answers=dict(d.answers),
    )


async def _assess(d: ProjectDraft) -> None:
    found = await engine.assess(_text_of(d))
    d.readiness = found.readiness
    d.coverage = found.coverage
    d.questions = found.questions
    d.engine = found.engine


async def _context(
    actor: Actor, ws: WorkspaceAccess, org_slug: str, ws_slug: str, entries: list[ContextEntry]
) -> list[dict[str, Any]]:
    """The context as stored: text blobs as given, documents read now, each only if the
    caller may open it (anything else is not found, as if it did not exist)."""
    out: list[dict[str, Any]] = []
    seen: set[uuid.UUID] = set()
    for entry in entries:
        if isinstance(entry, uuid.UUID):
            if entry in seen:
                continue
            seen.add(entry)
            access = await document_access(actor, org_slug, ws_slug, entry, ws=ws)
            doc = access.document
            out.append(
                {
                    "kind": "document",
                    "documentId": str(doc.id),
                    "title": doc.title,
                    "text": doc.text[:CONTEXT_TEXT_MAX],
                }
            )
        else:
            out.append({"kind": "text", "documentId": None, "title": "", "text": entry})
    return out


async def create_draft(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    name: str,
    description: str = "",
    context: list[ContextEntry] | None = None,
) -> dict[str, Any]:
    """Any workspace member may start one, as any member may create a project."""
    user_id = require_user(actor)
    ws = await workspace_access(actor, org_slug, ws_slug)
    stored = await _context(actor, ws, org_slug, ws_slug, context or [])
    draft = ProjectDraft(
        workspace_id=ws.workspace.id,
        author_id=user_id,
        name=name,
        description=description,
        context=stored,
    )
    await _assess(draft)
    async with unit_of_work():
        held = await ProjectDraft.filter(workspace_id=ws.workspace.id, author_id=user_id).count()
        if held >= MAX_DRAFTS:
            raise Conflict(
                f"You already have {MAX_DRAFTS} drafts in this workspace; delete one first"
            )
        await draft.save()
    return draft_public(draft)


async def _find(
    actor: Actor, org_slug: str, ws_slug: str, draft_id: Any, *, lock: bool = False
) -> ProjectDraft:
    user_id = require_user(actor)
    ws = await workspace_access(actor, org_slug, ws_slug)
    query = ProjectDraft.filter(
        id=parse_id(draft_id, "Draft"), workspace_id=ws.workspace.id, author_id=user_id
    )
    if lock:
        query = query.select_for_update()
    draft = await query.first()
    if draft is None:
        raise NotFound("Draft not found")
    return draft


def _not_executed(d: ProjectDraft) -> None:
    if d.stage == "executed":
        raise Conflict(
            "This draft was already executed: its project exists; start a new draft to plan again"
        )


async def list_drafts(*, actor: Actor, org_slug: str, ws_slug: str) -> list[dict[str, Any]]:
    """The caller's own drafts in the workspace, newest first."""
    user_id = require_user(actor)
    ws = await workspace_access(actor, org_slug, ws_slug)
    rows = await ProjectDraft.filter(workspace_id=ws.workspace.id, author_id=user_id).order_by(
        "-created_at", "id"
    )
    return [draft_public(d) for d in rows]


async def get_draft(*, actor: Actor, org_slug: str, ws_slug: str, draft_id: Any) -> dict[str, Any]:
    return draft_public(await _find(actor, org_slug, ws_slug, draft_id))


async def _save_unless_changed(
    actor: Actor, org_slug: str, ws_slug: str, draft: ProjectDraft, read_at: datetime
) -> None:
    """Write what was worked out from the draft as read, unless it changed meanwhile:
    the questions and the roadmap are worked out outside the transaction, since a model
    may take seconds to answer."""
    async with unit_of_work():
        current = await _find(actor, org_slug, ws_slug, draft.id, lock=True)
        _not_executed(current)
        if current.updated_at != read_at:
            raise Conflict("The draft changed meanwhile; load it again and retry")
        await draft.save()


async def refine(
    *, actor: Actor, org_slug: str, ws_slug: str, draft_id: Any, answers: dict[str, str]
) -> dict[str, Any]:
    """Record answers (the latest per topic wins; an empty answer withdraws one) and ask
    the next questions. Refining a draft that has a roadmap drops it: it no longer
    says what the answers say."""
    draft = await _find(actor, org_slug, ws_slug, draft_id)
    _not_executed(draft)
    read_at = draft.updated_at
    merged = dict(draft.answers)
    for topic, answer in answers.items():
        if answer:
            merged[topic] = answer
        else:
            merged.pop(topic, None)
    draft.answers = merged
    draft.stage = "refinement"
    draft.roadmap = None
    await _assess(draft)
    await _save_unless_changed(actor, org_slug, ws_slug, draft, read_at)
    return draft_public(draft)


async def generate_roadmap(
    *, actor: Actor, org_slug: str, ws_slug: str, draft_id: Any
) -> dict[str, Any]:
    draft = await _find(actor, org_slug, ws_slug, draft_id)
    _not_executed(draft)
    if draft.readiness < READY_AT:
        raise Conflict(
            f"The draft is not ready for a roadmap: readiness {draft.readiness} of 100, "
            f"{READY_AT} needed; answer the open questions first"
        )
    read_at = draft.updated_at
    draft.roadmap, draft.engine = await engine.roadmap(_text_of(draft))
    draft.stage = "roadmap"
    await _save_unless_changed(actor, org_slug, ws_slug, draft, read_at)
    return draft_public(draft)


def _card(deliverable: dict[str, Any], column: int) -> dict[str, Any]:
    hints: list[str] = deliverable.get("acceptanceHints") or []
    description = deliverable.get("description", "")
    if hints:
        description += "\n\nAcceptance hints:\n" + "\n".join(f"- {h}" for h in hints)
    return {
        "title": deliverable["title"],
        "description": description,
        "columnIndex": column,
        "checklist": [{"title": h, "done": False} for h in hints],
    }


def _as_import(d: ProjectDraft) -> dict[str, Any]:
    phases: list[dict[str, Any]] = (d.roadmap or {}).get("phases") or []
    return {
        "project": {"name": d.name, "description": d.description},
        "columns": [{"name": p["name"]} for p in phases],
        "cards": [
            _card(deliverable, i)
            for i, p in enumerate(phases)
            for deliverable in p.get("deliverables") or []
        ],
    }


async def execute(*, actor: Actor, org_slug: str, ws_slug: str, draft_id: Any) -> dict[str, Any]:
    """One transaction: the project, its phases as columns and its deliverables as cards
    (acceptance hints as each card's checklist), made by the same import as any
    project, and the draft marked executed. A second execution is refused."""
    async with enclosing_unit_of_work():
        draft = await _find(actor, org_slug, ws_slug, draft_id, lock=True)
        _not_executed(draft)
        if draft.stage != "roadmap" or not draft.roadmap:
            raise Conflict("The draft has no roadmap yet: generate one before executing it")
        project = await transfer.import_project(
            actor=actor, org_slug=org_slug, ws_slug=ws_slug, data=_as_import(draft)
        )
        draft.stage = "executed"
        draft.project_id = uuid.UUID(project["id"])
        draft.executed_at = datetime.now(UTC)
        await draft.save()
    return {"draft": draft_public(draft), "project": project}


async def delete_draft(*, actor: Actor, org_slug: str, ws_slug: str, draft_id: Any) -> None:
    """An executed draft may go too; its project stays."""
    draft = await _find(actor, org_slug, ws_slug, draft_id)
    await ProjectDraft.filter(id=draft.id).delete()
