"""Permission matrix rows for documents: who may read, write, delete and review a
workspace's documents. PATs need documents:read or documents:write."""

from __future__ import annotations

from tests.matrix import Req, World, expect, row

DOCS = "/orgs/{org_slug}/workspaces/{ws_slug}/documents"
DOC = DOCS + "/{document_id}"
READ, WRITE = "documents:read", "documents:write"

# Any member of the workspace reads and writes its documents; a projects-only token
# does neither.
MEMBER_READ = expect(200, 200, 200, pat_read=403)
MEMBER_WRITE = expect(200, 200, 200)
# The author (the owner here) or an admin of the document's level.
AUTHOR_OR_ADMIN = expect(403, 200, 200, ws_member=403)
# A workspace admin or a pilotage reviewer or owner, other than the author.
REVIEWER = expect(403, 200, 200, ws_member=403)


async def new_document(w: World, caller: str) -> Req:
    return Req(json={"title": "Runbook", "docType": "reference"})


async def document(w: World, caller: str) -> Req:
    return Req({"document_id": await w.document()})


async def first_version(w: World, caller: str) -> Req:
    return Req({"document_id": await w.document(), "version_number": "1"})


async def rename(w: World, caller: str) -> Req:
    return Req({"document_id": await w.document()}, json={"version": 1, "title": "Renamed"})


async def submitted_by_member(w: World, caller: str) -> Req:
    doc = await w.document(author=w.member, status="pending_review")
    return Req({"document_id": doc}, json={"status": "approved", "notes": "Clear"})


row("GET", DOCS, MEMBER_READ, scope=READ)
row("POST", DOCS, expect(201, 201, 201), new_document, scope=WRITE)
row("GET", DOC, MEMBER_READ, document, scope=READ)
row("PATCH", DOC, MEMBER_WRITE, rename, scope=WRITE)
row("DELETE", DOC, AUTHOR_OR_ADMIN, document, scope=WRITE)
row("POST", DOC + "/submit-review", MEMBER_WRITE, document, scope=WRITE)
row("POST", DOC + "/review", REVIEWER, submitted_by_member, scope=WRITE)
row("GET", DOC + "/versions", MEMBER_READ, document, scope=READ)
row("GET", DOC + "/versions/{version_number}", MEMBER_READ, first_version, scope=READ)
row("POST", DOC + "/versions/{version_number}/restore", MEMBER_WRITE, first_version, scope=WRITE)
