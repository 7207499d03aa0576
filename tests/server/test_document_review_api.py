"""The review workflow over REST: draft → pending_review → approved | changes_requested,
who may review, the transitions refused with 409, and who is notified."""

from __future__ import annotations

from typing import Any

import httpx

from models import Notification, WorkspaceMember
from tests.factories import add_member, bearer, create_user, jwt_for
from tests.matrix import World, build_world
from tests.server.test_documents_api import base, para, refused


async def act(
    client: httpx.AsyncClient, w: World, caller: str, doc: str, step: str, body: Any = None
) -> httpx.Response:
    return await client.post(
        f"{base(w)}/{doc}/{step}", json=body or {}, headers=await w.headers(caller)
    )


async def notes_of(user_id: Any, type: str) -> list[dict[str, Any]]:
    rows = await Notification.filter(user_id=user_id, type=type).order_by("created_at")
    return [n.meta for n in rows]


async def test_a_review_round_trip(client: httpx.AsyncClient) -> None:
    w = await build_world()
    doc = await w.document("Release policy", author=w.member, content=para("weekly"))
    url = f"{base(w)}/{doc}"

    submitted = await act(client, w, "member", doc, "submit-review")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "pending_review"
    assert submitted.json()["submittedById"] == str(w.member.id)
    # Everyone who may review hears of it: the workspace admins (the owner, Ada), not the
    # author, not the plain members.
    for reviewer in (w.owner, w.admin):
        [meta] = await notes_of(reviewer.id, "document_review_requested")
        assert meta["documentId"] == doc and meta["documentTitle"] == "Release policy"
    assert await notes_of(w.member.id, "document_review_requested") == []
    assert await notes_of(w.ws_member.id, "document_review_requested") == []

    again = await act(client, w, "member", doc, "submit-review")
    refused(again, 409, "Only a draft, or a document with changes requested, can be submitted")

    changes = await act(
        client, w, "admin", doc, "review", {"status": "changes_requested", "notes": "Add dates"}
    )
    assert changes.status_code == 200, changes.text
    body = changes.json()
    assert body["status"] == "changes_requested" and body["reviewNotes"] == "Add dates"
    assert body["reviewedById"] == str(w.admin.id) and body["reviewedVersion"] == 1
    [meta] = await notes_of(w.member.id, "document_reviewed")
    assert meta["status"] == "changes_requested" and meta["notes"] == "Add dates"
    refused(
        await act(client, w, "admin", doc, "review", {"status": "approved"}),
        409,
        "Only a document pending review can be reviewed; this one is changes_requested",
    )

    saved = await client.patch(
        url,
        json={"version": 1, "content": para("weekly, on Tuesdays")},
        headers=await w.headers("member"),
    )
    assert saved.json()["status"] == "changes_requested"
    assert (await act(client, w, "member", doc, "submit-review")).status_code == 200
    approved = await act(client, w, "owner", doc, "review", {"status": "approved"})
    assert approved.json()["status"] == "approved" and approved.json()["reviewedVersion"] == 2
    assert len(await notes_of(w.member.id, "document_reviewed")) == 2
    refused(await act(client, w, "member", doc, "submit-review"), 409, "Only a draft")

    # Editing an approved document takes it back to draft; moving it does not.
    edited = await client.patch(
        url, json={"version": 2, "title": "Release policy v2"}, headers=await w.headers("admin")
    )
    assert edited.json()["status"] == "draft" and edited.json()["version"] == 3


async def test_who_may_review(client: httpx.AsyncClient) -> None:
    w = await build_world()
    doc = await w.document(author=w.owner)
    assert (await act(client, w, "owner", doc, "submit-review")).status_code == 200
    decision = {"status": "approved", "notes": "ok"}
    refused(
        await act(client, w, "owner", doc, "review", decision),
        403,
        "The author cannot review their own document",
    )
    for caller in ("member", "ws_member"):
        refused(
            await act(client, w, caller, doc, "review", decision), 403, "Only a workspace admin"
        )
    refused(await act(client, w, "stranger", doc, "review", decision), 404, "Organization not")
    # A plain member whose pilotage role is reviewer may review.
    await WorkspaceMember.filter(workspace_id=w.board.workspace.id, user_id=w.member.id).update(
        pilotage_role="reviewer"
    )
    assert (await act(client, w, "member", doc, "review", decision)).status_code == 200


async def test_the_author_reviews_nothing_even_as_an_admin(client: httpx.AsyncClient) -> None:
    w = await build_world()
    doc = await w.document(author=w.admin)
    await act(client, w, "member", doc, "submit-review")
    refused(
        await act(client, w, "admin", doc, "review", {"status": "approved"}),
        403,
        "The author cannot review",
    )


async def test_a_named_reviewer(client: httpx.AsyncClient) -> None:
    w = await build_world()
    doc = await w.document(author=w.member)
    named = await act(client, w, "member", doc, "submit-review", {"reviewerId": str(w.admin.id)})
    assert named.json()["reviewerId"] == str(w.admin.id)
    assert len(await notes_of(w.admin.id, "document_review_requested")) == 1
    assert await notes_of(w.owner.id, "document_review_requested") == []

    other = await w.document(author=w.member)
    outsider = await create_user()
    for reviewer in (str(w.member.id), str(w.ws_member.id), str(outsider.id), "nobody"):
        res = await act(client, w, "member", other, "submit-review", {"reviewerId": reviewer})
        refused(res, 400, "reviewerId: must be someone other than the author")


async def test_bad_review_bodies(client: httpx.AsyncClient) -> None:
    w = await build_world()
    doc = await w.document(author=w.member, status="pending_review")
    for body, starts in [
        ({}, "status"),
        ({"status": "draft"}, "status"),
        ({"status": "pending_review"}, "status"),
        ({"status": "approved", "notes": "x" * 5001}, "notes"),
        ({"status": "approved", "notes": 5}, "notes"),
        ({"status": "approved", "verdict": "yes"}, "verdict"),
    ]:
        refused(await act(client, w, "admin", doc, "review", body), 400, starts)
    refused(await act(client, w, "member", doc, "submit-review", {"reviewerId": 5}), 400, "")


async def test_review_through_another_workspace_of_the_organization(
    client: httpx.AsyncClient,
) -> None:
    """An organization's document is reviewed with the reviewer's role in the workspace
    the request comes through."""
    w = await build_world()
    doc = await w.document("Company handbook", scope_type="organization", author=w.member)
    await act(client, w, "member", doc, "submit-review")
    reviewer = await create_user()
    await add_member(w.board, reviewer, project_role=None)
    await WorkspaceMember.filter(workspace_id=w.board.workspace.id, user_id=reviewer.id).update(
        pilotage_role="owner"
    )
    res = await client.post(
        f"{base(w)}/{doc}/review", json={"status": "approved"}, headers=bearer(jwt_for(reviewer))
    )
    assert res.status_code == 200, res.text
