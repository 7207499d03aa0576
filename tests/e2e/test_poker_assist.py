"""The moderator's Assist panel in a real browser: stories drafted from a goal, two of
them accepted into the room; criteria drafted for the current story and accepted."""

from __future__ import annotations

from playwright.async_api import expect

from models import Story
from services.poker import stories
from tests.e2e.conftest import Person, shot
from tests.factories import create_user, poker_room

GOAL = "Customers can search, filter and save products to a wishlist"


async def test_drafts_and_criteria_are_accepted_into_the_room(person: Person) -> None:
    owner = await create_user(name="Tess Teamlead")
    _, actor, made = await poker_room(owner, name="Sprint 12")
    code = made["code"]
    await stories.add_story(
        actor=actor,
        code=code,
        title="Export invoices as PDF",
        description="As an accountant, I want to export a month of invoices as one PDF. "
        "Totals match the invoice list.",
    )

    await person.sign_in(owner)
    await person.goto(f"/r/{code}")
    page = person.page
    panel = page.locator("#assist")
    await expect(panel.get_by_role("heading", name="Assist")).to_be_visible()

    # Drafts from a goal: three proposals, two accepted, one dismissed.
    await panel.get_by_label("Goal").fill(GOAL)
    await panel.get_by_role("button", name="Draft stories").click()
    drafts = panel.get_by_role("article", name="Drafted stories")
    proposals = drafts.locator(".assist-proposal")
    await expect(proposals).to_have_count(3)
    await expect(proposals.nth(0)).to_contain_text("Search products")
    await expect(drafts).to_contain_text("Built-in rules")
    await proposals.nth(0).get_by_role("button", name="Add story").click()
    await expect(proposals).to_have_count(2)
    await proposals.nth(0).get_by_role("button", name="Add story").click()
    await expect(proposals).to_have_count(1)
    await proposals.nth(0).get_by_role("button", name="Dismiss").click()
    await expect(proposals).to_have_count(0)
    queue = page.locator(".room-side")
    await expect(queue).to_contain_text("Search products")
    await expect(queue).to_contain_text("Filter products")
    titles = (
        await Story.filter(session__code=code).order_by("position").values_list("title", flat=True)
    )
    assert titles == ["Export invoices as PDF", "Search products", "Filter products"]

    # Criteria for the current story, accepted onto it; the room shows them at once.
    await panel.get_by_role("button", name="Criteria", exact=True).click()
    card = panel.get_by_role("article", name="Criteria")
    expected = (
        "- Given I am an accountant, when I export a month of invoices as one PDF, then "
        "totals match the invoice list"
    )
    await expect(card).to_contain_text(expected)
    await shot(page, "poker-assist")
    await card.get_by_role("button", name="Use these criteria").click()
    await expect(card).to_have_count(0)
    await expect(page.locator(".criteria")).to_contain_text(expected)
    current = await Story.get(session__code=code, title="Export invoices as PDF")
    assert current.acceptance_criteria == expected
    assert not person.unexpected(), person.unexpected()


async def test_a_guest_sees_no_assist_panel(person: Person) -> None:
    owner = await create_user(name="Tess Teamlead")
    _, actor, made = await poker_room(owner, name="Sprint 12")
    await stories.add_story(actor=actor, code=made["code"], title="Login")
    await person.goto(f"/r/{made['code']}")
    await person.page.get_by_label("Your name").fill("Gus")
    await person.page.get_by_role("button", name="Join").click()
    await expect(person.page.locator(".deck-panel")).to_be_visible()
    await expect(person.page.locator("#assist")).to_be_hidden()
