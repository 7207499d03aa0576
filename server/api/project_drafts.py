"""REST for the AI project wizard (seed 001, "AI Project Wizard"): a draft is framed,
refined with answers, given a roadmap, then executed as a project."""

from __future__ import annotations

from typing import Any

from server.api.project_draft_schemas import (
    BODY_MAX,
    DocumentRef,
    DraftCreate,
    DraftExecuted,
    DraftPublic,
    DraftRefine,
)
from server.api.routing import Api, Call
from server.api.shared import WS, Ok, ws_where
from services.scopes import DOCUMENTS_READ, PROJECTS_READ, PROJECTS_WRITE, require
from services.wizard import drafts

api = Api("project-drafts")

BASE = WS + "/project-drafts"
DRAFT = BASE + "/{draft_id}"


def _draft_where(call: Call) -> dict[str, Any]:
    return {**ws_where(call), "draft_id": call.path["draft_id"]}


@api.route(
    "POST",
    BASE,
    summary="Start a project draft from a name, a description and context documents",
    body=DraftCreate,
    response=DraftPublic,
    status=201,
    scope=PROJECTS_WRITE,
    max_body=BODY_MAX,
    errors=(404, 409, 413),
)
async def create_draft(call: Call) -> Any:
    body: DraftCreate = call.body
    context = [c.document_id if isinstance(c, DocumentRef) else c for c in body.context_documents]
    if any(isinstance(c, DocumentRef) for c in body.context_documents):
        # Reading a document through the wizard is reading it.
        require(call.user, DOCUMENTS_READ)
    return await drafts.create_draft(
        actor=call.user,
        name=body.name,
        description=body.description,
        context=context,
        **ws_where(call),
    )


@api.route(
    "GET",
    BASE,
    summary="Your project drafts in this workspace, newest first",
    response=list[DraftPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_drafts(call: Call) -> Any:
    return await drafts.list_drafts(actor=call.user, **ws_where(call))


@api.route(
    "GET",
    DRAFT,
    summary="A draft with its stage, readiness, questions and roadmap",
    response=DraftPublic,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def get_draft(call: Call) -> Any:
    return await drafts.get_draft(actor=call.user, **_draft_where(call))


@api.route(
    "POST",
    DRAFT + "/refine",
    summary="Answer the draft's questions; get its readiness and the next questions",
    body=DraftRefine,
    response=DraftPublic,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def refine_draft(call: Call) -> Any:
    body: DraftRefine = call.body
    answers: dict[str, str] = {a.topic: a.answer for a in body.answers}
    return await drafts.refine(actor=call.user, answers=answers, **_draft_where(call))


@api.route(
    "POST",
    DRAFT + "/generate-roadmap",
    summary="Plan phases and deliverables (409 while the readiness is too low)",
    response=DraftPublic,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def generate_roadmap(call: Call) -> Any:
    return await drafts.generate_roadmap(actor=call.user, **_draft_where(call))


@api.route(
    "POST",
    DRAFT + "/execute",
    summary="Create the project: phases become columns, deliverables cards (once)",
    response=DraftExecuted,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def execute_draft(call: Call) -> Any:
    return await drafts.execute(actor=call.user, **_draft_where(call))


@api.route(
    "DELETE",
    DRAFT,
    summary="Delete a draft (an executed draft's project stays)",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def delete_draft(call: Call) -> Any:
    await drafts.delete_draft(actor=call.user, **_draft_where(call))
    return {"ok": True}
