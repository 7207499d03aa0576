"""Documents in a real browser: two people editing one document, a save that meets a
newer version asking which to keep, a review round trip seen live on both screens, and
trees that follow what others change."""

from __future__ import annotations

import asyncio
from typing import Any

from playwright.async_api import Page, Route, expect

from models import User
from tests.e2e.conftest import Person, shot
from tests.matrix import World, build_world
from tests.realtime.clients import LiveServer, rest


def para(text: str) -> dict[str, Any]:
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    return {"type": "doc", "content": [paragraph]}


def page_of(w: World, doc: str = "") -> str:
    path = f"/d/{w.board.org.slug}/{w.board.workspace.slug}"
    return f"{path}/{doc}" if doc else path


async def open_doc(person: Person, w: World, user: User, doc: str) -> Page:
    await person.sign_in(user)
    await person.goto(page_of(w, doc))
    page = person.page
    await expect(page.get_by_role("textbox", name="Document text")).to_be_visible()
    await expect(page.locator(".doc-saved")).to_have_text("Saved")
    return page


async def type_in(page: Page, text: str) -> None:
    editor = page.get_by_role("textbox", name="Document text")
    await editor.click()
    await page.keyboard.press("End")
    await page.keyboard.type(text)


async def test_two_editors_and_a_conflicting_save(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    w = await build_world()
    doc = await w.document("Runbook", content=para("Restart the workers"))
    ann, bob = two_people
    a = await open_doc(ann, w, w.owner, doc)
    b = await open_doc(bob, w, w.member, doc)
    await expect(a.locator(".doc-viewers")).to_contain_text(f"{w.member.name} is viewing")

    # Ann's save shows on Bob's screen while Bob has nothing unsaved.
    await type_in(a, " one by one")
    await expect(a.locator(".doc-saved")).to_have_text("Saved")
    await expect(b.get_by_role("textbox", name="Document text")).to_have_text(
        "Restart the workers one by one"
    )

    # Bob's next save is held on its way while Ann saves again: it reaches the server
    # with the version Bob saw, and Bob is asked which version to keep.
    release = asyncio.Event()

    async def hold(route: Route) -> None:
        if route.request.method == "PATCH":
            await release.wait()
        await route.continue_()

    await b.route(f"**/api/orgs/*/workspaces/*/documents/{doc}", hold)
    await type_in(b, ", then check the queue")
    await expect(b.locator(".doc-saved")).to_have_text("Saving…")
    await expect(a.locator(".doc-viewers")).to_contain_text(f"{w.member.name} is editing")
    await type_in(a, " at night")
    await expect(a.locator(".doc-saved")).to_have_text("Saved")
    bob.allow(r"409 PATCH .*/documents/", r"status of 409")
    release.set()

    conflict = b.get_by_role("dialog", name="This document changed while you were editing")
    await expect(conflict).to_be_visible()
    await expect(conflict.get_by_role("region", name="Your version")).to_contain_text(
        "then check the queue"
    )
    await expect(conflict.get_by_role("region", name="Current version")).to_contain_text(
        "one by one at night"
    )
    await shot(b, "document-conflict")
    current = await rest(live_server, "GET", path(w, doc), token=await w.token("owner"))
    assert current["version"] == 3 and "check the queue" not in str(current["content"])

    await conflict.get_by_role("button", name="Keep mine").click()
    await expect(conflict).to_be_hidden()
    await expect(b.locator(".doc-saved")).to_have_text("Saved")
    await expect(a.get_by_role("textbox", name="Document text")).to_contain_text(
        "then check the queue"
    )
    current = await rest(live_server, "GET", path(w, doc), token=await w.token("owner"))
    assert current["version"] == 4 and "check the queue" in str(current["content"])


async def test_taking_theirs_drops_the_unsaved_change(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    w = await build_world()
    doc = await w.document("Glossary", content=para("Seq: a room's counter"))
    ann, bob = two_people
    a = await open_doc(ann, w, w.owner, doc)
    b = await open_doc(bob, w, w.member, doc)
    release = asyncio.Event()

    async def hold(route: Route) -> None:
        if route.request.method == "PATCH":
            await release.wait()
        await route.continue_()

    await b.route(f"**/api/orgs/*/workspaces/*/documents/{doc}", hold)
    await type_in(b, " (Bob)")
    await expect(b.locator(".doc-saved")).to_have_text("Saving…")
    await type_in(a, " (Ann)")
    await expect(a.locator(".doc-saved")).to_have_text("Saved")
    bob.allow(r"409 PATCH .*/documents/", r"status of 409")
    release.set()
    conflict = b.get_by_role("dialog", name="This document changed while you were editing")
    await conflict.get_by_role("button", name="Take theirs").click()
    await expect(conflict).to_be_hidden()
    editor = b.get_by_role("textbox", name="Document text")
    await expect(editor).to_have_text("Seq: a room's counter (Ann)")
    current = await rest(live_server, "GET", path(w, doc), token=await w.token("owner"))
    assert current["version"] == 2


def path(w: World, doc: str) -> str:
    return f"/orgs/{w.board.org.slug}/workspaces/{w.board.workspace.slug}/documents/{doc}"


async def test_a_review_round_trip(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    w = await build_world()
    author, reviewer = two_people
    # Max writes a new spec from the documents page.
    await author.sign_in(w.member)
    await author.goto(page_of(w))
    m = author.page
    await m.get_by_text("New document").click()
    await m.get_by_label("Title", exact=True).fill("Billing API spec")
    await m.get_by_label("Type", exact=True).select_option("spec")
    await m.get_by_role("button", name="Create").click()
    await expect(m.get_by_role("textbox", name="Document text")).to_be_visible()
    await expect(m.get_by_role("tree", name="Documents")).to_contain_text("Billing API spec")
    doc = m.url.rsplit("/", 1)[1]
    await type_in(m, "Invoices are monthly.")
    await expect(m.locator(".doc-saved")).to_have_text("Saved")
    await expect(m.get_by_role("button", name="Approve")).to_have_count(0)
    await m.get_by_role("button", name="Submit for review").click()
    await expect(m.locator(".doc-status")).to_have_text("Pending review")

    # Ada, a workspace admin, asks for changes; Max sees it at once.
    a = await open_doc(reviewer, w, w.admin, doc)
    await expect(a.locator(".doc-status")).to_have_text("Pending review")
    await a.get_by_label("Review notes").fill("Say which currency.")
    await a.get_by_role("button", name="Request changes").click()
    await expect(a.locator(".doc-status")).to_have_text("Changes requested")
    await expect(m.locator(".doc-status")).to_have_text("Changes requested")
    await expect(m.locator(".doc-review-notes")).to_contain_text("Say which currency.")

    await type_in(m, " In euros.")
    await expect(m.locator(".doc-saved")).to_have_text("Saved")
    await m.get_by_role("button", name="Submit for review").click()
    await expect(a.locator(".doc-status")).to_have_text("Pending review")
    await expect(a.get_by_role("textbox", name="Document text")).to_contain_text("In euros.")
    await a.get_by_role("button", name="Approve").click()
    await expect(m.locator(".doc-status")).to_have_text("Approved")
    # The tree follows, on both screens.
    for page in (m, a):
        tree = page.get_by_role("tree", name="Documents")
        await expect(tree.get_by_role("treeitem")).to_contain_text("Approved")
    await shot(m, "document-approved")
    final = await rest(live_server, "GET", path(w, doc), token=await w.token("member"))
    assert final["status"] == "approved" and final["reviewedById"] == str(w.admin.id)
    notes = await rest(live_server, "GET", "/notifications", token=await w.token("member"))
    assert {n["activity"]["type"] for n in notes} == {"document_reviewed"}


async def test_the_tree_follows_what_others_change_and_shows_each_what_they_may_open(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    w = await build_world()
    await w.document("Handbook")
    ann, wes = two_people
    trees = []
    # Olive owns the project; Wes is in the workspace but not on the project.
    for person, user in ((ann, w.owner), (wes, w.ws_member)):
        await person.sign_in(user)
        await person.goto(page_of(w))
        tree = person.page.get_by_role("tree", name="Documents")
        await expect(tree).to_contain_text("Handbook")
        trees.append(tree)
    o, e = trees
    docs = f"/orgs/{w.board.org.slug}/workspaces/{w.board.workspace.slug}/documents"
    member = await w.token("member")

    # Max, on neither screen, writes a workspace document: both trees show it.
    made = await rest(
        live_server, "POST", docs, token=member, json={"title": "Onboarding", "docType": "note"}
    )
    for tree in trees:
        await expect(tree).to_contain_text("Onboarding")
    # A project document shows in the tree of the project's members only; Wes's tree
    # hears of a change and reads a list without it.
    await rest(
        live_server,
        "POST",
        docs,
        token=member,
        json={"title": "Pricing", "scopeType": "project", "projectId": str(w.board.project.id)},
    )
    await expect(o).to_contain_text("Pricing")
    await rest(
        live_server,
        "PATCH",
        f"{docs}/{made['id']}",
        token=member,
        json={"title": "Onboarding guide", "version": made["version"]},
    )
    for tree in trees:
        await expect(tree).to_contain_text("Onboarding guide")
    await expect(e.locator(".doc-title")).to_have_text(["Handbook", "Onboarding guide"])
    await expect(o.locator(".doc-title")).to_have_text(["Handbook", "Onboarding guide", "Pricing"])

    await rest(live_server, "DELETE", f"{docs}/{made['id']}", token=member)
    await expect(o.locator(".doc-title")).to_have_text(["Handbook", "Pricing"])
    await expect(e.locator(".doc-title")).to_have_text(["Handbook"])


async def test_the_workspace_list_the_tree_and_a_restore(person: Person) -> None:
    w = await build_world()
    guide = await w.document("Guide", content=para("Version one"))
    await w.document("Chapter", parent_id=guide)
    await person.sign_in(w.owner)
    await person.goto("/d")
    page = person.page
    await page.get_by_role("link", name=f"{w.board.org.name} / {w.board.workspace.name}").click()
    tree = page.get_by_role("tree", name="Documents")
    # The chapter sits under the guide.
    guide_item = tree.get_by_role("treeitem").filter(has_text="Guide").first
    await expect(guide_item.get_by_role("group")).to_contain_text("Chapter")
    await guide_item.get_by_role("link", name="Guide").first.click()
    editor = page.get_by_role("textbox", name="Document text")
    await expect(editor).to_have_text("Version one")

    await editor.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.type("Version two")
    await expect(page.locator(".doc-saved")).to_have_text("Saved")
    await page.get_by_text("History").click()
    history = page.locator(".doc-history")
    await expect(history.get_by_role("listitem")).to_have_count(2)
    await history.get_by_role("button", name="Restore").click()
    await expect(editor).to_have_text("Version one")
    await expect(history.get_by_role("listitem").first).to_contain_text("restored from 1")
