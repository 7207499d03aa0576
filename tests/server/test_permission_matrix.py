"""Who may call which endpoint: every endpoint by every kind of caller → status.

Each row sends a valid request, so the only reason for a refusal is who is asking.
The board table names every organization, workspace, project, card-detail, invitation
and notification endpoint; the scope table every other one. Both have a column per PAT
scope: the owner's token holding only that scope gets the owner's answer for the one
scope the route needs and 403 for every other. A new endpoint without a row, or a route
that forgets its scope check, fails here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from models import CardLabel, Participant, Story, WebhookDelivery
from server.api.registry import APIS
from services import tokens
from services.poker.folders import create_folder
from services.poker.stories import add_story
from services.poker.templates import create_template
from services.poker.voting import cast_vote
from services.webhooks.subscriptions import create_webhook
from tests.factories import (
    DEFAULT_PASSWORD,
    bearer,
    create_board,
    guest,
    jwt_for,
    poker_room,
    user_actor,
)
from tests.matrix import (
    ADMIN_CREATE,
    ADMIN_WRITE,
    BOARD_PREFIXES,
    MEMBER_CREATE,
    MEMBER_WRITE,
    MINE,
    ORG_OWNER_CREATE,
    ORG_OWNER_WRITE,
    PAT_CALLERS,
    PROJECTS_READ,
    PROJECTS_WRITE,
    READ,
    ROWS,
    SCOPE_ROWS,
    TENANT_IDS,
    Req,
    World,
    build_world,
    expect,
    row,
    scoped,
    unique,
)
from tests.server import (
    rows_agents,  # noqa: F401
    rows_automations,  # noqa: F401
    rows_documents,  # noqa: F401
    rows_pilotage,  # noqa: F401
    rows_poker_ai,  # noqa: F401
    rows_project_drafts,  # noqa: F401
)

ORG = "/organizations/{org_slug}"


async def new_org(w: World, caller: str) -> Req:
    return Req(json={"name": "Acme", "slug": unique("acme")})


async def rename(w: World, caller: str) -> Req:
    return Req(json={"name": "Renamed"})


async def org_newcomer(w: World, caller: str) -> Req:
    user = await w.newcomer(in_workspace=False)
    return Req(json={"email": user.email, "role": "member"})


async def teammate(w: World, caller: str) -> Req:
    return Req({"user_id": str((await w.teammate()).id)})


async def promote_teammate(w: World, caller: str) -> Req:
    return Req({"user_id": str((await w.teammate()).id)}, json={"role": "admin"})


row("POST", "/organizations", expect(201, 201, 201, stranger=201), new_org)
row("GET", "/organizations", expect(200, 200, 200, stranger=200, pat_read=200))
row("GET", ORG, READ)
row("PATCH", ORG, ORG_OWNER_WRITE, rename)
row("DELETE", ORG, ORG_OWNER_WRITE)
row("GET", ORG + "/members", READ)
row("POST", ORG + "/members", ORG_OWNER_CREATE, org_newcomer)
row("PATCH", ORG + "/members/{user_id}", ORG_OWNER_WRITE, promote_teammate)
row("DELETE", ORG + "/members/{user_id}", ORG_OWNER_WRITE, teammate)

# Workspaces, their members and invitations

WS_LIST = "/orgs/{org_slug}/workspaces"
WS = WS_LIST + "/{ws_slug}"


async def new_workspace(w: World, caller: str) -> Req:
    return Req(json={"name": "Design", "slug": unique("design")})


async def invite(w: World, caller: str) -> Req:
    return Req(json={"email": unique("guest") + "@example.com", "role": "member"})


async def invitation(w: World, caller: str) -> Req:
    sent = await w.invitation(unique("guest") + "@example.com")
    return Req({"invitation_id": sent["id"]})


async def invitation_to_caller(w: World, caller: str) -> Req:
    """An invitation to another organization's workspace, sent to the caller's address
    (the owner's for the PAT); it is only theirs to accept."""
    email = unique("nobody") + "@example.com"
    if caller != "anonymous":
        email = (await w.user(caller)).email
    other = await build_world()
    sent = await other.invitation(email)
    return Req({"token": sent["token"]})


row("POST", WS_LIST, MEMBER_CREATE, new_workspace)
row("GET", WS_LIST, READ)
row("GET", WS, READ)
row("PATCH", WS, ADMIN_WRITE, rename)
row("DELETE", WS, ADMIN_WRITE)
row("GET", WS + "/members", READ)
row("PATCH", WS + "/members/{user_id}", ADMIN_WRITE, promote_teammate)
row("DELETE", WS + "/members/{user_id}", ADMIN_WRITE, teammate)
row("POST", WS + "/members/invite", ADMIN_CREATE, invite)
row("GET", WS + "/invitations", expect(403, 200, 200, pat_read=200))
row("DELETE", WS + "/invitations/{invitation_id}", ADMIN_WRITE, invitation)
row(
    "POST",
    "/invitations/{token}/accept",
    expect(200, 200, 200, stranger=200),
    invitation_to_caller,
)

# Projects

PROJECTS = WS + "/projects"
P = PROJECTS + "/{project_id}"
CARD = P + "/cards/{card_id}"


async def new_project(w: World, caller: str) -> Req:
    return Req(json={"name": "Mobile app"})


async def import_body(w: World, caller: str) -> Req:
    return Req(json={"project": {"name": "Imported"}, "columns": [{"name": "Todo"}]})


async def project_newcomer(w: World, caller: str) -> Req:
    user = await w.newcomer(in_workspace=True)
    return Req(json={"email": user.email, "role": "member"})


async def card(w: World, caller: str) -> Req:
    return Req({"card_id": await w.card()})


async def estimate(w: World, caller: str) -> Req:
    return Req({"card_id": await w.card()}, json={})


row("GET", PROJECTS + "/portfolio", READ)
row("GET", PROJECTS + "/templates", READ)
row("POST", PROJECTS + "/import", MEMBER_CREATE, import_body)
row("POST", PROJECTS, MEMBER_CREATE, new_project)
row("GET", PROJECTS, READ)
row("GET", P, READ)
row("PATCH", P, MEMBER_WRITE, rename)
row("DELETE", P, ADMIN_WRITE)
row("GET", P + "/export", READ)
row("GET", P + "/members", READ)
row("POST", P + "/members", ADMIN_CREATE, project_newcomer)
row("DELETE", P + "/members/{user_id}", ADMIN_WRITE, teammate)
# It puts the card in a poker session as a story: it needs both faces' write scopes.
row("POST", CARD + "/estimate", MEMBER_CREATE, estimate, scope=PROJECTS_WRITE + "+poker:write")

# Columns and cards


async def first_column(w: World, caller: str) -> Req:
    return Req({"column_id": str(w.board.columns[0].id)})


async def rename_column(w: World, caller: str) -> Req:
    return Req({"column_id": str(w.board.columns[0].id)}, json={"name": "Renamed"})


async def empty_column(w: World, caller: str) -> Req:
    return Req({"column_id": await w.empty_column()})


async def new_column(w: World, caller: str) -> Req:
    return Req(json={"name": "Review"})


async def new_card(w: World, caller: str) -> Req:
    return Req({"column_id": str(w.board.columns[0].id)}, json={"title": "New card"})


async def retitle_card(w: World, caller: str) -> Req:
    return Req({"card_id": await w.card()}, json={"title": "Changed"})


async def archived_card(w: World, caller: str) -> Req:
    return Req({"card_id": await w.card(archived=True, archived_at=datetime.now(UTC))})


row("POST", P + "/columns", ADMIN_CREATE, new_column)
row("GET", P + "/columns", READ)
row("PATCH", P + "/columns/{column_id}", ADMIN_WRITE, rename_column)
row("DELETE", P + "/columns/{column_id}", ADMIN_WRITE, empty_column)
row("GET", P + "/cards", READ)
row("POST", P + "/columns/{column_id}/cards", MEMBER_CREATE, new_card)
row("GET", CARD, READ, card)
row("PATCH", CARD, MEMBER_WRITE, retitle_card)
row("DELETE", CARD, MEMBER_WRITE, card)
row("GET", P + "/trash", READ)
row("POST", CARD + "/restore", MEMBER_WRITE, archived_card)

# Comments and attachments


async def new_comment(w: World, caller: str) -> Req:
    return Req({"card_id": await w.card()}, json={"content": "Ship it"})


async def owners_comment(w: World, caller: str) -> Req:
    card_id = await w.card()
    return Req({"card_id": card_id, "comment_id": await w.comment(card_id)})


async def upload(w: World, caller: str) -> Req:
    return Req({"card_id": await w.card()}, files={"file": ("notes.txt", b"hello", "text/plain")})


async def attachment(w: World, caller: str) -> Req:
    card_id = await w.card()
    return Req({"card_id": card_id, "attachment_id": await w.attachment(card_id)})


row("GET", CARD + "/comments", READ, card)
row("POST", CARD + "/comments", MEMBER_CREATE, new_comment)
# Someone else's comment: its author or a project admin may delete it.
row("DELETE", CARD + "/comments/{comment_id}", ADMIN_WRITE, owners_comment)
row("GET", CARD + "/attachments", READ, card)
row("POST", CARD + "/attachments", MEMBER_CREATE, upload)
row("GET", CARD + "/attachments/{attachment_id}", READ, attachment)
row("DELETE", CARD + "/attachments/{attachment_id}", MEMBER_WRITE, attachment)

# Labels and custom fields


async def new_label(w: World, caller: str) -> Req:
    return Req(json={"name": "regression", "color": "#00ff00"})


async def label(w: World, caller: str) -> Req:
    return Req({"label_id": await w.label()})


async def rename_label(w: World, caller: str) -> Req:
    return Req({"label_id": await w.label()}, json={"name": "defect"})


async def card_label(w: World, caller: str) -> Req:
    return Req({"card_id": await w.card(), "label_id": await w.label()})


async def labelled_card(w: World, caller: str) -> Req:
    card_id, label_id = await w.card(), await w.label()
    await CardLabel.create(card_id=card_id, label_id=label_id)
    return Req({"card_id": card_id, "label_id": label_id})


async def new_field(w: World, caller: str) -> Req:
    return Req(json={"name": "Team", "type": "text"})


async def field_(w: World, caller: str) -> Req:
    return Req({"field_id": await w.custom_field()})


async def rename_field(w: World, caller: str) -> Req:
    return Req({"field_id": await w.custom_field()}, json={"name": "Squad"})


async def field_value(w: World, caller: str) -> Req:
    return Req({"card_id": await w.card()}, json={await w.custom_field(): "Platform"})


row("GET", P + "/labels", READ)
row("POST", P + "/labels", MEMBER_CREATE, new_label)
row("PATCH", P + "/labels/{label_id}", MEMBER_WRITE, rename_label)
row("DELETE", P + "/labels/{label_id}", MEMBER_WRITE, label)
row("POST", CARD + "/labels/{label_id}", MEMBER_WRITE, card_label)
row("DELETE", CARD + "/labels/{label_id}", MEMBER_WRITE, labelled_card)
row("GET", P + "/custom-fields", READ)
row("POST", P + "/custom-fields", ADMIN_CREATE, new_field)
row("PATCH", P + "/custom-fields/{field_id}", ADMIN_WRITE, rename_field)
row("DELETE", P + "/custom-fields/{field_id}", ADMIN_WRITE, field_)
row("GET", CARD + "/custom-fields", READ, card)
row("PATCH", CARD + "/custom-fields", MEMBER_WRITE, field_value)

# Relations, checklists and scopes


async def new_relation(w: World, caller: str) -> Req:
    return Req({"card_id": await w.card()}, json={"targetCardId": await w.card(), "type": "blocks"})


async def relation(w: World, caller: str) -> Req:
    return Req({"relation_id": await w.relation(await w.card(), await w.card())})


async def new_item(w: World, caller: str) -> Req:
    return Req({"card_id": await w.card()}, json={"title": "Write tests"})


async def item(w: World, caller: str) -> Req:
    card_id = await w.card()
    return Req({"card_id": card_id, "item_id": await w.checklist_item(card_id)})


async def tick_item(w: World, caller: str) -> Req:
    card_id = await w.card()
    return Req(
        {"card_id": card_id, "item_id": await w.checklist_item(card_id)}, json={"done": True}
    )


async def new_scope(w: World, caller: str) -> Req:
    return Req(json={"name": "Q3"})


async def scope(w: World, caller: str) -> Req:
    return Req({"scope_id": await w.scope()})


async def rename_scope(w: World, caller: str) -> Req:
    return Req({"scope_id": await w.scope()}, json={"name": "Q4"})


async def switch_view(w: World, caller: str) -> Req:
    return Req({"scope_id": await w.scope()}, json={"activeView": "list"})


row("GET", CARD + "/relations", READ, card)
row("POST", CARD + "/relations", MEMBER_CREATE, new_relation)
row("DELETE", P + "/relations/{relation_id}", MEMBER_WRITE, relation)
row("GET", CARD + "/checklist", READ, card)
row("POST", CARD + "/checklist", MEMBER_CREATE, new_item)
row("PATCH", CARD + "/checklist/{item_id}", MEMBER_WRITE, tick_item)
row("DELETE", CARD + "/checklist/{item_id}", MEMBER_WRITE, item)
row("GET", P + "/scopes", READ)
row("POST", P + "/scopes", ADMIN_CREATE, new_scope)
row("GET", P + "/scopes/{scope_id}", READ, scope)
row("PATCH", P + "/scopes/{scope_id}", ADMIN_WRITE, rename_scope)
row("DELETE", P + "/scopes/{scope_id}", ADMIN_WRITE, scope)
row("GET", P + "/scopes/{scope_id}/views", READ, scope)
# Switching the view is how the team looks at a scope, not a change to it.
# It reads the scope to switch it, so it needs projects:read beside projects:write.
BOTH = PROJECTS_READ + "+" + PROJECTS_WRITE
row("PATCH", P + "/scopes/{scope_id}/views", MEMBER_WRITE, switch_view, scope=BOTH)

# Notifications: always the caller's own


async def my_notification(w: World, caller: str) -> Req:
    return Req({"notification_id": await w.notification(await w.user(caller))})


row("GET", "/notifications", MINE)
row("GET", "/notifications/count", MINE)
row("PATCH", "/notifications/read-all", MINE)
row("PATCH", "/notifications/{notification_id}/read", MINE, my_notification)


# Everything else the registry serves: accounts, tokens and planning poker. A token
# acts as the owner, so the owner's JWT shows what the scope, once held, opens.

PUBLIC = {
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("POST", "/auth/register"),
    ("POST", "/auth/login"),
}
# Token management and password changes take a JWT only, so a leaked PAT cannot widen
# itself or lock the owner out: every PAT gets 403, whatever its scopes.
JWT_ONLY = "jwt"
POKER_READ, POKER_WRITE = "poker:read", "poker:write"
WEBHOOKS_READ, WEBHOOKS_WRITE = "webhooks:read", "webhooks:write"


async def _session(w: World) -> dict[str, Any]:
    _, _, session = await poker_room(w.owner)
    return session


async def _story(w: World, code: str, title: str = "Login page") -> str:
    story = await add_story(actor=user_actor(w.owner), code=code, title=title)
    return str(story["id"])


async def _seat(code: str, user_id: Any) -> int:
    seat = await Participant.get(session__code=code, user_id=user_id)
    return int(seat.id)


async def session(w: World, caller: str) -> Req:
    return Req({"code": (await _session(w))["code"]})


async def rename_session(w: World, caller: str) -> Req:
    return Req({"code": (await _session(w))["code"]}, json={"name": "Renamed"})


async def join_session(w: World, caller: str) -> Req:
    return Req({"code": (await _session(w))["code"]}, json={})


async def session_with_guest(w: World, caller: str) -> Req:
    code = (await _session(w))["code"]
    _, guest_id, _ = await guest(code, "Gus")
    return Req({"code": code, "participant_id": str(guest_id)}, json={"participant_id": guest_id})


async def voting(w: World, caller: str) -> Req:
    code = (await _session(w))["code"]
    await _story(w, code)
    return Req({"code": code}, json={"participant_id": await _seat(code, w.owner.id), "vote": "5"})


async def voted(w: World, caller: str) -> Req:
    code = (await _session(w))["code"]
    await _story(w, code)
    await cast_vote(actor=user_actor(w.owner), code=code, value="5")
    return Req({"code": code})


async def new_story(w: World, caller: str) -> Req:
    return Req({"code": (await _session(w))["code"]}, json={"title": "Checkout"})


async def next_story(w: World, caller: str) -> Req:
    code = (await _session(w))["code"]
    await _story(w, code)
    return Req({"story": await _story(w, code, "Checkout")})


async def current_story(w: World, caller: str) -> Req:
    code = (await _session(w))["code"]
    return Req({"code": code, "story": await _story(w, code)})


async def timer(w: World, caller: str) -> Req:
    return Req({"code": (await _session(w))["code"]}, json={"seconds": 60})


async def new_folder(w: World, caller: str) -> Req:
    return Req(json={"name": "Q3"})


async def folder(w: World, caller: str) -> Req:
    made = await create_folder(actor=user_actor(w.owner), name=unique("Q3"))
    return Req({"folder_id": str(made["id"])})


async def rename_folder(w: World, caller: str) -> Req:
    return Req((await folder(w, caller)).params, json={"name": "Q4"})


async def new_session(w: World, caller: str) -> Req:
    return Req(json={"name": "Sprint 9"})


async def defaults_change(w: World, caller: str) -> Req:
    return Req(json={"voting_system": "tshirt", "timer_seconds": 90})


async def new_template(w: World, caller: str) -> Req:
    return Req(json={"name": unique("Refinement"), "stories": [{"title": "Login page"}]})


async def template(w: World, caller: str) -> Req:
    made = await create_template(
        actor=user_actor(w.owner), name=unique("Refinement"), stories=[{"title": "Login page"}]
    )
    return Req({"template": str(made["id"])})


async def rename_template(w: World, caller: str) -> Req:
    return Req((await template(w, caller)).params, json={"name": unique("Planning")})


async def session_from_template(w: World, caller: str) -> Req:
    return Req((await template(w, caller)).params, json={})


async def csv_preview(w: World, caller: str) -> Req:
    return Req(json={"provider": "csv", "content": "Summary\nCheckout\n"})


async def import_stories(w: World, caller: str) -> Req:
    code = (await _session(w))["code"]
    return Req({"code": code}, json={"provider": "csv", "stories": [{"title": unique("Cart")}]})


async def revealed_github_story(w: World, caller: str) -> Req:
    """A session with a revealed story imported from GitHub: something to sync."""
    from models import StoryLink
    from services.poker.rounds import reveal

    code = (await _session(w))["code"]
    actor = user_actor(w.owner)
    story = await _story(w, code, "Cart")
    session_id = (await Story.get(id=story)).session_id
    origin = {"api_url": "https://api.github.com", "repository": "acme/shop"}
    await StoryLink.create(
        story_id=story, session_id=session_id, provider="github", external_key="#1", origin=origin
    )
    await cast_vote(actor=actor, code=code, value="5")
    await reveal(actor=actor, code=code)
    return Req({"code": code}, json={"provider": "github", "token": "t"})


async def profile_change(w: World, caller: str) -> Req:
    return Req(json={"name": "Olive"})


async def password_change(w: World, caller: str) -> Req:
    return Req(json={"currentPassword": DEFAULT_PASSWORD, "newPassword": "another-horse-battery"})


async def new_token(w: World, caller: str) -> Req:
    return Req(json={"name": "ci"})


async def owners_token(w: World, caller: str) -> Req:
    row, _ = await tokens.create_token(actor=user_actor(w.owner), name="old")
    return Req({"id": str(row.id)})


# A public address given as a literal: saving it resolves nothing.
HOOK_URL = "https://93.184.215.14/hooks/roundtable"


async def new_webhook(w: World, caller: str) -> Req:
    return Req(json={"url": HOOK_URL, "events": ["story_revealed", "card_moved"]})


async def webhook(w: World, caller: str) -> Req:
    made, _ = await create_webhook(actor=user_actor(w.owner), url=HOOK_URL, events=["story_added"])
    return Req({"webhook": str(made["id"])})


async def retarget_webhook(w: World, caller: str) -> Req:
    return Req((await webhook(w, caller)).params, json={"events": ["session_created"]})


async def logged_delivery(w: World, caller: str) -> Req:
    params = (await webhook(w, caller)).params
    row = await WebhookDelivery.create(
        webhook_id=int(params["webhook"]),
        event_id=uuid.uuid4(),
        event="story_added",
        payload={"event": "story_added"},
    )
    return Req(params | {"delivery": str(row.id)})


scoped("GET", "/auth/me", "account:read", 200)
scoped("PATCH", "/auth/me", "account:write", 200, profile_change)
scoped("POST", "/auth/change-password", JWT_ONLY, 200, password_change)
scoped("POST", "/api-tokens", JWT_ONLY, 201, new_token)
scoped("GET", "/api-tokens", JWT_ONLY, 200)
scoped("DELETE", "/api-tokens/{id}", JWT_ONLY, 200, owners_token)
scoped("POST", "/sessions", POKER_WRITE, 201, new_session)
scoped("GET", "/sessions", POKER_READ, 200)
scoped("GET", "/sessions/{code}", POKER_READ, 200, session)
scoped("PATCH", "/sessions/{code}", POKER_WRITE, 200, rename_session)
scoped("POST", "/sessions/{code}/join", POKER_WRITE, 200, join_session)
scoped("GET", "/sessions/{code}/participants", POKER_READ, 200, session)
scoped("POST", "/sessions/{code}/moderator", POKER_WRITE, 200, session_with_guest)
scoped(
    "DELETE", "/sessions/{code}/participants/{participant_id}", POKER_WRITE, 200, session_with_guest
)
scoped("POST", "/sessions/{code}/vote", POKER_WRITE, 200, voting)
scoped("DELETE", "/sessions/{code}/vote", POKER_WRITE, 200, voted)
scoped("POST", "/sessions/{code}/stories", POKER_WRITE, 201, new_story)
scoped("GET", "/sessions/{code}/stories", POKER_READ, 200, session)
scoped("POST", "/stories/{story}/start", POKER_WRITE, 200, next_story)
scoped("POST", "/stories/{story}/reveal", POKER_WRITE, 200, current_story)
scoped("POST", "/sessions/{code}/restart", POKER_WRITE, 200, current_story)
scoped("POST", "/sessions/{code}/timer", POKER_WRITE, 200, timer)
scoped("POST", "/folders", POKER_WRITE, 201, new_folder)
scoped("GET", "/folders", POKER_READ, 200)
scoped("PATCH", "/folders/{folder_id}", POKER_WRITE, 200, rename_folder)
scoped("DELETE", "/folders/{folder_id}", POKER_WRITE, 200, folder)
scoped("GET", "/workspace", POKER_READ, 200)
scoped("PATCH", "/workspace", POKER_WRITE, 200, defaults_change)
scoped("GET", "/workspace/templates", POKER_READ, 200)
scoped("POST", "/workspace/templates", POKER_WRITE, 201, new_template)
scoped("GET", "/workspace/templates/{template}", POKER_READ, 200, template)
scoped("PATCH", "/workspace/templates/{template}", POKER_WRITE, 200, rename_template)
scoped("DELETE", "/workspace/templates/{template}", POKER_WRITE, 200, template)
scoped("POST", "/workspace/templates/{template}/sessions", POKER_WRITE, 201, session_from_template)
scoped("GET", "/integrations/providers", POKER_READ, 200)
scoped("POST", "/integrations/import-preview", POKER_WRITE, 200, csv_preview)
scoped("POST", "/sessions/{code}/integrations/import-confirm", POKER_WRITE, 201, import_stories)
scoped(
    "POST", "/sessions/{code}/integrations/sync-estimates", POKER_WRITE, 202, revealed_github_story
)
scoped("GET", "/sessions/{code}/integrations/sync-estimates", POKER_READ, 200, session)
scoped("GET", "/sessions/{code}/analytics", POKER_READ, 200, session)
scoped("GET", "/sessions/{code}/reference-stories", POKER_READ, 200, current_story)
scoped("GET", "/analytics", POKER_READ, 200)
scoped("GET", "/sessions/{code}/integrations/estimates.csv", POKER_READ, 200, session)
scoped("GET", "/webhooks", WEBHOOKS_READ, 200)
scoped("POST", "/webhooks", WEBHOOKS_WRITE, 201, new_webhook)
scoped("GET", "/webhooks/{webhook}", WEBHOOKS_READ, 200, webhook)
scoped("PATCH", "/webhooks/{webhook}", WEBHOOKS_WRITE, 200, retarget_webhook)
scoped("DELETE", "/webhooks/{webhook}", WEBHOOKS_WRITE, 200, webhook)
scoped("GET", "/webhooks/{webhook}/deliveries", WEBHOOKS_READ, 200, webhook)
scoped(
    "POST",
    "/webhooks/{webhook}/deliveries/{delivery}/redeliver",
    WEBHOOKS_WRITE,
    202,
    logged_delivery,
)


def test_every_endpoint_in_the_registry_has_a_row() -> None:
    registered = {(ep.method, ep.path) for api in APIS for ep in api.endpoints}
    covered = set(ROWS) | set(SCOPE_ROWS) | PUBLIC
    assert not registered - covered, f"endpoints without a row: {registered - covered}"
    assert not covered - registered, f"rows for no endpoint: {covered - registered}"
    public = {(ep.method, ep.path) for api in APIS for ep in api.endpoints if ep.auth == "none"}
    assert public == PUBLIC


@pytest.mark.parametrize(("method", "path"), sorted(SCOPE_ROWS), ids=lambda v: str(v))
async def test_which_token_scope_opens_it(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    spec = SCOPE_ROWS[(method, path)]
    w = await build_world()
    wrong: list[str] = []
    for caller in ("owner", *PAT_CALLERS):
        res = await send(client, w, method, path, caller, await spec.prep(w, caller))
        want = spec.expect(caller)
        if res.status_code != want:
            wrong.append(f"{caller}: expected {want}, got {res.status_code} {res.text[:200]}")
        elif want == 403:
            assert "token" in res.text.lower() or "JWT" in res.text, (caller, res.text)
        if res.is_success and method != "GET":
            w = await build_world()
    assert not wrong, f"{method} {path}\n" + "\n".join(wrong)


def board_endpoints() -> set[tuple[str, str]]:
    return {
        (ep.method, ep.path)
        for api in APIS
        for ep in api.endpoints
        if ep.path.startswith(BOARD_PREFIXES)
    }


def base_params(w: World) -> dict[str, str]:
    return {
        "org_slug": w.board.org.slug,
        "ws_slug": w.board.workspace.slug,
        "project_id": str(w.board.project.id),
    }


async def send(
    client: httpx.AsyncClient, w: World, method: str, path: str, caller: str, req: Req
) -> httpx.Response:
    url = "/api" + path.format(**(base_params(w) | req.params))
    headers = await w.headers(caller)
    if req.files is not None:
        return await client.request(method, url, files=req.files, headers=headers)
    if req.json is not None:
        return await client.request(method, url, json=req.json, headers=headers)
    return await client.request(method, url, headers=headers)


def test_every_board_endpoint_has_a_row() -> None:
    registered = board_endpoints()
    assert not registered - set(ROWS), f"endpoints without a matrix row: {registered - set(ROWS)}"
    assert not set(ROWS) - registered, f"rows for no endpoint: {set(ROWS) - registered}"


@pytest.mark.parametrize(("method", "path"), sorted(ROWS), ids=lambda v: str(v))
async def test_who_may_call_it(
    client: httpx.AsyncClient, store: Path, method: str, path: str
) -> None:
    spec = ROWS[(method, path)]
    w = await build_world()
    wrong: list[str] = []
    for caller in spec.callers():
        res = await send(client, w, method, path, caller, await spec.prep(w, caller))
        want = spec.expect(caller)
        if res.status_code != want:
            wrong.append(f"{caller}: expected {want}, got {res.status_code} {res.text[:200]}")
        elif not res.is_success:
            body = res.json()
            assert body["statusCode"] == want and body["message"], (caller, body)
        if res.is_success and method != "GET":
            # What this caller changed must not decide what the next one meets.
            w = await build_world()
    assert not wrong, f"{method} {path}\n" + "\n".join(wrong)


# Another tenant's ids under one's own organization, workspace and project

SECRET = "Zephyrsecret "


def swaps() -> list[tuple[str, str, str]]:
    """Every (method, path, id) where an id from another tenant can be put in the path."""
    return [
        (method, path, name)
        for method, path in sorted(ROWS)
        for name in TENANT_IDS
        if "{" + name + "}" in path
    ]


async def test_another_tenants_ids_are_not_found_and_never_shown(
    client: httpx.AsyncClient, store: Path
) -> None:
    mine = await build_world()
    theirs = await build_world(tag=SECRET)
    wrong: list[str] = []
    cases = swaps()
    assert len(cases) > 60
    for method, path, name in cases:
        spec = ROWS[(method, path)]
        req = await spec.prep(mine, "owner")
        foreign = base_params(theirs) | (await spec.prep(theirs, "owner")).params
        swapped = Req(req.params | {name: foreign[name]}, json=req.json, files=req.files)
        res = await send(client, mine, method, path, "owner", swapped)
        if res.status_code != 404 or SECRET.strip() in res.text:
            wrong.append(f"{method} {path} with their {name}: {res.status_code} {res.text[:200]}")
    assert not wrong, "\n".join(wrong)


async def test_ids_in_the_body_stay_in_the_project(client: httpx.AsyncClient, store: Path) -> None:
    """A relation target, a custom field, a card's new column or assignee, or a poker
    session from another tenant are refused, and the refusal says nothing about them."""
    mine = await build_world()
    theirs = await build_world(tag=SECRET)
    card = await mine.card()
    their_card = await theirs.card()
    their_field = await theirs.custom_field()
    base = "/api" + CARD.format(**base_params(mine), card_id=card)
    headers = await mine.headers("owner")
    cases: list[tuple[str, str, Any, int]] = [
        ("POST", "/relations", {"targetCardId": their_card, "type": "blocks"}, 404),
        ("PATCH", "/custom-fields", {their_field: "Platform"}, 404),
        ("PATCH", "", {"columnId": str(theirs.board.columns[0].id)}, 404),
        # An assignee must be on the project; someone elsewhere is not a valid value.
        ("PATCH", "", {"assigneeId": str(theirs.member.id)}, 400),
    ]
    for method, suffix, body, status in cases:
        res = await client.request(method, base + suffix, json=body, headers=headers)
        assert res.status_code == status, (suffix, body, res.text)
        assert SECRET.strip() not in res.text, (suffix, res.text)
    listed = await client.get(base + "/relations", headers=headers)
    assert listed.json() == []
    # Someone else's poker session: only its moderator puts stories in it.
    _, _, session = await poker_room(theirs.owner)
    res = await client.post(
        base + "/estimate", json={"sessionCode": session["code"]}, headers=headers
    )
    assert res.status_code == 403, res.text
    assert await Story.filter(session_id=session["id"]).count() == 0


async def test_a_stranger_learns_nothing_from_another_organization(
    client: httpx.AsyncClient,
) -> None:
    """Their own organization's path with someone else's workspace or project, and
    another organization's path: all 404, with nothing of the other tenant in the body."""
    mine = await build_world()
    theirs = await build_world(tag=SECRET)
    headers = await mine.headers("owner")
    org, ws = mine.board.org.slug, mine.board.workspace.slug
    their_ws, their_project = theirs.board.workspace.slug, theirs.board.project.id
    for url in (
        f"/api/orgs/{org}/workspaces/{their_ws}",
        f"/api/orgs/{org}/workspaces/{their_ws}/projects",
        f"/api/orgs/{org}/workspaces/{ws}/projects/{their_project}",
        f"/api/orgs/{theirs.board.org.slug}/workspaces/{their_ws}/projects/{their_project}",
        f"/api/organizations/{theirs.board.org.slug}",
        f"/api/organizations/{theirs.board.org.slug}/members",
    ):
        res = await client.get(url, headers=headers)
        assert res.status_code == 404, (url, res.text)
        assert SECRET.strip() not in res.text, url
    listed = await client.get(f"/api/orgs/{org}/workspaces/{ws}/projects", headers=headers)
    assert [p["id"] for p in listed.json()] == [str(mine.board.project.id)]


async def test_an_invitation_is_only_its_addressees(client: httpx.AsyncClient) -> None:
    """Holding someone else's invitation token is not enough to use it."""
    w = await build_world()
    sent = await w.invitation(unique("someone") + "@example.com")
    outsider = await create_board()
    res = await client.post(
        f"/api/invitations/{sent['token']}/accept",
        headers=bearer(jwt_for(outsider.owner)),
    )
    assert res.status_code == 403, res.text
    assert w.board.workspace.name not in res.text


async def test_someone_elses_notification_is_not_found(client: httpx.AsyncClient) -> None:
    w = await build_world()
    theirs = await w.notification(w.member)
    url = f"/api/notifications/{theirs}/read"
    res = await client.patch(url, headers=await w.headers("owner"))
    assert res.status_code == 404
    mine = await client.patch(url, headers=await w.headers("member"))
    assert mine.status_code == 200 and mine.json()["readAt"]


async def test_lists_show_only_what_the_caller_could_open(client: httpx.AsyncClient) -> None:
    """A workspace member outside the project, and a stranger, see the spaces they are in
    and nothing of the project: not in lists, the portfolio, or its counts."""
    w = await build_world(tag=SECRET)
    await w.card()
    org, ws = w.board.org.slug, w.board.workspace.slug
    outside = await w.headers("ws_member")
    projects = await client.get(f"/api/orgs/{org}/workspaces/{ws}/projects", headers=outside)
    assert projects.status_code == 200 and projects.json() == []
    portfolio = await client.get(
        f"/api/orgs/{org}/workspaces/{ws}/projects/portfolio", headers=outside
    )
    assert portfolio.json()["projects"] == []
    assert portfolio.json()["totals"]["cardCount"] == 0
    other_ws = await client.post(
        f"/api/orgs/{org}/workspaces",
        json={"name": "Private", "slug": unique("private")},
        headers=await w.headers("admin"),
    )
    assert other_ws.status_code == 201
    spaces = await client.get(f"/api/orgs/{org}/workspaces", headers=await w.headers("member"))
    assert [s["slug"] for s in spaces.json()] == [ws]
    strangers = await client.get("/api/organizations", headers=await w.headers("stranger"))
    assert strangers.status_code == 200
    assert org not in [o["slug"] for o in strangers.json()]
    assert SECRET.strip() not in strangers.text
    unread = await client.get("/api/notifications", headers=await w.headers("stranger"))
    assert unread.json() == []
