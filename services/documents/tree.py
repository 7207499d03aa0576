"""Documents under documents: a parent lives in the same scope, and no document ends up
under itself."""

from __future__ import annotations

import uuid
from typing import Any

from models import Document
from services.boards.access import parse_id
from services.errors import NotFound, ValidationFailed, invalid_field

# Deeper than any tree a person builds; it bounds the walk up to the root.
MAX_DEPTH = 50


def same_scope(a: Document, b: Document) -> bool:
    return (a.scope_type, a.workspace_id, a.project_id, a.scope_id) == (
        b.scope_type,
        b.workspace_id,
        b.project_id,
        b.scope_id,
    )


async def parent_for(doc: Document, parent_id: Any) -> Document | None:
    """The parent `parent_id` names for `doc` (None: top level), if it may hold it."""
    if parent_id is None:
        return None
    wanted = parse_id(parent_id, "Parent document")
    parent = await Document.filter(id=wanted, org_id=doc.org_id).first()
    if parent is None:
        raise NotFound("Parent document not found")
    if not same_scope(parent, doc):
        raise invalid_field("parentId", "the parent must be in the same scope as the document")
    await _not_under_itself(doc, parent)
    return parent


async def _not_under_itself(doc: Document, parent: Document) -> None:
    seen: set[uuid.UUID] = set()
    current: Document | None = parent
    depth = 0
    while current is not None:
        if doc.id is not None and current.id == doc.id:
            raise invalid_field(
                "parentId", "a document cannot be placed under itself or one of its descendants"
            )
        depth += 1
        if depth > MAX_DEPTH or current.id in seen:
            raise ValidationFailed(f"parentId: documents nest at most {MAX_DEPTH} levels deep")
        seen.add(current.id)
        up = current.parent_id
        current = await Document.filter(id=up).first() if up is not None else None


async def child_count(doc: Document) -> int:
    return await Document.filter(parent_id=doc.id).count()
