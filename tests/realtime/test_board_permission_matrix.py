"""Who may open a live board or a poker room, and which commands each caller may send.

The same rules as over REST: outsiders are refused as if the board did not exist, a
read-only token watches but cannot change anything, and column changes are for admins.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from realtime.board import COMMANDS as BOARD_COMMANDS
from tests.card_details import pat_headers
from tests.factories import create_user, guest, jwt_for, poker_room
from tests.matrix import CALLERS, World, build_world
from tests.realtime.board_clients import BoardTab
from tests.realtime.clients import LiveServer, Tab
from tests.realtime.conftest import Room

BoardTabs = Callable[[], BoardTab]
Payload = Callable[[World], Awaitable[dict[str, Any]]]

OK = "ok"
FORBIDDEN = "forbidden"
SECRET = "Zephyrsecret "


@pytest.fixture
async def board_tabs(live_server: LiveServer) -> AsyncIterator[BoardTabs]:
    opened: list[BoardTab] = []

    def open_tab() -> BoardTab:
        tab = BoardTab(live_server)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        await tab.close()


@pytest.fixture
async def poker_tabs(live_server: LiveServer) -> AsyncIterator[Callable[[], Tab]]:
    opened: list[Tab] = []

    def open_tab() -> Tab:
        tab = Tab(live_server)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        await tab.close()


# Connecting to /board: the refusal code, or None when the caller gets the board.
CONNECT: dict[str, str | None] = {
    "anonymous": "unauthorized",
    "stranger": "not_found",
    "pat_read": None,
    "ws_member": "not_found",
    "member": None,
    "admin": None,
    "owner": None,
}


async def test_who_may_open_the_board(board_tabs: BoardTabs, live_server: LiveServer) -> None:
    w = await build_world()
    pid = str(w.board.project.id)
    assert set(CONNECT) == set(CALLERS)
    for caller in CALLERS:
        token = await w.token(caller)
        auth = {"project": pid} | ({"token": token} if token else {})
        want = CONNECT[caller]
        if want is None:
            state = await board_tabs().connect(str(token), pid)
            assert state["project"]["id"] == pid, caller
        else:
            refusal = await board_tabs().refused(auth)
            assert refusal["code"] == want, (caller, refusal)
            assert w.board.project.name not in str(refusal), caller


async def test_a_refusal_does_not_tell_whether_the_board_exists(
    board_tabs: BoardTabs, live_server: LiveServer
) -> None:
    """Someone outside gets exactly what they would get for an id that names nothing,
    so project ids reveal nothing."""
    w = await build_world()
    for caller in ("stranger", "ws_member"):
        token = str(await w.token(caller))
        real = await board_tabs().refused({"token": token, "project": str(w.board.project.id)})
        made_up = await board_tabs().refused({"token": token, "project": str(uuid.uuid4())})
        assert real == made_up, caller


async def test_a_poker_guest_token_does_not_open_a_board(
    board_tabs: BoardTabs, live_server: LiveServer
) -> None:
    w = await build_world()
    _, _, session = await poker_room()
    _, _, token = await guest(session["code"], "Gus")
    refusal = await board_tabs().refused({"token": token, "project": str(w.board.project.id)})
    assert refusal["code"] == "forbidden", refusal


async def card_ref(w: World) -> dict[str, Any]:
    return {"card_id": await w.card()}


async def new_card(w: World) -> dict[str, Any]:
    return {"column_id": str(w.board.columns[0].id), "title": "From the socket"}


async def retitle(w: World) -> dict[str, Any]:
    return {"card_id": await w.card(), "title": "Retitled"}


async def move(w: World) -> dict[str, Any]:
    return {"card_id": await w.card(), "column_id": str(w.board.columns[1].id)}


async def new_column(w: World) -> dict[str, Any]:
    return {"name": "Review"}


async def rename_column(w: World) -> dict[str, Any]:
    return {"column_id": await w.empty_column(), "name": "Renamed"}


async def empty_column(w: World) -> dict[str, Any]:
    return {"column_id": await w.empty_column()}


async def comment(w: World) -> dict[str, Any]:
    return {"card_id": await w.card(), "content": "Nice"}


async def since_zero(w: World) -> dict[str, Any]:
    return {"since": 0}


def answers(member: str, admin: str = OK, owner: str = OK, *, pat_read: str) -> dict[str, str]:
    return {"pat_read": pat_read, "member": member, "admin": admin, "owner": owner}


WRITE = answers(OK, pat_read=FORBIDDEN)
ADMIN = answers(FORBIDDEN, pat_read=FORBIDDEN)
READ = answers(OK, pat_read=OK)

# Every /board command, and what each caller that may open the board gets back.
COMMANDS: dict[str, tuple[Payload, dict[str, str]]] = {
    "create_card": (new_card, WRITE),
    "update_card": (retitle, WRITE),
    "move_card": (move, WRITE),
    "delete_card": (card_ref, WRITE),
    "create_column": (new_column, ADMIN),
    "update_column": (rename_column, ADMIN),
    "delete_column": (empty_column, ADMIN),
    "add_comment": (comment, WRITE),
    "focus_card": (card_ref, READ),
    "sync": (since_zero, READ),
}


def test_every_board_command_has_a_row() -> None:
    assert set(COMMANDS) == set(BOARD_COMMANDS)


async def test_what_each_caller_may_do_on_the_board(
    board_tabs: BoardTabs, live_server: LiveServer
) -> None:
    w = await build_world()
    pid = str(w.board.project.id)
    wrong: list[str] = []
    for caller in ("pat_read", "member", "admin", "owner"):
        tab = board_tabs()
        await tab.connect(str(await w.token(caller)), pid)
        for command, (payload, expected) in COMMANDS.items():
            ack = await tab.call(command, await payload(w))
            got = OK if ack["ok"] else ack["error"]["code"]
            if got != expected[caller]:
                wrong.append(f"{caller} {command}: expected {expected[caller]}, got {ack}")
        await tab.close()
    assert not wrong, "\n".join(wrong)


async def test_another_boards_ids_are_not_found_on_the_socket(
    board_tabs: BoardTabs, live_server: LiveServer
) -> None:
    mine = await build_world()
    theirs = await build_world(tag=SECRET)
    their_card = await theirs.card()
    their_column = str(theirs.board.columns[0].id)
    tab = board_tabs()
    await tab.connect(str(await mine.token("owner")), str(mine.board.project.id))
    for command, payload in [
        ("update_card", {"card_id": their_card, "title": "Mine now"}),
        ("move_card", {"card_id": their_card, "column_id": str(mine.board.columns[0].id)}),
        ("move_card", {"card_id": await mine.card(), "column_id": their_column}),
        ("delete_card", {"card_id": their_card}),
        ("create_card", {"column_id": their_column, "title": "Planted"}),
        ("update_column", {"column_id": their_column, "name": "Mine now"}),
        ("delete_column", {"column_id": await theirs.empty_column()}),
        ("add_comment", {"card_id": their_card, "content": "Hello there"}),
        ("focus_card", {"card_id": their_card}),
    ]:
        ack = await tab.call(command, payload)
        assert ack["ok"] is False, (command, ack)
        assert ack["error"]["code"] == "not_found", (command, ack)
        assert SECRET.strip() not in str(ack), (command, ack)
    assert [e["type"] for e in tab.events] == []


# /poker: the room's moderator, a guest and a signed-in participant who does not moderate.

MODERATOR_ONLY: list[tuple[str, Callable[[Room], Any]]] = [
    ("reveal", lambda room: {}),
    ("add_story", lambda room: {"title": "Sneaky"}),
    ("start_story", lambda room: {"story_id": room.story_id}),
    ("restart_round", lambda room: None),
    ("start_timer", lambda room: {"seconds": 60}),
]


async def test_who_may_open_a_poker_room(
    poker_tabs: Callable[[], Tab], room: Room, live_server: LiveServer
) -> None:
    _, _, elsewhere = await poker_room()
    _, _, foreign_guest = await guest(elsewhere["code"], "Elsewhere")
    reader = await create_user()
    pat = (await pat_headers(reader, "projects:read"))["Authorization"].removeprefix("Bearer ")
    cases = [
        ({"code": room.code}, "unauthorized"),
        ({"token": foreign_guest, "code": room.code}, "forbidden"),
        ({"token": pat, "code": room.code}, "forbidden"),
    ]
    for auth, code in cases:
        refusal = await poker_tabs().refused(auth)
        assert refusal["code"] == code, (auth, refusal)


async def test_moderator_commands_by_role(
    poker_tabs: Callable[[], Tab], room: Room, live_server: LiveServer
) -> None:
    _, _, guest_token = await guest(room.code, "Gil")
    participant = jwt_for(await create_user(name="Pat Participant"))
    wrong: list[str] = []
    for who, token in (("guest", guest_token), ("participant", participant)):
        tab = poker_tabs()
        await tab.connect(token, room.code)
        await tab.ok("cast_vote", {"value": "3"})
        for command, payload in MODERATOR_ONLY:
            body = payload(room)
            ack = await tab.call(command, body) if body is not None else await tab.call(command)
            if ack["ok"] or ack["error"]["code"] != FORBIDDEN:
                wrong.append(f"{who} {command}: {ack}")
    moderator = poker_tabs()
    await moderator.connect(room.moderator_token, room.code)
    for command, payload in MODERATOR_ONLY:
        body = payload(room)
        ack = (
            await moderator.call(command, body)
            if body is not None
            else await moderator.call(command)
        )
        if not ack["ok"]:
            wrong.append(f"moderator {command}: {ack}")
    assert not wrong, "\n".join(wrong)
