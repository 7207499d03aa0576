"""A document open in several tabs: who is viewing or editing it, every save reaching
the others in seq order, `sync` after a gap, and losing access closing the socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.matrix import World, build_world
from tests.realtime.clients import LiveServer, personal_token, rest
from tests.realtime.document_clients import DocumentTab

DocTabs = Callable[[], DocumentTab]


@pytest.fixture
async def doc_tabs(live_server: LiveServer) -> AsyncIterator[DocTabs]:
    opened: list[DocumentTab] = []

    def open_tab() -> DocumentTab:
        tab = DocumentTab(live_server)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        await tab.close()


def para(text: str) -> dict[str, Any]:
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    return {"type": "doc", "content": [paragraph]}


def path(w: World, doc: str) -> str:
    return f"/orgs/{w.board.org.slug}/workspaces/{w.board.workspace.slug}/documents/{doc}"


async def test_viewers_editors_and_saves_reach_every_tab(
    doc_tabs: DocTabs, live_server: LiveServer
) -> None:
    w = await build_world()
    doc = await w.document("Runbook", content=para("first"))
    owner, member = doc_tabs(), doc_tabs()
    state = await owner.connect(str(await w.token("owner")), doc)
    assert state["document"]["id"] == doc and state["document"]["content"] == para("first")
    assert state["seq"] == 1  # document_created
    await member.connect(str(await w.token("member")), doc)
    both = await owner.viewers_where(lambda vs: len(vs) == 2)
    assert {v["mode"] for v in both} == {"viewing"}

    assert await member.ok("set_mode", {"mode": "editing"}) == {"mode": "editing"}
    shown = await owner.viewers_where(
        lambda vs: any(v["userId"] == str(w.member.id) and v["mode"] == "editing" for v in vs)
    )
    assert [v["name"] for v in shown] == sorted((v["name"] for v in shown), key=str.lower)

    saved = await rest(
        live_server,
        "PATCH",
        path(w, doc),
        token=await w.token("member"),
        json={"version": 1, "content": para("second")},
    )
    event = await owner.event("document_saved")
    assert event["seq"] == 2 and event["actor"]["id"] == str(w.member.id)
    assert event["data"]["document"]["content"] == para("second")
    assert owner.document is not None and owner.document["version"] == saved["version"] == 2
    await member.event("document_saved")

    await rest(live_server, "POST", path(w, doc) + "/submit-review", token=await w.token("member"))
    await rest(
        live_server,
        "POST",
        path(w, doc) + "/review",
        token=await w.token("admin"),
        json={"status": "approved", "notes": "Good"},
    )
    reviewed = await member.event("document_reviewed")
    assert reviewed["data"]["document"]["status"] == "approved"
    assert [e["type"] for e in owner.events] == [
        "document_saved",
        "document_submitted",
        "document_reviewed",
    ]
    await rest(
        live_server, "POST", path(w, doc) + "/versions/1/restore", token=await w.token("owner")
    )
    restored = await member.event("document_restored")
    assert restored["data"]["restoredFrom"] == 1
    assert member.document is not None and member.document["content"] == para("first")
    assert member.document["status"] == "draft"

    await member.close()
    await owner.viewers_where(lambda vs: [v["userId"] for v in vs] == [str(w.owner.id)])


async def test_sync_replays_what_a_tab_missed(doc_tabs: DocTabs, live_server: LiveServer) -> None:
    w = await build_world()
    doc = await w.document()
    tab = doc_tabs()
    await tab.connect(str(await w.token("member")), doc)
    for version in (1, 2):
        await rest(
            live_server,
            "PATCH",
            path(w, doc),
            token=await w.token("owner"),
            json={"version": version, "title": f"Title {version}"},
        )
    await tab.wait(lambda: tab.seq == 3, "both saves")
    replay = await tab.ok("sync", {"since": 1})
    assert [e["type"] for e in replay["events"]] == ["document_saved", "document_saved"]
    assert [e["seq"] for e in replay["events"]] == [2, 3]
    snapshot = (await tab.ok("sync", {"since": 10**9}))["snapshot"]
    assert snapshot["seq"] == 3 and snapshot["document"]["title"] == "Title 2"
    assert [v["userId"] for v in snapshot["presence"]["viewers"]] == [str(w.member.id)]
    bad = await tab.call("set_mode", {"mode": "typing"})
    assert bad["ok"] is False and bad["error"]["code"] == "invalid"


async def test_a_deleted_document_closes_its_sockets(
    doc_tabs: DocTabs, live_server: LiveServer
) -> None:
    w = await build_world()
    doc = await w.document()
    tab = doc_tabs()
    await tab.connect(str(await w.token("member")), doc)
    await rest(live_server, "DELETE", path(w, doc), token=await w.token("owner"))
    deleted = await tab.event("document_deleted")
    assert deleted["data"] == {"documentId": doc}
    await tab.wait_disconnected()
    refusal = await doc_tabs().refused({"token": str(await w.token("member")), "document": doc})
    assert refusal["code"] == "not_found"


async def test_revoking_a_token_or_changing_the_password_closes_document_sockets(
    doc_tabs: DocTabs, live_server: LiveServer
) -> None:
    w = await build_world()
    doc = await w.document()
    jwt = str(await w.token("owner"))
    token_id, pat = await personal_token(live_server, jwt, ["documents:read"])
    bot, browser = doc_tabs(), doc_tabs()
    await bot.connect(pat, doc)
    await browser.connect(jwt, doc)

    await rest(live_server, "DELETE", f"/api-tokens/{token_id}", token=jwt)
    revoked = await bot.wait(lambda: bot.revoked, "revoked notice")
    assert revoked["code"] == "unauthorized"
    await bot.wait_disconnected()
    assert not browser.disconnected

    await rest(
        live_server,
        "POST",
        "/auth/change-password",
        token=jwt,
        json={"currentPassword": DEFAULT_PASSWORD, "newPassword": "a-brand-new-secret"},
    )
    await browser.wait(lambda: browser.revoked, "revoked notice")
    await browser.wait_disconnected()
    refusal = await doc_tabs().refused({"token": jwt, "document": doc})
    assert refusal["code"] == "unauthorized"


async def test_removal_closes_the_documents_one_can_no_longer_open(
    doc_tabs: DocTabs, live_server: LiveServer
) -> None:
    """Removed from the project: its documents close, the workspace's stay open. Removed
    from the workspace: those close too."""
    w = await build_world()
    pid = str(w.board.project.id)
    ws_doc = await w.document("Handbook")
    project_doc = await w.document("Board rules", scope_type="project", project_id=pid)
    token = str(await w.token("member"))
    on_ws, on_project = doc_tabs(), doc_tabs()
    await on_ws.connect(token, ws_doc)
    await on_project.connect(token, project_doc)
    ws_path = f"/orgs/{w.board.org.slug}/workspaces/{w.board.workspace.slug}"
    admin = await w.token("admin")

    await rest(
        live_server, "DELETE", f"{ws_path}/projects/{pid}/members/{w.member.id}", token=admin
    )
    await on_project.wait_disconnected()
    assert not on_ws.disconnected
    assert await on_ws.ok("set_mode", {"mode": "viewing"}) == {"mode": "viewing"}

    await rest(live_server, "DELETE", f"{ws_path}/members/{w.member.id}", token=admin)
    await on_ws.wait_disconnected()
