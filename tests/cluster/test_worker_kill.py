"""kill -9 of a worker in the middle of voting and of card moves: clients reconnect to
another worker, `sync`, and end with exactly the server's state; no acknowledged change
is lost or applied twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import socketio

from tests.cluster.conftest import Cluster, board, guest_follower, poker_room
from tests.cluster.follower import Follower

ROUNDS = 12
DECK = ["1", "2", "3", "5", "8", "13"]


async def _command(
    f: Follower, cluster: Cluster, alive: list[int], command: str, payload: dict[str, object]
) -> bool:
    """Send one command; when its worker is gone, reconnect to a live one (and sync)
    and report the command as not acknowledged."""
    try:
        ack = await f.call(command, payload)
        if ack["ok"]:
            return True
    except (socketio.exceptions.SocketIOError, TimeoutError):
        pass
    for i in alive:
        try:
            await f.connect(cluster.url(i))
            return False
        except (socketio.exceptions.SocketIOError, TimeoutError):
            continue
    raise AssertionError(f"{f.name} could not reconnect to any live worker")


async def test_votes_survive_a_worker_killed_mid_voting(cluster: Cluster) -> None:
    room = await poker_room(cluster, [f"Voter {i}" for i in range(6)])
    voters = [guest_follower(room, i) for i in range(6)]
    for i, f in enumerate(voters):
        await f.connect(cluster.url(i % 3))
    start = max(f.seq for f in voters)
    alive = [0, 1, 2]
    acked: dict[int, list[str]] = {i: [] for i in range(6)}
    unacked: Counter[int] = Counter()
    killed = asyncio.Event()

    async def vote(i: int) -> None:
        for r in range(ROUNDS):
            value = DECK[(i + r) % len(DECK)]
            while not await _command(voters[i], cluster, alive, "cast_vote", {"value": value}):
                unacked[i] += 1
            acked[i].append(value)
            # Worker 1 dies while voter 1, one of its own, has most of its votes to go:
            # its next vote is certain to find it gone.
            if r == ROUNDS // 3 and i == 1:
                killed.set()

    async def kill() -> None:
        await killed.wait()
        alive.remove(1)
        cluster.workers[1].kill()

    await asyncio.gather(kill(), *(vote(i) for i in range(6)))

    head = await cluster.room_head(room.room)
    rows = await cluster.backing.query(
        "SELECT participant_id, value FROM votes WHERE story_id = $1", room.story_id
    )
    # One vote per voter (none doubled), each the last one acknowledged.
    by_voter = {int(r["participant_id"]): r["value"] for r in rows}
    assert len(rows) == 6
    for i, (_, pid, _) in enumerate(room.guests):
        assert by_voter[pid] == acked[i][-1]
    events = await cluster.backing.query(
        "SELECT data FROM room_events WHERE room = $1 AND type = 'vote_cast'", room.room
    )
    cast = Counter(_participant(e["data"]) for e in events)
    for i, (_, pid, _) in enumerate(room.guests):
        # Every acknowledged vote is in the log once; a vote whose ack was lost with
        # its worker may or may not have been committed.
        assert ROUNDS <= cast[pid] <= ROUNDS + unacked[i]
    assert sum(1 for i in unacked if unacked[i]) >= 1, "the kill hit no voter"
    for f in voters:
        await f.wait_seq(head)
        f.assert_no_gap_or_duplicate(start, head)
        await f.close()


async def test_card_moves_survive_a_worker_killed_mid_moves(cluster: Cluster) -> None:
    b = await board(cluster, cards=6)
    tabs = [
        Follower("/board", {"token": b.token, "project": b.project_id}, name=f"tab {i}")
        for i in range(3)
    ]
    for i, f in enumerate(tabs):
        await f.connect(cluster.url(i))
    start = max(f.seq for f in tabs)
    alive = [0, 1, 2]
    last_column: dict[str, str] = {}
    unacked = 0
    killed = asyncio.Event()

    async def move(i: int) -> None:
        nonlocal unacked
        mine = b.cards[2 * i : 2 * i + 2]
        for r in range(ROUNDS):
            card = mine[r % 2]
            column = b.columns[(r + 1) % len(b.columns)]
            payload = {"card_id": card, "column_id": column}
            while not await _command(tabs[i], cluster, alive, "move_card", payload):
                unacked += 1
            last_column[card] = column
            # Worker 2 dies while tab 2, its own, has most of its moves to go: its next
            # move is certain to find it gone.
            if r == ROUNDS // 3 and i == 2:
                killed.set()

    async def kill() -> None:
        await killed.wait()
        alive.remove(2)
        cluster.workers[2].kill()

    await asyncio.gather(kill(), *(move(i) for i in range(3)))

    rows = await cluster.backing.query(
        "SELECT id::text AS id, column_id::text AS column_id FROM cards WHERE project_id = $1",
        b.project_id,
    )
    assert sorted(r["id"] for r in rows) == sorted(b.cards)
    assert {r["id"]: r["column_id"] for r in rows} == last_column
    assert unacked >= 1, "the kill hit no move"
    head = await cluster.room_head(b.room)
    for f in tabs:
        await f.wait_seq(head)
        f.assert_no_gap_or_duplicate(start, head)
        await f.close()


def _participant(data: object) -> int:
    import json

    body = json.loads(data) if isinstance(data, str) else data
    assert isinstance(body, dict)
    return int(body["participant_id"])
