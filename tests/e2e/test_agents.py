"""Workspace agents in a real browser: a workspace admin adds a supervised agent on the
Agents page; from a card's drawer Ann asks it to break the card down, watches the
mission stream, and approves its proposed checklist items, which appear live on Bob's
open board; the one she rejects does not."""

from __future__ import annotations

from playwright.async_api import expect

from tests.agent_support import DESCRIPTION, ITEMS
from tests.e2e.conftest import Person, shot
from tests.e2e.test_board import card_el, make_setup, open_board
from tests.realtime.clients import LiveServer


async def test_a_supervised_mission_proposes_checklist_items_approved_live(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server)
    await setup.card(0, "Sign in", description=DESCRIPTION)
    ann, bob = two_people
    b = await open_board(bob, setup, setup.bob)
    a = await open_board(ann, setup, setup.ann)
    # Chromium sometimes reports the end of a streamed fetch as aborted when the server
    # closes the progress stream right after a mission's last step; the page has read
    # every step by then (the test waits for the stream to be closed).
    ann.allow(r"/missions/[0-9a-f-]+/events: net::ERR_ABORTED")

    # The Agents page: Ann, who owns the organization, adds a supervised agent.
    board = setup.board
    await ann.goto(f"/b/{board.org.slug}/{board.workspace.slug}/agents")
    await expect(a.locator("#agent-list")).to_contain_text("No agents yet")
    form = a.locator("#agent-form")
    await form.get_by_label("Name").fill("Planner")
    await expect(form.get_by_label("Slug")).to_have_value("planner")
    await form.get_by_role("button", name="Add agent").click()
    await expect(a.locator("#agent-list")).to_contain_text("Planner (planner) · supervised")
    await shot(a, "agents-page")

    # From the card's drawer, a mission.
    await ann.goto(setup.url)
    drawer = a.locator("dialog.drawer")
    # The board draws itself again as its scopes and presence arrive; a click on a card
    # being redrawn is lost, so click until the drawer is open.
    for _ in range(5):
        await card_el(a, "Sign in").click()
        try:
            await expect(drawer).to_have_attribute("open", "", timeout=2000)
            break
        except AssertionError:
            continue
    await drawer.get_by_role("button", name="Ask an agent").click()
    dialog = a.locator("dialog.mission-dialog")
    await expect(dialog.get_by_label("Agent")).to_contain_text("Planner")
    await dialog.get_by_role("button", name="Start mission").click()
    proposals = dialog.locator(".mission-proposal")
    await expect(proposals).to_have_count(1)
    await expect(proposals.first).to_contain_text(ITEMS[0])
    await expect(dialog.get_by_role("status")).to_have_text("Mission awaiting approval")
    await shot(a, "agents-mission")

    # Approving makes the change at once, live on Bob's board; the next one comes up.
    await proposals.first.get_by_role("button", name="Approve").click()
    await expect(proposals.first).to_contain_text("approved")
    bob_card = card_el(b, "Sign in")
    await expect(bob_card.locator(".m-check")).to_contain_text("0/1")
    await expect(proposals).to_have_count(2)
    await proposals.nth(1).get_by_role("button", name="Reject").click()
    await expect(proposals.nth(1)).to_contain_text("rejected")
    await expect(proposals).to_have_count(3)
    await proposals.nth(2).get_by_role("button", name="Approve").click()
    await expect(dialog.get_by_role("status")).to_have_text("Mission completed")
    await expect(dialog.locator(".mission-steps")).to_contain_text("Done: 3 of 3 planned")
    await expect(dialog.locator(".mission-body")).to_have_attribute("data-stream", "closed")
    await expect(bob_card.locator(".m-check")).to_contain_text("0/2")
    await shot(b, "agents-board")
    cards = await setup.call("GET", "/cards")
    items = [i["title"] for i in cards[0]["checklist"]]
    assert items == [ITEMS[0], ITEMS[2]]
