"""Reference stories beside the deck, following the current story, and the account's
analytics across rooms, in a real browser."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from models import User
from services.poker import rounds, stories, voting
from services.poker.folders import create_folder
from tests.e2e.conftest import Person, fits_the_width, shot
from tests.e2e.test_poker_analytics import wait_until_drawn
from tests.factories import create_user, guest, poker_room, user_actor

EARLIER = [
    ("Login page", "Users sign in with email and password.", "8"),
    ("Password reset", "A reset link lets a user sign in again.", "3"),
    ("Export invoices as PDF", "Accountants download a month of invoices.", "5"),
]


async def _estimate(
    owner: User, code: str, title: str, text: str, values: list[str], **extra: Any
) -> None:
    """Add a story, and reveal it once per value: a re-vote for each value after the first."""
    actor = user_actor(owner)
    people = [(await guest(code, f"Voter {title}"))[0]]
    added = await stories.add_story(actor=actor, code=code, title=title, description=text)
    await stories.start_story(actor=actor, code=code, story_id=added["id"])
    for i, value in enumerate(values):
        if i:
            await rounds.restart_round(actor=actor, code=code)
        for person in people:
            await voting.cast_vote(actor=person, code=code, value=value)
        await rounds.reveal(actor=actor, code=code)


async def test_reference_stories_follow_the_current_story(
    two_people: tuple[Person, Person],
) -> None:
    person, visitor = two_people
    owner = await create_user(name="Tess Teamlead")
    _, actor, last = await poker_room(owner, name="Sprint 11")
    for title, text, value in EARLIER:
        await _estimate(owner, last["code"], title, text, [value])
    _, _, now = await poker_room(owner, name="Sprint 12")
    code = now["code"]
    login = await stories.add_story(
        actor=actor, code=code, title="Login form validation", description="Check the password."
    )
    invoices = await stories.add_story(actor=actor, code=code, title="Email invoices monthly")
    await stories.start_story(actor=actor, code=code, story_id=login["id"])

    await person.sign_in(owner)
    await person.goto(f"/r/{code}")
    page = person.page
    panel = page.locator("#reference-stories")
    await expect(panel.get_by_role("heading", name="Reference stories")).to_be_visible()
    items = panel.locator(".reference")
    await expect(items.first).to_contain_text("Login page")
    await expect(items.first.locator(".reference-estimate")).to_have_text("8")
    await expect(panel).not_to_contain_text("Export invoices")
    # Beside the deck, not under it.
    deck = await page.locator(".deck-panel").bounding_box()
    side = await panel.bounding_box()
    assert deck and side and side["x"] > deck["x"] + deck["width"] - 1
    assert abs(side["y"] - deck["y"]) < 40
    # The description is one click away.
    await items.first.locator("summary").click()
    await expect(items.first).to_contain_text("Users sign in with email and password.")
    await shot(page, "poker-reference-stories")

    # A guest in the room sees them too.
    _, _, token = await guest(code, "Gus")
    await visitor.goto("/api/health")
    await visitor.page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [f"roundtable.guest.{code}", f'{{"token": "{token}"}}'],
    )
    await visitor.goto(f"/r/{code}")
    theirs = visitor.page.locator("#reference-stories .reference")
    await expect(theirs.first).to_contain_text("Login page")

    # The moderator moves on: both panels follow the new current story.
    await stories.start_story(actor=actor, code=code, story_id=invoices["id"])
    await expect(page.locator("#now-title")).to_have_text("Email invoices monthly")
    for listed in (items, theirs):
        await expect(listed.first).to_contain_text("Export invoices as PDF")
        await expect(listed.first.locator(".reference-estimate")).to_have_text("5")
        # "email" still ties it to the login page's text, ranked below; the reset does not.
        await expect(listed).to_have_count(2)
        await expect(listed.nth(1)).to_contain_text("Login page")
    await expect(panel).not_to_contain_text("Password reset")


async def test_the_account_analytics_page(person: Person) -> None:
    owner = await create_user(name="Tess Teamlead")
    actor = user_actor(owner)
    sprint = await create_folder(actor=actor, name="Sprint 7")
    _, _, one = await poker_room(owner, name="Sprint 7 planning", folder_id=sprint["id"])
    await _estimate(owner, one["code"], "Login page", "", ["3"])
    await _estimate(owner, one["code"], "Billing", "", ["2", "13"])
    _, _, loose = await poker_room(owner, name="Ad hoc")
    await _estimate(owner, loose["code"], "Spike", "", ["5"])

    await person.sign_in(owner)
    await person.goto("/")
    page = person.page
    await page.get_by_role("link", name="Your estimates across rooms").click()
    await expect(page).to_have_url(re.compile(r"/analytics$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your analytics")
    summary = page.locator("#owner-summary")
    await expect(summary.locator(".stat", has_text="Rooms")).to_contain_text("2")
    await expect(summary.locator(".stat", has_text="Points")).to_contain_text("21")
    chart = f"folder-{sprint['id']}-chart"
    await expect(page.locator(f"#{chart}")).to_be_visible()
    await wait_until_drawn(page, chart)
    await wait_until_drawn(page, "folder-unfiled-chart")
    figures = page.locator("#folder-charts figure h2")
    await expect(figures).to_have_text(["Sprint 7", "Unfiled"])
    changed = page.locator("#changed-table tbody tr")
    await expect(changed).to_have_count(1)
    await expect(changed.first).to_contain_text("Billing")
    await expect(changed.first).to_contain_text("2 → 13")
    await shot(page, "poker-owner-analytics")
    # At phone width the page fits once the charts have followed the new width; wide
    # tables scroll in their own box.
    await page.set_viewport_size({"width": 375, "height": 800})
    await fits_the_width(page)
    await shot(page, "poker-owner-analytics-phone")
    await page.set_viewport_size({"width": 1280, "height": 720})

    # One folder only.
    await page.locator("#filter-folder").select_option(label="Sprint 7")
    await page.get_by_role("button", name="Show").click()
    await expect(page).to_have_url(re.compile(rf"/analytics\?folder_id={sprint['id']}$"))
    await expect(figures).to_have_text(["Sprint 7"])
    await expect(changed).to_have_count(1)
