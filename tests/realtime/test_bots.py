"""Bots against a live server: the example facilitator and estimator run as documented
(one command each), with people in the room on real sockets; and the client library
catches up through `sync` after being cut off."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from roundtable_client import Board, CommandError, Event, PokerRoom

from models import User
from services import tokens
from services.poker.rounds import reveal
from services.poker.seats import join_session
from services.poker.stories import add_story, start_story
from services.poker.voting import cast_vote
from tests.factories import create_board, create_user, jwt_for, poker_room, user_actor
from tests.realtime.clients import LiveServer, Tab
from tests.support import ROOT

POKER = ["poker:read", "poker:write"]


async def pat(user: User, name: str = "Bot") -> str:
    _, value = await tokens.create_token(actor=user_actor(user), name=name, scopes=POKER)
    return value


@asynccontextmanager
async def bot(
    script: str, live: LiveServer, token: str, code: str, *extra: str, log: Path
) -> AsyncIterator[None]:
    """Run `examples/<script>` as its docstring says, until the block ends."""
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "examples" / script),
            "--url",
            live.url,
            "--token",
            token,
            "--code",
            code,
            *extra,
            cwd=ROOT,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        yield
    finally:
        proc.terminate()
        await proc.wait()


async def test_the_facilitator_nudges_then_reveals_a_round_people_voted_in(
    live_server: LiveServer, tabs: Callable[[], Tab], tmp_path: Path
) -> None:
    owner = await create_user(name="Olivia Owner")
    _, actor, session = await poker_room(owner, name="Sprint 12")
    code = session["code"]
    story = await add_story(actor=actor, code=code, title="Password reset")
    await start_story(actor=actor, code=code, story_id=story["id"])
    ann, ben = await create_user(name="Ann"), await create_user(name="Ben")
    ann_tab, ben_tab = tabs(), tabs()
    await ann_tab.connect(jwt_for(ann), code)
    await ben_tab.connect(jwt_for(ben), code)
    assert ben_tab.state is not None
    ben_id = ben_tab.state["me"]["participant_id"]

    log = tmp_path / "facilitator.log"
    async with bot(
        "facilitator.py",
        live_server,
        await pat(owner, "Facilitator"),
        code,
        "--nudge-after",
        "1",
        log=log,
    ):
        # The owner keeps the moderator's seat the session gave them; the bot shows up
        # in the room's presence on it.
        await ann_tab.presence_where(lambda people: len(people) == 3)
        await ann_tab.ok("cast_vote", {"value": "5"})
        # Ben has not voted: a nudge, to him alone.
        nudge = await ben_tab.next_event("notice_posted", within=10)
        assert nudge["data"]["to"] == [ben_id]
        assert "Password reset" in nudge["data"]["text"]
        revealed_early = [e for e in ann_tab.events if e["type"] == "story_revealed"]
        assert revealed_early == []
        await ben_tab.ok("cast_vote", {"value": "8"})
        revealed = await ann_tab.next_event("story_revealed", within=10)
        assert revealed["actor"]["name"] == "Olivia Owner"
        votes = sorted(v["value"] for v in revealed["data"]["story"]["votes"])
        assert votes == ["5", "8"]
        summary = await ann_tab.next_event("notice_posted", within=10)
        assert summary["data"]["to"] is None
        assert "Password reset" in summary["data"]["text"] and "2 votes" in summary["data"]["text"]
    assert "Traceback" not in log.read_text()


async def test_the_estimator_votes_like_the_closest_earlier_story_hidden_until_the_reveal(
    live_server: LiveServer, tabs: Callable[[], Tab], tmp_path: Path
) -> None:
    owner = await create_user(name="Pat Owner")
    # An earlier sprint estimated a login story at 8.
    _, actor, earlier = await poker_room(owner, name="Sprint 11")
    old = await add_story(
        actor=actor, code=earlier["code"], title="Login page with email and password"
    )
    await start_story(actor=actor, code=earlier["code"], story_id=old["id"])
    voter = await create_user(name="Vera")
    await join_session(actor=user_actor(voter), code=earlier["code"], name=None)
    await cast_vote(actor=user_actor(voter), code=earlier["code"], value="8")
    await reveal(actor=actor, code=earlier["code"])

    _, _, session = await poker_room(owner, name="Sprint 12")
    code = session["code"]
    story = await add_story(actor=actor, code=code, title="Login page with a Google account")
    robot = await create_user(name="Estimator Bot")
    human = tabs()
    await human.connect(jwt_for(owner), code)

    log = tmp_path / "estimator.log"
    async with bot("estimator.py", live_server, await pat(robot, "Estimator"), code, log=log):
        seated = await human.next_event("participant_joined", within=10)
        bot_id = seated["data"]["participant"]["id"]
        await human.ok("start_story", {"story_id": story["id"]})
        cast = await human.next_event("vote_cast", within=10)
        assert cast["data"]["participant_id"] == bot_id
        assert set(cast["data"]) == {"story_id", "participant_id", "votes_cast"}
        # Hidden in a fresh snapshot too.
        late = tabs()
        state = await late.connect(jwt_for(owner), code)
        current = next(s for s in state["stories"] if s["id"] == story["id"])
        assert current["votes"] is None and bot_id in current["voted"]
        await human.ok("reveal", {})
        revealed = await human.next_event("story_revealed")
        [vote] = revealed["data"]["story"]["votes"]
        assert vote["value"] == "8"
    assert "like “Login page with email and password”" in log.read_text()


async def test_a_cut_off_client_catches_up_through_sync_with_every_event_once(
    live_server: LiveServer,
) -> None:
    owner = await create_user(name="Sam")
    _, actor, session = await poker_room(owner)
    code = session["code"]
    room = PokerRoom(live_server.url, await pat(owner), code)
    seen: list[Event] = []
    room.on("*", seen.append)
    await room.connect()
    try:
        before = room.seq
        await room.add_story("First")
        await room.wait_for("story_added", after=before)
        token = room.token
        # Cut off, and kept out while the room moves on: its next connects are refused.
        room.token = "rtp_not-a-token"
        await room.drop()
        for title in ("Second", "Third"):
            await add_story(actor=actor, code=code, title=title)
        await asyncio.sleep(0.5)
        room.token = token
        third = await room.wait_for(
            "story_added", lambda e: e.data["story"]["title"] == "Third", within=15
        )
        assert third.seq == room.seq or third.seq < room.seq
        assert room.reconnects >= 1 and room.catch_ups >= 1
        seqs = [e.seq for e in seen]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
        titles = [e.data["story"]["title"] for e in seen if e.type == "story_added"]
        assert titles == ["First", "Second", "Third"]
        assert [s["title"] for s in room.stories] == ["First", "Second", "Third"]
        # Commands still work, and a refused one raises with the server's code.
        voted = await room.cast_vote("5")
        assert voted["vote"]["value"] == "5"
        try:
            await room.cast_vote("banana")
        except CommandError as exc:
            assert exc.code == "invalid" and exc.command == "cast_vote"
        else:
            raise AssertionError("a card that is not in the deck was accepted")
    finally:
        await room.close()


async def test_a_board_client_moves_cards_and_a_stale_version_raises_with_the_current_card(
    live_server: LiveServer,
) -> None:
    owner = await create_user(name="Bo")
    board = await create_board(owner)
    todo, done = str(board.columns[0].id), str(board.columns[2].id)
    token = await tokens.create_token(
        actor=user_actor(owner), name="Board bot", scopes=["projects:read", "projects:write"]
    )
    client = Board(live_server.url, token[1], str(board.project.id))
    await client.connect()
    try:
        assert [c["name"] for c in client.columns] == ["To Do", "Doing", "Done"]
        before = client.seq
        made = await client.create_card(todo, "Write the release notes")
        card_id = made["card"]["id"] if "card" in made else made["id"]
        created = await client.wait_for(
            "card_created", lambda e: e.data["card"]["id"] == card_id, after=before
        )
        version = created.data["card"]["version"]
        before = client.seq
        await client.move_card(card_id, done, version)
        moved = await client.wait_for("card_moved", after=before)
        assert moved.actor.kind == "user" and client.cards[card_id]["columnId"] == done
        try:
            await client.update_card(card_id, version, title="Stale edit")
        except CommandError as exc:
            assert exc.code == "conflict"
            assert exc.details["current"]["columnId"] == done
        else:
            raise AssertionError("a stale version was written over")
    finally:
        await client.close()
