"""Documents through MCP with the official client: an agent finds, reads, writes and
saves documents as its token's owner, a stale save is refused with the current document,
the save shows on an open /document socket, and review stays with people."""

from __future__ import annotations

from tests.matrix import build_world
from tests.realtime.clients import LiveServer
from tests.realtime.document_clients import DocumentTab
from tests.realtime.test_mcp import agent, call, pat, refused

DOCS = ["documents:read", "documents:write"]


async def test_an_agent_writes_and_saves_a_document(live_server: LiveServer) -> None:
    w = await build_world()
    where = {"org_slug": w.board.org.slug, "ws_slug": w.board.workspace.slug}
    token = await pat(w.member, ["mcp", *DOCS], name="Writer bot")
    tab = DocumentTab(live_server)
    try:
        async with agent(live_server, token) as session:
            made = await call(
                session,
                "create_document",
                **where,
                title="Release notes",
                doc_type="note",
                text="Faster boards\n\nFewer bugs",
            )
            assert made["authorId"] == str(w.member.id) and made["version"] == 1
            assert len(made["content"]["content"]) == 3
            await tab.connect(str(await w.token("owner")), made["id"])

            found = await call(session, "find_documents", **where, q="fewer")
            assert [d["id"] for d in found["documents"]] == [made["id"]]
            read = await call(session, "read_document", **where, document_id=made["id"])
            assert read["text"] == "Faster boards\nFewer bugs"

            saved = await call(
                session,
                "save_document",
                **where,
                document_id=made["id"],
                version=1,
                text="Faster boards",
            )
            assert saved["version"] == 2
            event = await tab.event("document_saved")
            assert event["actor"]["kind"] == "agent" and "Writer bot" in event["actor"]["name"]

            stale = await refused(
                session, "save_document", **where, document_id=made["id"], version=1, title="Old"
            )
            assert stale["code"] == "conflict"
            assert stale["details"]["current"]["version"] == 2
            bad = await refused(
                session,
                "save_document",
                **where,
                document_id=made["id"],
                version=2,
                content={"type": "doc", "content": [{"type": "iframe"}]},
            )
            assert bad["code"] == "invalid" and "unknown node type 'iframe'" in bad["message"]
            both = await refused(
                session, "create_document", **where, title="x", text="a", content={"type": "doc"}
            )
            assert both["code"] == "invalid"

            submitted = await call(
                session, "submit_document_for_review", **where, document_id=made["id"]
            )
            assert submitted["status"] == "pending_review"
            tools = {t.name for t in (await session.list_tools()).tools}
            assert "read_document" in tools and not any("review_document" in t for t in tools)
    finally:
        await tab.close()


async def test_an_agent_needs_the_documents_scopes(live_server: LiveServer) -> None:
    w = await build_world()
    doc = await w.document()
    where = {"org_slug": w.board.org.slug, "ws_slug": w.board.workspace.slug}
    token = await pat(w.owner, ["mcp", "documents:read"])
    async with agent(live_server, token) as session:
        read = await call(session, "read_document", **where, document_id=doc)
        assert read["id"] == doc
        error = await refused(
            session, "save_document", **where, document_id=doc, version=1, title="No"
        )
        assert error["code"] == "forbidden" and "documents:write" in error["message"]
    stranger = await pat(await w.stranger(), ["mcp", *DOCS])
    async with agent(live_server, stranger) as session:
        error = await refused(session, "read_document", **where, document_id=doc)
        assert error["code"] == "not_found"
