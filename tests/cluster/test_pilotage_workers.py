"""Pilotage across workers: an action proposed, approved and applied over REST on one
worker reaches cockpits on the others in seq order, and moves the card on a board open
on a third; nothing is lost when the cockpits' worker is killed and they reconnect."""

from __future__ import annotations

from tests.cluster.conftest import Cluster, board
from tests.cluster.follower import Follower, rest_ok
from tests.cluster.processes import wait_until


async def test_an_applied_action_reaches_every_worker(cluster: Cluster) -> None:
    b = await board(cluster, cards=1)
    url = cluster.url(0)
    pilotage = f"/orgs/{b.org}/workspaces/{b.ws}/pilotage"
    auth = {"token": b.token, "org": b.org, "ws": b.ws}
    first, second = (
        Follower("/workspace", auth, "cockpit 1"),
        Follower("/workspace", auth, "cockpit 2"),
    )
    screen = Follower("/board", {"token": b.token, "project": b.project_id}, "board")
    await first.connect(cluster.url(1))
    await second.connect(cluster.url(2))
    await screen.connect(cluster.url(2))
    proposed = await rest_ok(
        url,
        "POST",
        f"{pilotage}/actions/propose",
        token=b.token,
        json={
            "actionType": "move_card",
            "explanation": "Ready",
            "payload": {"cardId": b.cards[0], "targetColumn": b.columns[-1]},
        },
    )
    await rest_ok(
        url,
        "POST",
        f"{pilotage}/actions/{proposed['id']}/review",
        token=b.token,
        json={"approved": True},
    )
    # The first cockpit's worker dies; it reconnects to another and catches up by sync.
    cluster.workers[1].kill()
    await first.connect(cluster.url(0))
    await rest_ok(url, "POST", f"{pilotage}/actions/{proposed['id']}/apply", token=b.token)
    wanted = ["action_proposed", "action_reviewed", "action_applied"]

    async def everyone_heard() -> bool:
        moved = [e for e in screen.events if e["type"] == "card_moved"]
        return (
            all([e["type"] for e in f.events] == wanted for f in (first, second))
            and bool(moved)
            and moved[0]["data"]["columnId"] == b.columns[-1]
        )

    await wait_until(everyone_heard, "the action on every cockpit and the move on the board", 15)
    for f in (first, second, screen):
        assert f.applied == sorted(f.applied), f.name
        await f.close()
    head = await cluster.room_head(f"workspace:{(second.state or {})['workspace']['id']}")
    assert head == second.seq == 3
