"""The AI project wizard over REST: a draft framed, refined, planned and executed as a
normal project, and every bad input answered with a clear 4xx."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from models import Card, ChecklistItem, Column, Project, ProjectDraft, ProjectMember
from services.wizard import engine
from tests.card_details import pat_headers
from tests.matrix import World, build_world

CLINIC = (
    "We want to help patients book appointments online so that the front desk spends "
    "less time on the phone.\n"
    "- Patients can see free slots\n"
    "- Patients can book and cancel an appointment\n"
    "- Staff can manage the calendar\n"
    "- Send reminders by SMS\n"
)
ANSWERS = [
    {"topic": "success", "answer": "Phone calls to the front desk drop by 30% in three months"},
    {"topic": "deadline", "answer": "Live before the end of March, when the new clinic opens"},
    {"topic": "risks", "answer": "The SMS provider may be too expensive for the clinic"},
]


def base(w: World) -> str:
    return f"/api/orgs/{w.board.org.slug}/workspaces/{w.board.workspace.slug}/project-drafts"


def refused(res: httpx.Response, status: int, starts: str) -> None:
    assert res.status_code == status, res.text
    body = res.json()
    assert body["statusCode"] == status and body["error"], body
    assert body["message"].startswith(starts), body["message"]


async def create(
    client: httpx.AsyncClient, w: World, caller: str = "owner", **body: Any
) -> httpx.Response:
    body.setdefault("name", "Clinic booking")
    body.setdefault("description", CLINIC)
    return await client.post(base(w), json=body, headers=await w.headers(caller))


async def ready_draft(client: httpx.AsyncClient, w: World) -> dict[str, Any]:
    made = (await create(client, w)).json()
    res = await client.post(
        f"{base(w)}/{made['id']}/refine",
        json={"answers": ANSWERS},
        headers=await w.headers("owner"),
    )
    assert res.status_code == 200, res.text
    return dict(res.json())


async def test_a_draft_goes_from_framing_to_a_project(client: httpx.AsyncClient) -> None:
    w = await build_world()
    headers = await w.headers("member")
    made = await create(client, w, "member")
    assert made.status_code == 201, made.text
    draft = made.json()
    assert draft["stage"] == "framing" and draft["engine"] == "builtin"
    assert 0 < draft["readiness"] < draft["readyAt"] == 60
    asked = [q["topic"] for q in draft["questions"]]
    assert asked and "success" in asked and "goal" not in asked[:1]
    url = f"{base(w)}/{draft['id']}"

    refined = await client.post(url + "/refine", json={"answers": ANSWERS}, headers=headers)
    assert refined.status_code == 200, refined.text
    after = refined.json()
    assert after["stage"] == "refinement"
    assert after["readiness"] > draft["readiness"] and after["ready"]
    assert {a["topic"] for a in after["answers"]} == {"success", "deadline", "risks"}
    assert "success" not in [q["topic"] for q in after["questions"]]

    planned = await client.post(url + "/generate-roadmap", headers=headers)
    assert planned.status_code == 200, planned.text
    roadmap = planned.json()["roadmap"]
    assert planned.json()["stage"] == "roadmap"
    names = [p["name"] for p in roadmap["phases"]]
    assert names == ["Discovery", "Build", "Launch"]
    build = [d["title"] for d in roadmap["phases"][1]["deliverables"]]
    assert "Staff can manage the calendar" in build
    assert all(d["acceptanceHints"] for p in roadmap["phases"] for d in p["deliverables"])

    executed = await client.post(url + "/execute", headers=headers)
    assert executed.status_code == 201, executed.text
    body = executed.json()
    project_id = body["project"]["id"]
    assert body["draft"]["stage"] == "executed" and body["draft"]["projectId"] == project_id
    assert body["project"]["name"] == "Clinic booking" and body["project"]["role"] == "admin"

    # A normal project: on the board, with the phases as columns in order.
    board = await client.get(
        f"/api/orgs/{w.board.org.slug}/workspaces/{w.board.workspace.slug}/projects/{project_id}",
        headers=headers,
    )
    assert board.status_code == 200, board.text
    columns = await Column.filter(project_id=project_id).order_by("order")
    assert [c.name for c in columns] == names
    cards = await Card.filter(project_id=project_id, column_id=columns[1].id)
    assert {c.title for c in cards} == set(build)
    assert await ChecklistItem.filter(card__project_id=project_id).count() > len(cards)
    assert await ProjectMember.filter(project_id=project_id, user_id=w.member.id, role="admin")

    again = await client.post(url + "/execute", headers=headers)
    refused(again, 409, "This draft was already executed")
    assert await Project.filter(workspace_id=w.board.workspace.id).count() == 2
    refused(await client.post(url + "/refine", json={}, headers=headers), 409, "This draft")
    refused(await client.post(url + "/generate-roadmap", headers=headers), 409, "This draft")


async def test_the_roadmap_waits_for_enough_readiness(client: httpx.AsyncClient) -> None:
    w = await build_world()
    headers = await w.headers("owner")
    draft = (await create(client, w, description="A tool.")).json()
    assert draft["readiness"] < 60
    url = f"{base(w)}/{draft['id']}"
    refused(
        await client.post(url + "/generate-roadmap", headers=headers),
        409,
        f"The draft is not ready for a roadmap: readiness {draft['readiness']} of 100, 60 needed",
    )
    refused(await client.post(url + "/execute", headers=headers), 409, "The draft has no roadmap")
    # "Don't know" earns nothing; real answers raise the score until it is ready.
    idk = await client.post(
        url + "/refine",
        json={"answers": [{"topic": "goal", "answer": "not sure"}]},
        headers=headers,
    )
    assert idk.json()["readiness"] == draft["readiness"]
    answers = [
        {"topic": "goal", "answer": "Let the support team answer tickets twice as fast"},
        {"topic": "users", "answer": "The twelve support agents and their team leads"},
        {"topic": "scope", "answer": "Ticket inbox\nCanned replies\nSearch across tickets"},
        {"topic": "success", "answer": "Median first response time under two hours"},
    ]
    scores = []
    for answer in answers:
        res = await client.post(url + "/refine", json={"answers": [answer]}, headers=headers)
        scores.append(res.json()["readiness"])
    assert scores == sorted(scores) and len(set(scores)) == len(scores)
    assert scores[-1] >= 60
    planned = await client.post(url + "/generate-roadmap", headers=headers)
    assert planned.status_code == 200, planned.text
    build = planned.json()["roadmap"]["phases"][1]["deliverables"]
    assert [d["title"] for d in build][:3] == [
        "Ticket inbox",
        "Canned replies",
        "Search across tickets",
    ]
    # Refining again drops the roadmap, which no longer matches the answers.
    res = await client.post(url + "/refine", json={"answers": []}, headers=headers)
    assert res.json()["roadmap"] is None and res.json()["stage"] == "refinement"
    refused(await client.post(url + "/execute", headers=headers), 409, "The draft has no roadmap")


async def test_context_documents_are_read_only_when_the_caller_may(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    theirs = await build_world(tag="Zephyrsecret ")
    mine = await w.document("Clinic brief")
    private = await w.document(
        "Board notes", scope_type="project", project_id=str(w.board.project.id)
    )
    foreign = await theirs.document("Their plan")
    made = await create(
        client, w, contextDocuments=["Reminders must go out by SMS.", {"documentId": mine}]
    )
    assert made.status_code == 201, made.text
    kinds = [(c["kind"], c["documentId"]) for c in made.json()["contextDocuments"]]
    assert kinds == [("text", None), ("document", mine)]
    # Another tenant's document, or one the caller cannot open, is not found.
    res = await create(client, w, contextDocuments=[{"documentId": foreign}])
    refused(res, 404, "Document not found")
    assert "Zephyrsecret" not in res.text
    refused(
        await create(client, w, "ws_member", contextDocuments=[{"documentId": private}]),
        404,
        "Document not found",
    )
    # A token that may write projects but not read documents reads none through a draft.
    token = await pat_headers(w.owner, "projects:write")
    res = await client.post(
        base(w),
        json={"name": "X", "contextDocuments": [{"documentId": mine}]},
        headers=token,
    )
    refused(res, 403, "This token lacks the 'documents:read' scope")
    assert await ProjectDraft.all().count() == 1


async def test_bad_input_is_refused_clearly(client: httpx.AsyncClient) -> None:
    w = await build_world()
    headers = await w.headers("owner")
    url = base(w)
    cases: list[tuple[Any, int]] = [
        ({}, 400),
        ({"name": ""}, 400),
        ({"name": "   "}, 400),
        ({"name": 42}, 400),
        ({"name": "x" * 201}, 400),
        ({"name": "ok", "description": "x" * 10_001}, 400),
        ({"name": "ok", "description": "nul\x00"}, 400),
        ({"name": "ok", "contextDocuments": "text"}, 400),
        ({"name": "ok", "contextDocuments": [""]}, 400),
        ({"name": "ok", "contextDocuments": ["x" * 20_001]}, 400),
        ({"name": "ok", "contextDocuments": ["a"] * 11}, 400),
        ({"name": "ok", "contextDocuments": [{"documentId": "nope"}]}, 400),
        ({"name": "ok", "contextDocuments": [{"documentId": 7}]}, 400),
        ({"name": "ok", "contextDocuments": [{"id": "x"}]}, 400),
        ({"name": "ok", "stage": "executed"}, 400),
    ]
    for body, status in cases:
        res = await client.post(url, json=body, headers=headers)
        assert res.status_code == status, (body, res.text)
        assert res.json()["statusCode"] == status
    malformed = await client.post(
        url, content=b"{not json", headers={**headers, "content-type": "application/json"}
    )
    assert malformed.status_code == 400, malformed.text
    assert malformed.json()["message"]
    huge = await client.post(
        url, json={"name": "x", "description": "y" * 2_000_000}, headers=headers
    )
    assert huge.status_code == 413, huge.text

    draft = (await create(client, w)).json()
    refine = f"{url}/{draft['id']}/refine"
    for body in (
        {"answers": [{"topic": "budget", "answer": "x"}]},
        {"answers": [{"topic": "goal"}]},
        {"answers": [{"topic": "goal", "answer": "x" * 2001}]},
        {"answers": [{"topic": "goal", "answer": 3}]},
        {"answers": [{"topic": "goal", "answer": "x"}] * 21},
        {"answers": {"goal": "x"}},
        {"other": 1},
    ):
        res = await client.post(refine, json=body, headers=headers)
        assert res.status_code == 400, (body, res.text)
    for bad_id in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        res = await client.get(f"{url}/{bad_id}", headers=headers)
        refused(res, 404, "Draft not found")
    assert await ProjectDraft.all().count() == 1


async def test_a_draft_is_its_authors_alone(client: httpx.AsyncClient) -> None:
    w = await build_world()
    draft = (await create(client, w, "member")).json()
    url = f"{base(w)}/{draft['id']}"
    for caller in ("owner", "admin", "ws_member"):
        res = await client.get(url, headers=await w.headers(caller))
        refused(res, 404, "Draft not found")
        listed = await client.get(base(w), headers=await w.headers(caller))
        assert listed.status_code == 200 and listed.json() == []
    mine = await client.get(base(w), headers=await w.headers("member"))
    assert [d["id"] for d in mine.json()] == [draft["id"]]
    stranger = await client.get(base(w), headers=await w.headers("stranger"))
    assert stranger.status_code == 404
    deleted = await client.delete(url, headers=await w.headers("member"))
    assert deleted.status_code == 200 and deleted.json() == {"ok": True}
    refused(await client.get(url, headers=await w.headers("member")), 404, "Draft not found")


async def test_deleting_an_executed_draft_keeps_its_project(client: httpx.AsyncClient) -> None:
    w = await build_world()
    headers = await w.headers("owner")
    draft = await ready_draft(client, w)
    url = f"{base(w)}/{draft['id']}"
    assert (await client.post(url + "/generate-roadmap", headers=headers)).status_code == 200
    executed = await client.post(url + "/execute", headers=headers)
    project_id = executed.json()["project"]["id"]
    assert (await client.delete(url, headers=headers)).status_code == 200
    assert await Project.filter(id=project_id).exists()


async def test_two_executions_at_once_make_one_project(client: httpx.AsyncClient) -> None:
    w = await build_world()
    headers = await w.headers("owner")
    draft = await ready_draft(client, w)
    url = f"{base(w)}/{draft['id']}"
    assert (await client.post(url + "/generate-roadmap", headers=headers)).status_code == 200
    answers = await asyncio.gather(
        client.post(url + "/execute", headers=headers),
        client.post(url + "/execute", headers=headers),
    )
    assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
    assert await Project.filter(workspace_id=w.board.workspace.id).count() == 2


async def test_a_draft_changed_meanwhile_is_not_overwritten(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model's answer is worked out outside the transaction; if another answer landed
    in the meantime, the slower one is refused rather than silently dropping it."""
    w = await build_world()
    headers = await w.headers("owner")
    draft = (await create(client, w)).json()
    url = f"{base(w)}/{draft['id']}/refine"
    real = engine.assess

    async def slow(text: Any) -> Any:
        await asyncio.sleep(0.2)
        return await real(text)

    monkeypatch.setattr(engine, "assess", slow)
    first = client.post(url, json={"answers": [ANSWERS[0]]}, headers=headers)

    async def second() -> httpx.Response:
        await asyncio.sleep(0.05)
        monkeypatch.setattr(engine, "assess", real)
        return await client.post(url, json={"answers": [ANSWERS[1]]}, headers=headers)

    slow_one, fast_one = await asyncio.gather(first, second())
    assert fast_one.status_code == 200, fast_one.text
    refused(slow_one, 409, "The draft changed meanwhile")
    kept = (await client.get(f"{base(w)}/{draft['id']}", headers=headers)).json()
    assert [a["topic"] for a in kept["answers"]] == ["deadline"]
