"""Request and response schemas for documents (seed 001 shapes, camelCase).

A document's content is TipTap JSON: the schema states its top (`{"type": "doc",
"content": [...]}`), and the service checks every node below it (services/documents/
content.py), answering 400 with the node's path and the problem.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from server.api.card_schemas import unchanged
from server.api.schemas import CamelInput, CamelOutput, Input, NoNul, StrictInt
from services.documents import content as contents
from services.documents.public import NOTES_MAX, TITLE_MAX

DocType = Literal[
    "document", "spec", "brief", "adr", "note", "reference", "template", "spreadsheet"
]
ScopeType = Literal["organization", "workspace", "project", "scope"]
Status = Literal["draft", "pending_review", "approved", "changes_requested"]
Outcome = Literal["approved", "changes_requested"]
Title = Annotated[str, StringConstraints(min_length=1, max_length=TITLE_MAX), NoNul]
Notes = Annotated[str, StringConstraints(max_length=NOTES_MAX), NoNul]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Search = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul]
Version = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
# Bodies carry a whole document: its content may take up to 512 KiB of JSON.
BODY_MAX = 1024 * 1024


class TipTapDoc(Input):
    """A TipTap document. Its nodes are StarterKit's (doc, paragraph, heading, blockquote,
    bulletList, orderedList, listItem, codeBlock, horizontalRule, hardBreak, text) with
    the marks bold, italic, strike, code, underline and link."""

    type: Literal["doc"]
    content: list[dict[str, Any]] = Field(default=[], max_length=contents.MAX_NODES)


class DocumentCreate(CamelInput):
    title: Title
    doc_type: DocType = "document"
    content: TipTapDoc | None = Field(default=None, description="An empty document when left out")
    scope_type: ScopeType = "workspace"
    project_id: Ref | None = Field(default=None, description="For project and scope documents")
    scope_id: Ref | None = Field(default=None, description="For scope documents")
    parent_id: Ref | None = Field(default=None, description="A document of the same scope")

    def content_json(self) -> dict[str, Any] | None:
        return self.content.model_dump() if self.content is not None else None


class DocumentUpdate(CamelInput):
    version: Version = Field(description="The version the editor last saw")
    title: Title | None = unchanged()
    doc_type: DocType | None = unchanged()
    content: TipTapDoc | None = unchanged()
    parent_id: Ref | None = Field(default=None, description="null puts it at the top level")

    @model_validator(mode="after")
    def _not_null(self) -> DocumentUpdate:
        for name in ("title", "doc_type", "content"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True)
        data.pop("version", None)
        if self.content is not None:
            data["content"] = self.content.model_dump()
        return data


class ReviewRequest(CamelInput):
    reviewer_id: Ref | None = Field(default=None, description="Someone who may review it")


class ReviewDecision(CamelInput):
    status: Outcome
    notes: Notes = ""


class DocumentListQuery(CamelInput):
    doc_type: DocType | None = None
    scope_type: ScopeType | None = None
    project_id: Ref | None = None
    scope_id: Ref | None = None
    parent_id: Ref | None = None
    status: Status | None = None
    q: Search | None = Field(default=None, description="Words in the title or the text")


class DocumentSummary(CamelOutput):
    id: str
    organization_id: str
    workspace_id: str | None
    scope_type: ScopeType
    project_id: str | None
    scope_id: str | None
    parent_id: str | None
    title: str
    doc_type: DocType
    status: Status
    version: int
    excerpt: str
    author_id: str | None
    updated_by_id: str | None
    reviewer_id: str | None
    submitted_by_id: str | None
    submitted_at: datetime | None
    reviewed_by_id: str | None
    reviewed_at: datetime | None
    reviewed_version: int | None
    review_notes: str
    created_at: datetime
    updated_at: datetime


class DocumentPublic(DocumentSummary):
    content: dict[str, Any]


class VersionSummary(CamelOutput):
    document_id: str
    version: int
    title: str
    doc_type: DocType
    saved_by_id: str | None
    saved_by_name: str
    restored_from: int | None
    created_at: datetime


class VersionPublic(VersionSummary):
    content: dict[str, Any]
