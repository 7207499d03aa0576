"""Document tools: find and read a workspace's documents (with their plain text), write
one, save it with the version last read, and submit it for review. Reviewing stays with
people: no tool approves a document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.actors import Actor
from services.documents import content as contents
from services.documents import documents, review
from services.documents.public import TITLE_MAX
from services.scopes import DOCUMENTS_READ, DOCUMENTS_WRITE
from services.tools.registry import tool

Id = Field(min_length=1, max_length=64)
OptionalId = Field(None, min_length=1, max_length=64)
Slug = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
DocType = Literal[
    "document", "spec", "brief", "adr", "note", "reference", "template", "spreadsheet"
]
ScopeType = Literal["organization", "workspace", "project", "scope"]
_TEXT = (
    "Either `text` (plain text, one paragraph per line) or `content` (TipTap JSON: "
    '{"type": "doc", "content": [...]}, StarterKit nodes and marks).'
)


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkspaceArgs(_Args):
    org_slug: str = Slug
    ws_slug: str = Slug


class FindArgs(WorkspaceArgs):
    q: str | None = Field(None, min_length=1, max_length=200, description="Words to look for")
    doc_type: DocType | None = None
    scope_type: ScopeType | None = None
    project_id: str | None = OptionalId
    parent_id: str | None = OptionalId


class DocumentArgs(WorkspaceArgs):
    document_id: str = Id


class _Body(_Args):
    text: str | None = Field(None, max_length=contents.MAX_TEXT)
    content: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_body(self) -> _Body:
        if self.text is not None and self.content is not None:
            raise ValueError("send text or content, not both")
        return self

    def body(self) -> dict[str, Any] | None:
        if self.text is not None:
            return contents.from_text(self.text)
        return self.content


class CreateArgs(WorkspaceArgs, _Body):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    doc_type: DocType = "document"
    scope_type: ScopeType = "workspace"
    project_id: str | None = OptionalId
    scope_id: str | None = OptionalId
    parent_id: str | None = OptionalId


class SaveArgs(DocumentArgs, _Body):
    version: int = Field(ge=1, le=2**31 - 1, description="The document's version you last read")
    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    doc_type: DocType | None = None


class SubmitArgs(DocumentArgs):
    reviewer_id: str | None = OptionalId


@tool(
    "find_documents",
    title="Find documents",
    description=(
        "The documents you may open from a workspace (the organization's, the workspace's and"
        " its projects'), by title, without their content; `q` searches titles and text."
    ),
    input=FindArgs,
    scope=DOCUMENTS_READ,
)
async def find_documents(actor: Actor, args: FindArgs) -> dict[str, Any]:
    found = await documents.list_documents(
        actor=actor,
        org_slug=args.org_slug,
        ws_slug=args.ws_slug,
        q=args.q,
        doc_type=args.doc_type,
        scope_type=args.scope_type,
        project_id=args.project_id,
        parent_id=args.parent_id,
    )
    return {"documents": found}


@tool(
    "read_document",
    title="Read a document",
    description="One document: its TipTap content, its plain text, status and version.",
    input=DocumentArgs,
    scope=DOCUMENTS_READ,
)
async def read_document(actor: Actor, args: DocumentArgs) -> dict[str, Any]:
    return await documents.get_document(
        actor=actor,
        org_slug=args.org_slug,
        ws_slug=args.ws_slug,
        document_id=args.document_id,
        with_text=True,
    )


@tool(
    "create_document",
    title="Write a new document",
    description="A new draft in the workspace (or the organization, a project or a scope). "
    + _TEXT,
    input=CreateArgs,
    scope=DOCUMENTS_WRITE,
    writes=True,
)
async def create_document(actor: Actor, args: CreateArgs) -> dict[str, Any]:
    return await documents.create_document(
        actor=actor,
        org_slug=args.org_slug,
        ws_slug=args.ws_slug,
        title=args.title,
        doc_type=args.doc_type,
        content=args.body(),
        scope_type=args.scope_type,
        project_id=args.project_id,
        scope_id=args.scope_id,
        parent_id=args.parent_id,
    )


@tool(
    "save_document",
    title="Save a document",
    description=(
        "Change a document's title, type or text, naming the version you last read; if"
        " someone saved since, nothing is written and the error carries the current"
        " document. " + _TEXT
    ),
    input=SaveArgs,
    scope=DOCUMENTS_WRITE,
    writes=True,
)
async def save_document(actor: Actor, args: SaveArgs) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if args.title is not None:
        changes["title"] = args.title
    if args.doc_type is not None:
        changes["doc_type"] = args.doc_type
    body = args.body()
    if body is not None:
        changes["content"] = body
    return await documents.update_document(
        actor=actor,
        org_slug=args.org_slug,
        ws_slug=args.ws_slug,
        document_id=args.document_id,
        version=args.version,
        changes=changes,
    )


@tool(
    "submit_document_for_review",
    title="Submit a document for review",
    description=(
        "Ask for a review of a draft (or of a document with changes requested); a person"
        " approves it or asks for changes."
    ),
    input=SubmitArgs,
    scope=DOCUMENTS_WRITE,
    writes=True,
)
async def submit_document_for_review(actor: Actor, args: SubmitArgs) -> dict[str, Any]:
    return await review.submit_review(
        actor=actor,
        org_slug=args.org_slug,
        ws_slug=args.ws_slug,
        document_id=args.document_id,
        reviewer_id=args.reviewer_id,
    )
