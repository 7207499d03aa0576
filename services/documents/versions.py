"""Every saved version of a document: recorded on each save, listed, read and restored.
Restoring makes a new version with the old one's title, type and content."""

from __future__ import annotations

from typing import Any

from models import Document, DocumentVersion
from services.actors import Actor
from services.documents import content as contents
from services.documents.access import document_access, document_room, locked_document
from services.documents.news import tree_changed
from services.documents.public import document_public, version_public, version_summary
from services.documents.review import after_edit
from services.errors import NotFound
from services.events import unit_of_work

# Each save is a version; the latest KEEP of a document are kept.
KEEP = 100


async def record(doc: Document, actor: Actor, *, restored_from: int | None = None) -> None:
    """Keep `doc` as saved now, and let the oldest versions go."""
    await DocumentVersion.create(
        document_id=doc.id,
        version=doc.version,
        title=doc.title,
        doc_type=doc.doc_type,
        content=doc.content,
        saved_by_id=actor.user_id,
        saved_by_name=actor.name[:100],
        restored_from=restored_from,
    )
    await DocumentVersion.filter(document_id=doc.id, version__lte=doc.version - KEEP).delete()


def _number(value: Any) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise NotFound("Version not found") from None
    if not 1 <= number <= 2**31 - 1:
        raise NotFound("Version not found")
    return number


async def list_versions(
    *, actor: Actor, org_slug: str, ws_slug: str, document_id: Any
) -> list[dict[str, Any]]:
    """Newest first, without their content."""
    access = await document_access(actor, org_slug, ws_slug, document_id)
    rows = await DocumentVersion.filter(document_id=access.document.id).order_by("-version")
    return [version_summary(v) for v in rows]


async def get_version(
    *, actor: Actor, org_slug: str, ws_slug: str, document_id: Any, version: Any
) -> dict[str, Any]:
    access = await document_access(actor, org_slug, ws_slug, document_id)
    row = await DocumentVersion.filter(
        document_id=access.document.id, version=_number(version)
    ).first()
    if row is None:
        raise NotFound("Version not found")
    return version_public(row)


async def restore_version(
    *, actor: Actor, org_slug: str, ws_slug: str, document_id: Any, version: Any
) -> dict[str, Any]:
    """A new version holding what `version` held."""
    number = _number(version)
    async with unit_of_work() as uow:
        access = await locked_document(uow, actor, org_slug, ws_slug, document_id)
        doc = access.document
        old = await DocumentVersion.filter(document_id=doc.id, version=number).first()
        if old is None:
            raise NotFound("Version not found")
        _, text = contents.check(old.content)
        shown = (doc.title, doc.doc_type, doc.status)
        doc.title, doc.doc_type, doc.content, doc.text = old.title, old.doc_type, old.content, text
        doc.version += 1
        doc.updated_by_id = actor.user_id
        after_edit(doc)
        await doc.save()
        await record(doc, actor, restored_from=number)
        public = document_public(doc)
        await uow.emit(
            document_room(doc.id),
            "document_restored",
            {"document": public, "restoredFrom": number},
            actor,
        )
        if (doc.title, doc.doc_type, doc.status) != shown:
            await tree_changed(uow, doc, actor)
    return public
