"""Redis stopped and PostgreSQL restarted under a live room: what clients see during
the outage, and that every worker heals by itself afterwards."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.cluster.conftest import Cluster, guest_follower, poker_room
from tests.cluster.follower import Follower, rest, rest_ok
from tests.cluster.processes import wait_until

REDIS_OUTAGE_SECONDS = 10.0
DECK = ["1", "2", "3", "5", "8"]


async def test_a_redis_outage_fails_no_request_and_heals_by_itself(cluster: Cluster) -> None:
    room = await poker_room(cluster, ["Ann", "Ben", "Cat"])
    followers = [guest_follower(room, i) for i in range(3)]
    for i, f in enumerate(followers):
        await f.connect(cluster.url(i))
    start = max(f.seq for f in followers)
    quiet = await poker_room(cluster, ["Quinn", "Ray"])
    listener = guest_follower(quiet, 1)
    await listener.connect(cluster.url(2))
    statuses: list[tuple[str, int]] = []
    socket_acks: list[dict[str, object]] = []
    last_rest_vote: dict[int, str] = {}
    stop = asyncio.Event()

    async def rest_traffic(i: int) -> None:
        """REST reads and votes on each worker, all through the outage."""
        _, pid, token = room.guests[i]
        url = cluster.url(i)
        n = 0
        while not stop.is_set():
            value = DECK[n % len(DECK)]
            got = await rest(url, "GET", f"/sessions/{room.code}/participants", token=token)
            statuses.append(("participants", got.status_code))
            voted = await rest(
                url,
                "POST",
                f"/sessions/{room.code}/vote",
                token=token,
                json={"participant_id": pid, "vote": value},
            )
            statuses.append(("vote", voted.status_code))
            if voted.status_code == 200:
                last_rest_vote[pid] = value
            health = await rest(url, "GET", "/health")
            statuses.append(("health", health.status_code))
            n += 1
            await asyncio.sleep(0.2)

    async def socket_votes(f: Follower) -> None:
        n = 0
        while not stop.is_set():
            socket_acks.append(await f.call("cast_vote", {"value": DECK[n % len(DECK)]}))
            n += 1
            await asyncio.sleep(0.3)

    traffic = [asyncio.create_task(rest_traffic(i)) for i in range(3)]
    traffic.append(asyncio.create_task(socket_votes(followers[0])))
    await asyncio.sleep(1.0)
    await cluster.backing.redis.stop()
    outage_began = time.monotonic()
    outage_statuses = len(statuses)
    # Nothing crosses workers now, yet in a quiet room a client on another worker
    # notices within seconds that the room moved on (a heartbeat carrying the room's
    # seq) and catches up by `sync`.
    _, quiet_pid, quiet_token = quiet.guests[0]
    await rest_ok(
        cluster.url(0),
        "POST",
        f"/sessions/{quiet.code}/vote",
        token=quiet_token,
        json={"participant_id": quiet_pid, "vote": "3"},
    )
    await listener.wait_seq(await cluster.room_head(quiet.room), within=REDIS_OUTAGE_SECONDS - 2)
    assert listener.heartbeats >= 1 and listener.events[-1]["type"] == "vote_cast"
    await asyncio.sleep(REDIS_OUTAGE_SECONDS - (time.monotonic() - outage_began))
    await cluster.backing.redis.start()
    await asyncio.sleep(3.0)
    stop.set()
    await asyncio.gather(*traffic)

    assert time.monotonic() - outage_began >= REDIS_OUTAGE_SECONDS
    assert len(statuses) > outage_statuses + 30, "too little traffic during the outage"
    assert all(code < 500 for _, code in statuses), [s for s in statuses if s[1] >= 500]
    assert all(ack["ok"] for ack in socket_acks), [a for a in socket_acks if not a["ok"]]

    # Live delivery resumes by itself: a vote on worker 0 reaches worker 2 as an event.
    seen_live = len(followers[2].events)
    for value in DECK * 4:
        await followers[0].call("cast_vote", {"value": value})
        head = await cluster.room_head(room.room)
        try:
            await followers[2].wait_seq(head, within=1.0)
            if len(followers[2].events) > seen_live:
                break
        except AssertionError:
            continue
    else:
        raise AssertionError("live delivery did not resume after Redis came back")

    # Every client converges on the room's log: no gap, nothing twice.
    head = await cluster.room_head(room.room)
    for f in followers:
        await f.wait_seq(head, within=20)
        f.assert_no_gap_or_duplicate(start, head)
    rows = await cluster.backing.query(
        "SELECT participant_id, value FROM votes WHERE story_id = $1", room.story_id
    )
    by_voter = {int(r["participant_id"]): r["value"] for r in rows}
    for pid, value in last_rest_vote.items():
        if pid != room.guests[0][1]:  # Ann votes on both faces
            assert by_voter[pid] == value
    # Shared rate limits are back: the counters live in Redis again.
    async with httpx.AsyncClient(base_url=cluster.url(1), timeout=5) as http:
        assert (await http.get("/api/health")).json()["status"] == "ok"
    assert await cluster.backing.redis_keys("LIMITS*"), "rate limits are not shared again"
    for f in [*followers, listener]:
        await f.close()


async def test_a_postgres_restart_answers_503_and_service_resumes(cluster: Cluster) -> None:
    room = await poker_room(cluster, ["Dee", "Eli", "Fox"])
    followers = [guest_follower(room, i) for i in range(3)]
    for i, f in enumerate(followers):
        await f.connect(cluster.url(i))
    _, dee_id, dee_token = room.guests[0]
    await followers[0].call("cast_vote", {"value": "3"})

    await cluster.backing.pg.stop()
    try:
        for i in range(3):
            url = cluster.url(i)
            _, pid, token = room.guests[i]
            voted = await rest(
                url,
                "POST",
                f"/sessions/{room.code}/vote",
                token=token,
                json={"participant_id": pid, "vote": "8"},
            )
            assert voted.status_code == 503, voted.text
            assert voted.json()["code"] == "unavailable" and voted.json()["success"] is False
            me = await rest(url, "GET", "/auth/me", token=room.owner_token)
            assert me.status_code == 503
            assert me.json()["statusCode"] == 503
            health = await rest(url, "GET", "/health")
            assert health.status_code == 503 and health.json()["database"]["ok"] is False
            ack = await followers[i].call("cast_vote", {"value": "8"})
            assert ack == {
                "ok": False,
                "error": {"code": "unavailable", "message": ack["error"]["message"]},
            }
    finally:
        await cluster.backing.pg.start()

    # Every worker serves again without a restart.
    for i in range(3):
        url = cluster.url(i)
        _, pid, token = room.guests[i]

        async def votes_again(url: str = url, pid: int = pid, token: str = token) -> bool:
            res = await rest(
                url,
                "POST",
                f"/sessions/{room.code}/vote",
                token=token,
                json={"participant_id": pid, "vote": "5"},
            )
            assert res.status_code in (200, 503), res.text
            return res.status_code == 200

        await wait_until(votes_again, f"worker {i} serving votes again", 30)
        ack = await followers[i].call("cast_vote", {"value": "13"})
        assert ack["ok"], ack

    # Nothing half-written: the log has every seq once and each vote is the last one.
    head = await cluster.room_head(room.room)
    logged = await cluster.backing.query(
        "SELECT seq FROM room_events WHERE room = $1 ORDER BY seq", room.room
    )
    assert [int(r["seq"]) for r in logged] == list(range(1, head + 1))
    rows = await cluster.backing.query(
        "SELECT participant_id, value FROM votes WHERE story_id = $1", room.story_id
    )
    assert {int(r["participant_id"]): r["value"] for r in rows} == {
        pid: "13" for _, pid, _ in room.guests
    }
    assert dee_id in {int(r["participant_id"]) for r in rows}
    state = await rest_ok(cluster.url(2), "GET", f"/sessions/{room.code}", token=dee_token)
    assert state["success"] is True
    for f in followers:
        await f.wait_seq(head, within=20)
        await f.close()
