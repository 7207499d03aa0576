"""Documents over REST: scopes, the tree, TipTap content, autosave with versions, and
every bad input answered with a clear 400, 404 or 409."""

from __future__ import annotations

from typing import Any

import httpx

from models import Document, DocumentVersion, Scope
from services.documents import content as contents
from tests.card_details import pat_headers
from tests.factories import add_member, create_board, create_user
from tests.matrix import World, build_world


def base(w: World) -> str:
    return f"/api/orgs/{w.board.org.slug}/workspaces/{w.board.workspace.slug}/documents"


def para(*texts: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": t}]} for t in texts],
    }


async def create(
    client: httpx.AsyncClient, w: World, caller: str = "owner", **body: Any
) -> httpx.Response:
    body.setdefault("title", "Onboarding")
    return await client.post(base(w), json=body, headers=await w.headers(caller))


def refused(res: httpx.Response, status: int, starts: str) -> None:
    assert res.status_code == status, res.text
    body = res.json()
    assert body["statusCode"] == status and body["error"], body
    assert body["message"].startswith(starts), body["message"]


async def test_a_document_is_created_read_and_listed(client: httpx.AsyncClient) -> None:
    w = await build_world()
    content = {
        "type": "doc",
        "content": [
            {"type": "heading", "attrs": {"level": 1}, "content": [
                {"type": "text", "text": "Why"}]},
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "Ship ", "marks": [{"type": "bold"}]},
                    {
                        "type": "text",
                        "text": "weekly",
                        "marks": [{"type": "link", "attrs": {"href": "https://example.com"}}],
                    },
                ],
            },
            {"type": "codeBlock", "attrs": {"language": "python"}, "content": [
                {"type": "text", "text": "print(1)"}]},
        ],
    }  # fmt: skip
    res = await create(client, w, title="Release policy", docType="adr", content=content)
    assert res.status_code == 201, res.text
    doc = res.json()
    assert doc["title"] == "Release policy" and doc["docType"] == "adr"
    assert doc["scopeType"] == "workspace" and doc["workspaceId"] == str(w.board.workspace.id)
    assert doc["status"] == "draft" and doc["version"] == 1
    assert doc["content"] == content
    assert doc["authorId"] == str(w.owner.id)
    stored = await Document.get(id=doc["id"])
    assert "Ship weekly" in stored.text and "print(1)" in stored.text

    got = await client.get(f"{base(w)}/{doc['id']}", headers=await w.headers("member"))
    assert got.status_code == 200 and got.json()["content"] == content
    listed = await client.get(base(w), headers=await w.headers("ws_member"))
    assert [d["id"] for d in listed.json()] == [doc["id"]]
    assert "content" not in listed.json()[0]
    assert listed.json()[0]["excerpt"].startswith("Why")

    empty = await create(client, w, title="Blank")
    assert empty.json()["content"] == contents.EMPTY


async def test_filters_and_search(client: httpx.AsyncClient) -> None:
    w = await build_world()
    spec = await w.document("API spec", doc_type="spec", content=para("rate limits per token"))
    await w.document("Team notes", doc_type="note", content=para("lunch on friday"))
    child = await w.document("Appendix", parent_id=spec)
    project_doc = await w.document(
        "Board rules", scope_type="project", project_id=str(w.board.project.id)
    )
    headers = await w.headers("member")

    async def ids(**params: str) -> list[str]:
        res = await client.get(base(w), params=params, headers=headers)
        assert res.status_code == 200, res.text
        return sorted(d["id"] for d in res.json())

    assert await ids(docType="spec") == [spec]
    assert await ids(parentId=spec) == [child]
    assert await ids(scopeType="project") == [project_doc]
    assert await ids(projectId=str(w.board.project.id)) == [project_doc]
    assert await ids(q="RATE LIMIT") == [spec]
    assert await ids(q="Appendix") == [child]
    assert await ids(status="approved") == []
    bad = await client.get(base(w), params={"docType": "video"}, headers=headers)
    refused(bad, 400, "query.docType")


async def test_scopes_decide_who_sees_a_document(client: httpx.AsyncClient) -> None:
    w = await build_world()
    pid = str(w.board.project.id)
    project_doc = await w.document("Board rules", scope_type="project", project_id=pid)
    scope = await Scope.create(project_id=w.board.project.id, name="Q3")
    scope_doc = await w.document("Q3 plan", scope_type="scope", scope_id=str(scope.id))
    org_doc = await w.document("Company handbook", scope_type="organization")
    assert (await Document.get(id=scope_doc)).project_id == w.board.project.id

    # The workspace member outside the project sees the workspace's and the
    # organization's documents, not the project's.
    outside = await w.headers("ws_member")
    for doc in (project_doc, scope_doc):
        res = await client.get(f"{base(w)}/{doc}", headers=outside)
        refused(res, 404, "Document not found")
    listed = await client.get(base(w), headers=outside)
    assert [d["id"] for d in listed.json()] == [org_doc]
    # The workspace admin sees all of it without being in the project.
    boss = await create_user()
    await add_member(w.board, boss, ws_role="admin", project_role=None)
    from tests.factories import bearer, jwt_for

    listed = await client.get(base(w), headers=bearer(jwt_for(boss)))
    assert len(listed.json()) == 3

    # The organization's documents show from its every workspace.
    other_ws = await client.post(
        f"/api/orgs/{w.board.org.slug}/workspaces",
        json={"name": "Design", "slug": "design-docs"},
        headers=await w.headers("owner"),
    )
    assert other_ws.status_code == 201
    there = f"/api/orgs/{w.board.org.slug}/workspaces/design-docs/documents"
    seen = await client.get(there, headers=await w.headers("owner"))
    assert [d["id"] for d in seen.json()] == [org_doc]
    assert (await client.get(f"{there}/{org_doc}", headers=await w.headers("owner"))).is_success
    res = await client.get(f"{there}/{project_doc}", headers=await w.headers("owner"))
    refused(res, 404, "Document not found")
    # A stranger learns nothing.
    stranger = await client.get(f"{base(w)}/{org_doc}", headers=await w.headers("stranger"))
    refused(stranger, 404, "Organization not found")


async def test_a_documents_level_is_named_consistently(client: httpx.AsyncClient) -> None:
    w = await build_world()
    theirs = await create_board()
    pid = str(w.board.project.id)
    scope = await Scope.create(project_id=w.board.project.id, name="Q3")
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"scopeType": "project"}, 400, "projectId: a project document names its project"),
        ({"scopeType": "scope"}, 400, "scopeId: a scope document names its scope"),
        ({"scopeType": "workspace", "projectId": pid}, 400, "projectId: only project"),
        ({"scopeType": "organization", "scopeId": str(scope.id)}, 400, "scopeId: only scope"),
        ({"scopeType": "project", "projectId": pid, "scopeId": str(scope.id)}, 400, "scopeId"),
        (
            {"scopeType": "scope", "scopeId": str(scope.id), "projectId": str(theirs.project.id)},
            400,
            "projectId: must be the project the scope belongs to",
        ),
        ({"scopeType": "project", "projectId": str(theirs.project.id)}, 404, "Project not found"),
        ({"scopeType": "project", "projectId": "not-an-id"}, 404, "Project not found"),
        ({"scopeType": "scope", "scopeId": "00000000-0000-0000-0000-000000000000"}, 404, "Scope"),
        ({"scopeType": "galaxy"}, 400, "scopeType"),
        ({"docType": "poem"}, 400, "docType"),
        ({"title": ""}, 400, "title"),
        ({"title": "x" * 201}, 400, "title"),
        ({"title": "a\x00b"}, 400, "title"),
    ]
    for body, status, starts in cases:
        refused(await create(client, w, **body), status, starts)
    # A workspace member outside the project cannot file a document in it.
    res = await create(client, w, "ws_member", scopeType="project", projectId=pid)
    refused(res, 404, "Project not found")
    assert await Document.all().count() == 0


async def test_invalid_tiptap_content_is_refused_with_its_path(client: httpx.AsyncClient) -> None:
    w = await build_world()

    def doc(*nodes: Any) -> dict[str, Any]:
        return {"type": "doc", "content": list(nodes)}

    def p(*inline: Any) -> dict[str, Any]:
        return {"type": "paragraph", "content": list(inline)}

    deep: dict[str, Any] = p({"type": "text", "text": "bottom"})
    for _ in range(contents.MAX_DEPTH):
        deep = {"type": "blockquote", "content": [deep]}
    big = doc(*[p({"type": "text", "text": "x" * 1000}) for _ in range(600)])
    cases: list[tuple[Any, str]] = [
        (doc({"type": "video", "attrs": {"src": "x"}}), "content.content.0: unknown node type"),
        (doc({"type": "text", "text": "loose"}), "content.content.0: a 'text' node cannot"),
        (doc(p({"type": "text", "text": ""})), "content.content.0.content.0.text: a text node"),
        (doc(p({"type": "text"})), "content.content.0.content.0.text: a text node needs"),
        (doc(p({"type": "text", "text": 5})), "content.content.0.content.0.text"),
        (doc({"type": "heading", "attrs": {"level": "2"}}), "content.content.0.attrs.level"),
        (doc({"type": "heading", "attrs": {"level": 9}}), "content.content.0.attrs.level"),
        (doc({"type": "paragraph", "attrs": {"align": "left"}}), "content.content.0.attrs: unkn"),
        (doc(p({"type": "text", "text": "a", "marks": [{"type": "glow"}]})), "content.content.0."),
        (
            doc(p({"type": "text", "text": "a", "marks": [{"type": "link", "attrs": {
                "href": "javascript:alert(1)"}}]})),
            "content.content.0.content.0.marks.0.attrs.href",
        ),
        (doc({"type": "bulletList", "content": [p()]}), "content.content.0.content.0: a 'para"),
        (doc({"type": "paragraph", "content": "text"}), "content.content.0.content: must be"),
        (doc({"type": "horizontalRule", "content": [p()]}), "content.content.0.content: a 'horiz"),
        (doc({"type": "paragraph", "style": "x"}), "content.content.0: unknown key 'style'"),
        (doc("paragraph"), "content.content.0: Input should be an object"),
        (doc(deep), "content.content.0"),
        (big, "content: larger than 512 KiB"),
        ({"type": "paragraph"}, "content.type"),
        ({"type": "doc", "content": {}}, "content.content"),
        ({"type": "doc", "attrs": {}}, "content.attrs"),
        ([], "content"),
    ]  # fmt: skip
    for content, starts in cases:
        res = await create(client, w, content=content)
        refused(res, 400, starts)
    assert await Document.all().count() == 0
    # The same rules hold for a save.
    doc_id = await w.document()
    res = await client.patch(
        f"{base(w)}/{doc_id}",
        json={"version": 1, "content": doc({"type": "image"})},
        headers=await w.headers("owner"),
    )
    refused(res, 400, "content.content.0: unknown node type 'image'")


async def test_autosave_checks_the_version_and_keeps_every_version(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    doc_id = await w.document(content=para("first"))
    url = f"{base(w)}/{doc_id}"
    mine, theirs = await w.headers("owner"), await w.headers("member")

    saved = await client.patch(url, json={"version": 1, "content": para("second")}, headers=mine)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2 and saved.json()["updatedById"] == str(w.owner.id)
    # The other editor still has version 1: they get the current document, not a save.
    stale = await client.patch(url, json={"version": 1, "content": para("mine")}, headers=theirs)
    assert stale.status_code == 409, stale.text
    assert stale.json()["current"]["content"] == para("second")
    assert stale.json()["current"]["version"] == 2
    assert (await Document.get(id=doc_id)).text == "second"
    # Saving what is there changes nothing.
    same = await client.patch(url, json={"version": 2, "content": para("second")}, headers=theirs)
    assert same.json()["version"] == 2
    renamed = await client.patch(url, json={"version": 2, "title": "Renamed"}, headers=theirs)
    assert renamed.json()["version"] == 3 and renamed.json()["title"] == "Renamed"

    versions = await client.get(url + "/versions", headers=mine)
    assert [v["version"] for v in versions.json()] == [3, 2, 1]
    assert versions.json()[2]["savedById"] == str(w.owner.id)
    first = await client.get(url + "/versions/1", headers=mine)
    assert first.json()["content"] == para("first")
    restored = await client.post(url + "/versions/1/restore", headers=theirs)
    assert restored.status_code == 200, restored.text
    assert restored.json()["version"] == 4 and restored.json()["content"] == para("first")
    assert restored.json()["title"] == "Handbook"
    latest = (await client.get(url + "/versions", headers=mine)).json()[0]
    assert latest["version"] == 4 and latest["restoredFrom"] == 1
    for missing in ("99", "0", "abc", "99999999999"):
        res = await client.get(f"{url}/versions/{missing}", headers=mine)
        refused(res, 404, "Version not found")
        res = await client.post(f"{url}/versions/{missing}/restore", headers=mine)
        refused(res, 404, "Version not found")

    for body, starts in [
        ({"content": para("x")}, "version"),
        ({"version": "2", "title": "x"}, "version"),
        ({"version": 0}, "version"),
        ({"version": 4, "title": None}, "body"),
        ({"version": 4, "content": None}, "body"),
        ({"version": 4, "status": "approved"}, "status"),
    ]:
        refused(await client.patch(url, json=body, headers=mine), 400, starts)


async def test_old_versions_are_let_go(client: httpx.AsyncClient) -> None:
    from services.documents import versions

    w = await build_world()
    doc_id = await w.document()
    url = f"{base(w)}/{doc_id}"
    headers = await w.headers("owner")
    keep = versions.KEEP
    versions.KEEP = 3
    try:
        for n in range(1, 6):
            res = await client.patch(url, json={"version": n, "title": f"T{n}"}, headers=headers)
            assert res.status_code == 200
    finally:
        versions.KEEP = keep
    assert await DocumentVersion.filter(document_id=doc_id).count() == 3


async def test_the_tree_stays_a_tree(client: httpx.AsyncClient) -> None:
    w = await build_world()
    root = await w.document("Root")
    child = await w.document("Child", parent_id=root)
    grandchild = await w.document("Grandchild", parent_id=child)
    org_doc = await w.document("Org", scope_type="organization")
    headers = await w.headers("member")

    async def move(doc: str, parent: str | None, version: int = 1) -> httpx.Response:
        return await client.patch(
            f"{base(w)}/{doc}", json={"version": version, "parentId": parent}, headers=headers
        )

    refused(await move(root, grandchild), 400, "parentId: a document cannot be placed under")
    refused(await move(root, root), 400, "parentId: a document cannot be placed under itself")
    refused(await move(root, org_doc), 400, "parentId: the parent must be in the same scope")
    refused(await move(root, "00000000-0000-4000-8000-000000000000"), 404, "Parent document")
    refused(await create(client, w, parentId=org_doc), 400, "parentId: the parent must be in")
    theirs = await build_world()
    refused(await create(client, w, parentId=await theirs.document()), 404, "Parent document")
    moved = await move(grandchild, None)
    assert moved.status_code == 200 and moved.json()["parentId"] is None

    owner = await w.headers("owner")
    res = await client.delete(f"{base(w)}/{root}", headers=owner)
    refused(res, 409, "This document has 1 child document(s)")
    assert (await client.delete(f"{base(w)}/{child}", headers=owner)).json() == {"ok": True}
    assert (await client.delete(f"{base(w)}/{root}", headers=owner)).status_code == 200
    refused(await client.get(f"{base(w)}/{root}", headers=owner), 404, "Document not found")


async def test_deleting_is_for_the_author_or_an_admin(client: httpx.AsyncClient) -> None:
    w = await build_world()
    doc = await w.document(author=w.member)
    refused(await client.delete(f"{base(w)}/{doc}", headers=await w.headers("ws_member")), 403, "")
    assert (await client.delete(f"{base(w)}/{doc}", headers=await w.headers("member"))).is_success
    doc = await w.document(author=w.member)
    assert (await client.delete(f"{base(w)}/{doc}", headers=await w.headers("admin"))).is_success


async def test_personal_access_tokens_need_the_documents_scopes(client: httpx.AsyncClient) -> None:
    w = await build_world()
    doc = await w.document()
    url = f"{base(w)}/{doc}"
    projects_only = await pat_headers(w.owner, "projects:read", "projects:write")
    refused(await client.get(url, headers=projects_only), 403, "This token lacks the 'documents")
    reader = await pat_headers(w.owner, "documents:read")
    assert (await client.get(url, headers=reader)).status_code == 200
    res = await client.patch(url, json={"version": 1, "title": "x"}, headers=reader)
    refused(res, 403, "This token lacks the 'documents:write' scope")
    writer = await pat_headers(w.owner, "documents:write")
    res = await client.patch(url, json={"version": 1, "title": "x"}, headers=writer)
    assert res.status_code == 200


async def test_search_takes_wildcards_as_text(client: httpx.AsyncClient) -> None:
    w = await build_world()
    await w.document("Rates", content=para("a 100% rate"))
    await w.document("Names", content=para("snake_case names"))
    await w.document("Plain", content=para("nothing special"))
    headers = await w.headers("owner")
    for q, found in (("%", ["Rates"]), ("100%", ["Rates"]), ("e_c", ["Names"]), ("_", ["Names"])):
        res = await client.get(base(w), params={"q": q}, headers=headers)
        assert res.status_code == 200, res.text
        assert [d["title"] for d in res.json()] == found, q
