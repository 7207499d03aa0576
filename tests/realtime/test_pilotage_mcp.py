"""Pilotage for AI agents over MCP: an agent reads the state and proposes an action,
which waits for a person; the proposal shows live on an open cockpit, and each tool
needs its scope."""

from __future__ import annotations

from tests.card_details import make_card
from tests.factories import create_board, jwt_for
from tests.realtime.clients import LiveServer, rest
from tests.realtime.test_mcp import agent, call, pat, refused
from tests.realtime.workspace_clients import WorkspaceTab


async def test_an_agent_reads_the_state_and_proposes_for_review(live_server: LiveServer) -> None:
    board = await create_board()
    card = await make_card(board, "Stripe webhooks")
    where = {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}
    path = f"/orgs/{board.org.slug}/workspaces/{board.workspace.slug}/pilotage"
    await rest(
        live_server,
        "POST",
        path + "/missions",
        token=jwt_for(board.owner),
        json={"objective": "Ship billing"},
    )
    token = await pat(board.owner, ["mcp", "pilotage:read", "pilotage:write"], name="Pilot bot")
    cockpit = WorkspaceTab(live_server)
    try:
        await cockpit.connect(jwt_for(board.owner), str(board.workspace.id))
        async with agent(live_server, token) as session:
            tools = {t.name: t for t in (await session.list_tools()).tools}
            assert "move_card {cardId, targetColumn}" in str(
                tools["propose_pilotage_action"].description
            )
            state = await call(session, "get_pilotage_state", **where, detail_level="minimal")
            assert [m["objective"] for m in state["missions"]] == ["Ship billing"]
            assert state["usageContext"]["role"] == "owner"
            proposed = await call(
                session,
                "propose_pilotage_action",
                **where,
                action_type="move_card",
                explanation="All subtasks complete",
                payload={"cardId": str(card.id), "targetColumn": "Done"},
            )
            assert proposed["status"] == "suggested"
            listed = await call(session, "list_pilotage_actions", **where, status="suggested")
            assert [a["id"] for a in listed["actions"]] == [proposed["id"]]
            error = await refused(
                session,
                "propose_pilotage_action",
                **where,
                action_type="drop_table",
                explanation="x",
                payload={},
            )
            assert error["code"] == "invalid" and "drop_table" in error["message"]
        event = await cockpit.event("action_proposed")
        assert event["actor"]["kind"] == "agent" and "Pilot bot" in event["actor"]["name"]
        detail = await rest(
            live_server, "GET", f"{path}/actions/{proposed['id']}", token=jwt_for(board.owner)
        )
        assert detail["trail"][0]["actor"]["kind"] == "agent"
    finally:
        await cockpit.close()


async def test_each_pilotage_tool_needs_its_scope(live_server: LiveServer) -> None:
    board = await create_board()
    where = {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}
    reader = await pat(board.owner, ["mcp", "pilotage:read"])
    async with agent(live_server, reader) as session:
        await call(session, "get_pilotage_state", **where)
        error = await refused(
            session,
            "propose_pilotage_action",
            **where,
            action_type="create_todo",
            explanation="x",
            payload={"label": "Follow up"},
        )
        assert error["code"] == "forbidden"
    boards_only = await pat(board.owner, ["mcp", "projects:read"])
    async with agent(live_server, boards_only) as session:
        error = await refused(session, "get_pilotage_state", **where)
        assert error["code"] == "forbidden"
