"""The MCP endpoint, through the official MCP client against a live server: tools listed
with valid schemas, read and write tools acting as the token's owner, a card moved by an
agent arriving on an open /board socket, and every refusal (no token, a JWT, a token
without `mcp`, a missing tool scope, a revoked or expired token, bad arguments, a stale
version, a flood)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import httpx2
import jsonschema  # type: ignore[import-untyped]
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from models import ApiToken, User
from services import tokens
from services.boards import labels
from services.boards.locate import ProjectRef
from services.poker.seats import join_session
from tests.factories import create_board, create_user, jwt_for, user_actor
from tests.realtime.board_clients import BoardTab
from tests.realtime.clients import LiveServer

POKER = ["poker:read", "poker:write"]
BOARD = ["projects:read", "projects:write"]


async def pat(user: User, scopes: list[str], name: str = "Planner bot") -> str:
    _, value = await tokens.create_token(actor=user_actor(user), name=name, scopes=scopes)
    return value


@asynccontextmanager
async def agent(live: LiveServer, token: str) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=10) as http,
        streamable_http_client(f"{live.url}/mcp", http_client=http) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        await session.initialize()
        yield session


SCHEMAS: dict[str, dict[str, Any]] = {}


async def call(session: ClientSession, tool: str, **arguments: Any) -> dict[str, Any]:
    """Call a tool; its answer must hold to the output schema it lists."""
    if not SCHEMAS:
        for t in (await session.list_tools()).tools:
            if t.output_schema is not None:
                SCHEMAS[t.name] = t.output_schema
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    if tool in SCHEMAS:
        jsonschema.validate(result.structured_content, SCHEMAS[tool])
    content: dict[str, Any] = result.structured_content
    return content


async def refused(session: ClientSession, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await session.call_tool(tool, arguments)
    assert result.is_error, result.structured_content
    assert result.structured_content is not None
    error: dict[str, Any] = result.structured_content["error"]
    assert "Traceback" not in error["message"]
    return error


async def test_tools_are_listed_with_valid_schemas(live_server: LiveServer) -> None:
    owner = await create_user()
    async with agent(live_server, await pat(owner, ["mcp"])) as session:
        listed = (await session.list_tools()).tools
    names = {t.name for t in listed}
    assert {"get_session", "cast_vote", "reveal", "get_board", "move_card", "search_cards"} <= names
    for t in listed:
        jsonschema.Draft202012Validator.check_schema(t.input_schema)
        assert t.description and t.input_schema["type"] == "object"
        if t.output_schema is not None:
            jsonschema.Draft202012Validator.check_schema(t.output_schema)
    described = {t.name for t in listed if t.output_schema is not None}
    assert {"get_session", "cast_vote", "get_board", "move_card", "search_cards"} <= described
    reads = {t.name: t.annotations.read_only_hint for t in listed if t.annotations}
    assert reads["get_board"] is True and reads["move_card"] is False


async def test_a_card_moved_by_an_agent_arrives_on_an_open_board(live_server: LiveServer) -> None:
    owner = await create_user(name="Olga Owner")
    board = await create_board(owner)
    todo, done = str(board.columns[0].id), str(board.columns[2].id)
    watcher = BoardTab(live_server)
    try:
        await watcher.connect(jwt_for(owner), str(board.project.id))
        async with agent(live_server, await pat(owner, ["mcp", *BOARD], "Triage bot")) as s:
            orgs = await call(s, "list_organizations")
            assert board.org.slug in {o["slug"] for o in orgs["organizations"]}
            created = await call(
                s, "create_card", project_id=str(board.project.id), column_id=todo, title="Ship"
            )
            card = created["card"]
            seen = await call(s, "get_board", project_id=str(board.project.id))
            assert [c["id"] for c in seen["cards"]] == [card["id"]] and seen["total"] == 1
            await call(
                s,
                "move_card",
                project_id=str(board.project.id),
                card_id=card["id"],
                column_id=done,
                version=card["version"],
            )
        moved = await watcher.event("card_moved")
        assert moved["data"]["columnId"] == done
        assert moved["actor"]["kind"] == "agent"
        assert moved["actor"]["name"] == "Triage bot via MCP"
        assert moved["actor"]["id"] == str(owner.id)
    finally:
        await watcher.close()


async def test_a_stale_version_is_a_conflict_carrying_the_current_card(
    live_server: LiveServer,
) -> None:
    owner = await create_user()
    board = await create_board(owner)
    pid = str(board.project.id)
    async with agent(live_server, await pat(owner, ["mcp", *BOARD])) as s:
        card = (
            await call(
                s, "create_card", project_id=pid, column_id=str(board.columns[0].id), title="A"
            )
        )["card"]
        await call(
            s, "update_card", project_id=pid, card_id=card["id"], version=card["version"], title="B"
        )
        error = await refused(
            s, "update_card", project_id=pid, card_id=card["id"], version=card["version"], title="C"
        )
        assert error["code"] == "conflict"
        current = (await call(s, "get_card", project_id=pid, card_id=card["id"]))["card"]
        assert current["title"] == "B"
        assert error["details"]["current"]["title"] == "B"


async def test_each_tool_needs_its_own_scope(live_server: LiveServer) -> None:
    owner = await create_user()
    board = await create_board(owner)
    card = await _card_via(live_server, owner, board)
    async with agent(live_server, await pat(owner, ["mcp", "projects:read"])) as s:
        await call(s, "get_board", project_id=str(board.project.id))
        error = await refused(
            s,
            "move_card",
            project_id=str(board.project.id),
            card_id=card["id"],
            column_id=str(board.columns[1].id),
            version=card["version"],
        )
        assert error["code"] == "forbidden" and "projects:write" in error["message"]
        assert (await refused(s, "list_my_sessions"))["code"] == "forbidden"
        still = await call(s, "get_card", project_id=str(board.project.id), card_id=card["id"])
        assert still["card"]["columnId"] == str(board.columns[0].id)


async def test_an_agent_labels_a_card_live_and_only_with_the_boards_labels(
    live_server: LiveServer,
) -> None:
    owner, stranger = await create_user(), await create_user()
    board, elsewhere = await create_board(owner), await create_board(stranger)
    project = str(board.project.id)
    ref = ProjectRef(project)
    urgent = await labels.create_label(
        actor=user_actor(owner), ref=ref, name="Urgent", color="#d03030"
    )
    theirs = await labels.create_label(
        actor=user_actor(stranger),
        ref=ProjectRef(str(elsewhere.project.id)),
        name="X",
        color="#3050d0",
    )
    card = await _card_via(live_server, owner, board)
    watcher = BoardTab(live_server)
    try:
        await watcher.connect(jwt_for(owner), project)
        async with agent(live_server, await pat(owner, ["mcp", *BOARD], "Triage bot")) as s:
            listed = await call(s, "list_labels", project_id=project)
            assert [(x["id"], x["name"]) for x in listed["labels"]] == [(urgent["id"], "Urgent")]
            put = await call(
                s, "set_card_label", project_id=project, card_id=card["id"], label_id=urgent["id"]
            )
            assert put["cardId"] == card["id"] and [x["name"] for x in put["labels"]] == ["Urgent"]
            changed = await watcher.event("card_labels_changed")
            assert changed["actor"]["name"] == "Triage bot via MCP"
            again = await call(
                s, "set_card_label", project_id=project, card_id=card["id"], label_id=urgent["id"]
            )
            assert again == put  # twice changes nothing
            off = await call(
                s,
                "set_card_label",
                project_id=project,
                card_id=card["id"],
                label_id=urgent["id"],
                applied=False,
            )
            assert off["labels"] == []
            # Another board's label is not this board's.
            error = await refused(
                s, "set_card_label", project_id=project, card_id=card["id"], label_id=theirs["id"]
            )
            assert error["code"] == "not_found"
        async with agent(live_server, await pat(owner, ["mcp", "projects:read"])) as s:
            error = await refused(
                s, "set_card_label", project_id=project, card_id=card["id"], label_id=urgent["id"]
            )
            assert error["code"] == "forbidden" and "projects:write" in error["message"]
    finally:
        await watcher.close()


async def _card_via(live: LiveServer, owner: User, board: Any) -> dict[str, Any]:
    async with agent(live, await pat(owner, ["mcp", *BOARD])) as s:
        made = await call(
            s,
            "create_card",
            project_id=str(board.project.id),
            column_id=str(board.columns[0].id),
            title="Write docs",
        )
    card: dict[str, Any] = made["card"]
    return card


async def test_someone_elses_board_and_bad_arguments_are_refused(live_server: LiveServer) -> None:
    owner, stranger = await create_user(), await create_user()
    board = await create_board(owner)
    async with agent(live_server, await pat(stranger, ["mcp", *BOARD])) as s:
        error = await refused(s, "get_board", project_id=str(board.project.id))
        assert error["code"] == "not_found" and board.project.name not in error["message"]
        bad = await refused(s, "get_board", project_id=str(board.project.id), limit="many")
        assert bad["code"] == "invalid" and "limit" in bad["message"]
        extra = await refused(s, "list_organizations", surprise=1)
        assert extra["code"] == "invalid"
        long = await refused(s, "create_card", project_id="p", column_id="c", title="x" * 501)
        assert long["code"] == "invalid" and "title" in long["message"]
        bad_day = await refused(
            s,
            "create_card",
            project_id=str(board.project.id),
            column_id=str(board.columns[0].id),
            title="Due",
            due_date="soon",
        )
        assert bad_day["code"] in ("invalid", "not_found")
        assert (await refused(s, "no_such_tool"))["code"] == "not_found"


async def test_votes_stay_hidden_until_the_moderator_reveals(live_server: LiveServer) -> None:
    owner, voter = await create_user(name="Mod"), await create_user(name="Vic")
    async with agent(live_server, await pat(owner, ["mcp", *POKER], "Facilitator")) as mod:
        made = await call(mod, "create_session", name="Sprint 9", stories=[{"title": "Login"}])
        code = made["session"]["code"]
        story = made["stories"][0]["id"]
        await call(mod, "start_story", code=code, story_id=story)
        async with agent(live_server, await pat(voter, ["mcp", *POKER], "Voter")) as bot:
            assert (await refused(bot, "cast_vote", code=code, value="5"))["code"] == "forbidden"
            await call(bot, "join_session", code=code)
            await call(bot, "cast_vote", code=code, value="5")
            hidden = await call(bot, "get_session", code=code)
            [mine] = hidden["stories"]
            assert mine["votes_cast"] == 1 and mine["votes"] is None and mine["stats"] is None
            assert (await refused(bot, "reveal", code=code))["code"] == "forbidden"
            people = await call(bot, "list_participants", code=code)
            assert any(p["has_voted"] for p in people["participants"] if p["name"] == "Vic")
        revealed = await call(mod, "reveal", code=code)
        assert revealed["story"]["final_estimate"] == "5"
        analytics = await call(mod, "get_analytics", code=code)
        assert analytics["analytics"]
        await call(mod, "restart_round", code=code)
        mine = await call(mod, "list_my_sessions")
        assert code in {s["code"] for s in mine["sessions"]}


async def test_a_spectator_seat_cannot_vote(live_server: LiveServer) -> None:
    owner, watcher = await create_user(), await create_user()
    async with agent(live_server, await pat(owner, ["mcp", *POKER])) as mod:
        made = await call(mod, "create_session", name="S", stories=[{"title": "T"}])
    code = made["session"]["code"]
    await join_session(actor=user_actor(watcher), code=code, name=None, spectator=True)
    async with agent(live_server, await pat(watcher, ["mcp", *POKER])) as s:
        await call(s, "get_session", code=code)
        error = await refused(s, "cast_vote", code=code, value="3")
        assert error["code"] == "forbidden" and "Spectators" in error["message"]


async def _post(live: LiveServer, token: str | None) -> httpx.Response:
    headers = {"Accept": "application/json, text/event-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.post(f"{live.url}/mcp", json=body, headers=headers)


@pytest.mark.parametrize("kind", ["none", "jwt", "guest-like", "without-mcp"])
async def test_only_a_token_with_the_mcp_scope_gets_in(live_server: LiveServer, kind: str) -> None:
    owner = await create_user()
    token = {
        "none": None,
        "jwt": jwt_for(owner),
        "guest-like": "rtg_" + "x" * 40,
        "without-mcp": await pat(owner, ["projects:read"]),
    }[kind]
    res = await _post(live_server, token)
    assert res.status_code == (403 if kind == "without-mcp" else 401), res.text
    assert res.json()["error"]["message"]
    if res.status_code == 401:
        assert res.headers["www-authenticate"].startswith("Bearer")


async def test_a_revoked_or_expired_token_is_refused_on_its_next_call(
    live_server: LiveServer,
) -> None:
    owner = await create_user()
    value = await pat(owner, ["mcp", *POKER])
    assert (await _post(live_server, value)).status_code == 200
    row = await ApiToken.filter(user_id=owner.id).get()
    await tokens.revoke_token(actor=user_actor(owner), token_id=row.id)
    res = await _post(live_server, value)
    assert res.status_code == 401 and "revoked" in res.json()["error"]["message"]

    other = await pat(owner, ["mcp", *POKER], "Short-lived")
    assert (await _post(live_server, other)).status_code == 200
    await ApiToken.filter(name="Short-lived").update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    res = await _post(live_server, other)
    assert res.status_code == 401 and "expired" in res.json()["error"]["message"]


async def test_a_flood_of_tool_calls_is_rate_limited_per_token(live_server: LiveServer) -> None:
    owner = await create_user()
    async with agent(live_server, await pat(owner, ["mcp", *POKER])) as s:
        codes = []
        for _ in range(125):
            result = await s.call_tool("list_my_sessions", {})
            if result.is_error:
                assert result.structured_content is not None
                codes.append(result.structured_content["error"]["code"])
        assert codes and set(codes) == {"rate_limited"}
    # Another token of the same account has its own budget.
    async with agent(live_server, await pat(owner, ["mcp", *POKER], "Second")) as s:
        await call(s, "list_my_sessions")


async def test_every_tool_is_closed_to_a_token_without_its_scope(live_server: LiveServer) -> None:
    """The tools' permission matrix: a token holding only `mcp` opens none of them, and
    each refusal names the scope the tool needs, one of the scopes a token can hold."""
    from server.mcp import TOOLS  # with every tool module imported
    from services.scopes import ALL, each

    owner = await create_user()
    async with agent(live_server, await pat(owner, ["mcp"])) as s:
        listed = {t.name for t in (await s.list_tools()).tools}
        assert listed == set(TOOLS)
        for name, tool in sorted(TOOLS.items()):
            needed = each(tool.scope)
            assert needed and set(needed) <= set(ALL), name
            error = await refused(s, name)
            assert error["code"] == "forbidden", (name, error)
            assert any(scope in error["message"] for scope in needed), (name, error)


async def test_a_flood_from_one_address_is_refused_before_any_token_is_read(db: str) -> None:
    """Per address, as on /api: bad tokens sent fast cost a database read each until
    the limit, then nothing."""
    from tests.servers import served_in_process

    async with served_in_process(db, rate_limit="3/minute") as url:
        statuses = []
        async with httpx.AsyncClient(timeout=10) as http:
            for _ in range(5):
                res = await http.post(
                    f"{url}/mcp",
                    headers={"Authorization": "Bearer rtp_nope", "Accept": "application/json"},
                    json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
                )
                statuses.append(res.status_code)
        assert statuses == [401, 401, 401, 429, 429]
        assert res.json()["error"]["code"] == "rate_limited"
