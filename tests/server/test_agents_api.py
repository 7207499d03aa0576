"""Workspace agents over REST: configuring them (every bad input refused with what is
wrong), missions on cards in each autonomy mode, proposals approved live or rejected,
rate limits, and the progress stream replayed from a Last-Event-ID."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from models import AgentMission, ChecklistItem, Comment, Job, ProjectMember
from services import tokens
from tests.agent_support import ITEMS, agent, agent_body, card, setup, work
from tests.factories import add_member, bearer, create_board, create_user, jwt_for, user_actor


async def test_configure_an_agent(client: httpx.AsyncClient) -> None:
    s = await setup()
    made = await agent(client, s, description="Breaks cards down")
    assert made["autonomyMode"] == "supervised" and made["callsPerMinute"] == 30
    assert made["tools"] == ["get_card", "add_checklist_item", "add_comment"]
    one = f"{s.ws}/agents/{made['id']}"
    listed = await client.get(f"{s.ws}/agents", headers=s.headers)
    assert [a["slug"] for a in listed.json()] == ["planner"]
    changed = await client.patch(
        one, json={"autonomyMode": "autonomous", "missionsPerDay": 3}, headers=s.headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["autonomyMode"] == "autonomous"
    assert changed.json()["missionsPerDay"] == 3
    gone = await client.delete(one, headers=s.headers)
    assert gone.json() == {"ok": True}
    missing = await client.get(one, headers=s.headers)
    assert missing.json() == {"statusCode": 404, "message": "Agent not found", "error": "Not Found"}


async def test_bad_configurations_are_refused(client: httpx.AsyncClient) -> None:
    s = await setup()
    url = f"{s.ws}/agents"
    unknown = await client.post(url, json=agent_body(tools=["launch_rockets"]), headers=s.headers)
    assert unknown.status_code == 400
    assert unknown.json()["message"] == "Unknown tool: launch_rockets"
    mode = await client.post(url, json=agent_body(autonomyMode="reckless"), headers=s.headers)
    assert mode.status_code == 400 and "autonomyMode" in mode.json()["message"]
    limit = await client.post(url, json=agent_body(callsPerMinute=0), headers=s.headers)
    assert limit.status_code == 400
    first = await agent(client, s)
    twice = await client.post(url, json=agent_body(name="Other"), headers=s.headers)
    assert twice.status_code == 409
    assert "planner" in twice.json()["message"]
    other = await agent(client, s, slug="other", name="Other")
    clash = await client.patch(f"{url}/{other['id']}", json={"slug": "planner"}, headers=s.headers)
    assert clash.status_code == 409
    bad_tool = await client.patch(
        f"{url}/{first['id']}", json={"tools": ["nope"]}, headers=s.headers
    )
    assert bad_tool.status_code == 400
    null = await client.patch(f"{url}/{first['id']}", json={"name": None}, headers=s.headers)
    assert null.status_code == 400


async def test_only_workspace_admins_configure_and_strangers_see_nothing(
    client: httpx.AsyncClient,
) -> None:
    s = await setup()
    made = await agent(client, s)
    member = await create_user(name="Max Member")
    await add_member(s.board, member)
    as_member = bearer(jwt_for(member))
    refused = await client.post(f"{s.ws}/agents", json=agent_body(slug="xy"), headers=as_member)
    assert refused.status_code == 403
    seen = await client.get(f"{s.ws}/agents/{made['id']}", headers=as_member)
    assert seen.status_code == 200
    stranger = await create_user(name="Stranger")
    await create_board(stranger)
    hidden = await client.get(f"{s.ws}/agents", headers=bearer(jwt_for(stranger)))
    assert hidden.status_code == 404


async def _start(
    client: httpx.AsyncClient, s: Any, agent_id: str, card_id: str, prompt: str = "Break it down"
) -> httpx.Response:
    return await client.post(
        f"{s.ws}/agents/{agent_id}/missions",
        json={"cardId": card_id, "prompt": prompt},
        headers=s.headers,
    )


async def _proposals(client: httpx.AsyncClient, s: Any, mission_id: str) -> list[Any]:
    got = await client.get(f"{s.ws}/missions/{mission_id}/proposals", headers=s.headers)
    assert got.status_code == 200, got.text
    return list(got.json())


async def _mission(client: httpx.AsyncClient, s: Any, mission_id: str) -> dict[str, Any]:
    got = await client.get(f"{s.ws}/missions/{mission_id}", headers=s.headers)
    assert got.status_code == 200, got.text
    return dict(got.json())


async def test_a_supervised_mission_proposes_one_change_at_a_time(
    client: httpx.AsyncClient,
) -> None:
    s = await setup()
    bot = await agent(client, s)
    c = await card(s)
    started = await _start(client, s, bot["id"], str(c.id))
    assert started.status_code == 201, started.text
    mission = started.json()
    assert mission["status"] == "queued" and mission["cardId"] == str(c.id)
    await work()
    now = await _mission(client, s, mission["id"])
    assert now["status"] == "awaiting_approval"
    assert [p["arguments"]["title"] for p in now["plan"]] == ITEMS
    first = await _proposals(client, s, mission["id"])
    assert [(p["tool"], p["status"]) for p in first] == [("add_checklist_item", "pending")]
    approved = await client.post(f"{s.ws}/proposals/{first[0]['id']}/approve", headers=s.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    titles = await ChecklistItem.filter(card_id=c.id).values_list("title", flat=True)
    assert titles == [ITEMS[0]]
    twice = await client.post(f"{s.ws}/proposals/{first[0]['id']}/approve", headers=s.headers)
    assert twice.status_code == 409
    assert twice.json()["message"] == "This proposal is already approved"
    second = (await _proposals(client, s, mission["id"]))[1]
    rejected = await client.post(
        f"{s.ws}/proposals/{second['id']}/reject", json={"reason": "Not needed"}, headers=s.headers
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "Not needed"
    late = await client.post(f"{s.ws}/proposals/{second['id']}/approve", headers=s.headers)
    assert late.status_code == 409
    assert late.json()["message"] == "This proposal is already rejected"
    third = (await _proposals(client, s, mission["id"]))[2]
    await client.post(f"{s.ws}/proposals/{third['id']}/approve", headers=s.headers)
    done = await _mission(client, s, mission["id"])
    assert done["status"] == "completed"
    assert done["result"]["proposals"] == {"approved": 2, "rejected": 1}
    titles = (
        await ChecklistItem.filter(card_id=c.id).order_by("order").values_list("title", flat=True)
    )
    assert titles == [ITEMS[0], ITEMS[2]]
    cancel = await client.post(f"{s.ws}/missions/{mission['id']}/cancel", headers=s.headers)
    assert cancel.status_code == 409
    assert cancel.json()["message"] == "This mission is already completed"


async def test_an_approval_mission_batches_its_proposals(client: httpx.AsyncClient) -> None:
    s = await setup()
    bot = await agent(client, s, autonomyMode="approval")
    c = await card(s)
    mission = (await _start(client, s, bot["id"], str(c.id))).json()
    await work()
    batch = await _proposals(client, s, mission["id"])
    assert [p["arguments"]["title"] for p in batch] == ITEMS
    assert await ChecklistItem.filter(card_id=c.id).count() == 0
    cancelled = await client.post(f"{s.ws}/missions/{mission['id']}/cancel", headers=s.headers)
    assert cancelled.json()["status"] == "cancelled"
    after = await _proposals(client, s, mission["id"])
    assert {p["status"] for p in after} == {"withdrawn"}
    withdrawn = await client.post(f"{s.ws}/proposals/{batch[0]['id']}/approve", headers=s.headers)
    assert withdrawn.status_code == 409


async def test_an_autonomous_mission_acts_only_with_its_whitelist(
    client: httpx.AsyncClient,
) -> None:
    s = await setup()
    bot = await agent(client, s, autonomyMode="autonomous", tools=["add_checklist_item"])
    c = await card(s)
    await Comment.create(
        card_id=c.id, author_id=s.board.owner.id, author_name="Olive", content="Go"
    )
    mission = (await _start(client, s, bot["id"], str(c.id), "Checklist and summary")).json()
    await work()
    done = await _mission(client, s, mission["id"])
    assert done["status"] == "completed", done
    titles = (
        await ChecklistItem.filter(card_id=c.id).order_by("order").values_list("title", flat=True)
    )
    assert titles == ITEMS
    assert await Comment.filter(card_id=c.id).count() == 1  # add_comment is not allowed
    events = await client.get(
        f"{s.ws}/missions/{mission['id']}/events?follow=false", headers=s.headers
    )
    notes = [e["data"].get("message") for e in _events(events.text) if e["kind"] == "step"]
    assert "Skipped: add_comment is not allowed" in notes


async def test_missions_on_cards_out_of_reach_are_not_found(client: httpx.AsyncClient) -> None:
    s = await setup()
    bot = await agent(client, s)
    other = await setup()
    theirs = await card(other)
    refused = await _start(client, s, bot["id"], str(theirs.id))
    assert refused.status_code == 404
    assert refused.json()["message"] == "Card not found"
    made_up = await _start(client, s, bot["id"], "00000000-0000-4000-8000-000000000000")
    assert made_up.status_code == 404
    blank = await client.post(
        f"{s.ws}/agents/{bot['id']}/missions",
        json={"cardId": str(theirs.id), "prompt": "  "},
        headers=s.headers,
    )
    assert blank.status_code == 400


async def test_rate_limits(client: httpx.AsyncClient) -> None:
    s = await setup()
    daily = await agent(client, s, missionsPerDay=1)
    c = await card(s)
    assert (await _start(client, s, daily["id"], str(c.id))).status_code == 201
    over = await _start(client, s, daily["id"], str(c.id))
    assert over.status_code == 429
    assert over.json()["message"].startswith("Planner has started its 1 missions")
    quick = await agent(
        client, s, slug="quick", autonomyMode="autonomous", callsPerMinute=2, missionsPerDay=5
    )
    mission = (await _start(client, s, quick["id"], str(c.id))).json()
    await work()
    waiting = await _mission(client, s, mission["id"])
    assert waiting["status"] == "running" and waiting["done"] == 2
    assert await ChecklistItem.filter(card_id=c.id).count() == 2
    job = await Job.get(kind="agent_mission", ref=mission["id"])
    assert job.status == "pending" and "over its 2 tool calls a minute" in (job.last_error or "")


def _events(text: str) -> list[dict[str, Any]]:
    found = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.split("\n") if ": " in line and line[0] != ":"
        )
        if "data" in fields:
            body = json.loads(fields["data"])
            assert body["id"] == fields["id"] and body["kind"] == fields["event"]
            found.append(body)
    return found


async def test_the_progress_stream_resumes_after_the_last_event_id(
    client: httpx.AsyncClient,
) -> None:
    s = await setup()
    bot = await agent(client, s, autonomyMode="autonomous")
    c = await card(s)
    mission = (await _start(client, s, bot["id"], str(c.id))).json()
    await work()
    url = f"{s.ws}/missions/{mission['id']}/events"
    whole = await client.get(url, headers=s.headers)
    assert whole.headers["content-type"].startswith("text/event-stream")
    events = _events(whole.text)
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "status" and kinds[-2:] == ["result", "status"]
    assert kinds.count("tool_call") == 3
    assert events[-1]["data"] == {"status": "completed"}
    cut = events[3]["id"]
    rest = await client.get(url, headers={**s.headers, "Last-Event-ID": cut})
    assert [e["id"] for e in _events(rest.text)] == [e["id"] for e in events[4:]]
    stranger = await setup()
    hidden = await client.get(url.replace(s.ws, stranger.ws), headers=stranger.headers)
    assert hidden.status_code == 404


async def test_a_mission_survives_a_worker_that_stopped(client: httpx.AsyncClient) -> None:
    """A runner took the mission and died after its first change: once the lease runs
    out another runner resumes from the stored plan, without repeating that change."""
    s = await setup()
    bot = await agent(client, s, autonomyMode="autonomous")
    c = await card(s)
    mission = (await _start(client, s, bot["id"], str(c.id))).json()
    from services import jobs

    await jobs.claim("dead-worker")
    from services.agents.plans import builtin_plan

    _, plan = await builtin_plan(c, "Break it down")
    await ChecklistItem.create(card_id=c.id, title=ITEMS[0], order=0)
    await AgentMission.filter(id=mission["id"]).update(status="running", plan=plan, cursor=1)
    await work("second-worker")  # the lease has not run out: nothing to take
    assert (await _mission(client, s, mission["id"]))["status"] == "running"
    await Job.filter(ref=mission["id"]).update(lease_until=jobs.sql.now())
    await work("second-worker")
    done = await _mission(client, s, mission["id"])
    assert done["status"] == "completed"
    titles = (
        await ChecklistItem.filter(card_id=c.id).order_by("order").values_list("title", flat=True)
    )
    assert titles == ITEMS


async def test_a_mission_acts_with_no_more_rights_than_its_starter(
    client: httpx.AsyncClient,
) -> None:
    """The agent acts on its starter's behalf: once they leave the project, the mission
    fails instead of acting; a token's scopes bound what the agent may call."""
    s = await setup()
    bot = await agent(client, s, autonomyMode="autonomous")
    member = await create_user(name="Max Member")
    await add_member(s.board, member)
    c = await card(s)
    as_member = bearer(jwt_for(member))
    started = await client.post(
        f"{s.ws}/agents/{bot['id']}/missions",
        json={"cardId": str(c.id), "prompt": "Break it down"},
        headers=as_member,
    )
    assert started.status_code == 201, started.text
    await ProjectMember.filter(project_id=s.board.project.id, user_id=member.id).delete()
    await work()
    failed = await _mission(client, s, started.json()["id"])
    assert failed["status"] == "failed" and failed["error"] == "Project not found"
    assert await ChecklistItem.filter(card_id=c.id).count() == 0
    _, token = await tokens.create_token(
        actor=user_actor(s.board.owner), name="bot", scopes=["projects:write", "documents:read"]
    )
    doc_bot = await agent(
        client, s, slug="docs", autonomyMode="autonomous", tools=["add_checklist_item"]
    )
    by_token = await client.post(
        f"{s.ws}/agents/{doc_bot['id']}/missions",
        json={"cardId": str(c.id), "prompt": "Break it down"},
        headers=bearer(token),
    )
    await work()
    done = await _mission(client, s, by_token.json()["id"])
    assert done["status"] == "completed"
    mission = await AgentMission.get(id=done["id"])
    assert mission.scopes == ["documents:read", "projects:write"]


async def test_a_tool_taken_off_the_whitelist_is_not_run_on_approval(
    client: httpx.AsyncClient,
) -> None:
    s = await setup()
    bot = await agent(client, s, autonomyMode="approval")
    c = await card(s)
    mission = (await _start(client, s, bot["id"], str(c.id))).json()
    await work()
    first = (await _proposals(client, s, mission["id"]))[0]
    await client.patch(f"{s.ws}/agents/{bot['id']}", json={"tools": []}, headers=s.headers)
    approved = await client.post(f"{s.ws}/proposals/{first['id']}/approve", headers=s.headers)
    assert approved.status_code == 200
    assert approved.json()["status"] == "failed"
    refusal = "Planner may not use the tool add_checklist_item"
    assert approved.json()["outcome"] == {"error": refusal}
    assert await ChecklistItem.filter(card_id=c.id).count() == 0


async def test_two_approvals_at_once_make_the_change_once(client: httpx.AsyncClient) -> None:
    s = await setup()
    bot = await agent(client, s)
    c = await card(s)
    mission = (await _start(client, s, bot["id"], str(c.id))).json()
    await work()
    first = (await _proposals(client, s, mission["id"]))[0]
    url = f"{s.ws}/proposals/{first['id']}/approve"
    answers = await asyncio.gather(
        client.post(url, headers=s.headers), client.post(url, headers=s.headers)
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert await ChecklistItem.filter(card_id=c.id).count() == 1


async def test_an_approval_over_the_calls_per_minute_is_refused(
    client: httpx.AsyncClient,
) -> None:
    s = await setup()
    bot = await agent(client, s, autonomyMode="approval", callsPerMinute=1)
    c = await card(s)
    mission = (await _start(client, s, bot["id"], str(c.id))).json()
    await work()
    first, second, _ = await _proposals(client, s, mission["id"])
    ok = await client.post(f"{s.ws}/proposals/{first['id']}/approve", headers=s.headers)
    assert ok.status_code == 200
    over = await client.post(f"{s.ws}/proposals/{second['id']}/approve", headers=s.headers)
    assert over.status_code == 429
    assert over.json()["message"].startswith("Planner has made its 1 tool calls for this minute")
    assert (await _proposals(client, s, mission["id"]))[1]["status"] == "pending"
