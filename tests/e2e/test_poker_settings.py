"""The owner's room settings in a real browser: changes reach everyone's screen live."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.e2e.conftest import Person, shot
from tests.e2e.test_poker import (
    GUEST,
    add_story,
    card,
    create_room,
    join_as_guest,
    no_console_errors,
    person_row,
    watch_responses,
)

# User text goes in as text: markup in a name is shown, never parsed.
NEW_NAME = "<b>Sprint 43</b> & friends"


async def _room_with_a_guest(
    two_people: tuple[Person, Person],
) -> tuple[Person, Person, Page, Page, list[str]]:
    """The owner's room "Sprint 42 refinement" with a story, and a guest who sees its
    deck: the two people, their pages, and the failed answers they get from now on."""
    moderator, guest = two_people
    failed = watch_responses(moderator, guest)
    code = await create_room(moderator, "Sprint 42 refinement")
    await join_as_guest(guest, code)
    await add_story(moderator, "Sign-in page")
    await expect(card(guest.page, "13")).to_be_visible()
    return moderator, guest, moderator.page, guest.page, failed


async def test_the_owner_changes_the_room_and_everyone_sees_it(
    two_people: tuple[Person, Person],
) -> None:
    moderator, guest, mod, gst, failed = await _room_with_a_guest(two_people)

    # Only the owner has settings.
    await expect(gst.get_by_role("button", name="Settings", exact=True)).to_have_count(0)
    toggle = mod.get_by_role("button", name="Settings", exact=True)
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    panel = mod.locator("#settings-panel")
    await expect(panel.get_by_label("Room name")).to_have_value("Sprint 42 refinement")
    await expect(panel.get_by_label("Room name")).to_be_focused()
    await expect(panel.get_by_role("radio", name=re.compile("^Fibonacci"))).to_be_checked()
    await expect(panel.get_by_role("textbox", name="Custom cards")).to_be_hidden()

    await panel.get_by_label("Room name").fill(NEW_NAME)
    await panel.get_by_label(re.compile("^Description")).fill("Refine the <i>login</i> epic")
    await panel.get_by_role("radio", name=re.compile("^T-shirt")).check()
    await panel.get_by_label("Show who voted what").uncheck()
    await shot(mod, "poker-settings")
    await panel.get_by_role("button", name="Save settings").click()
    await expect(panel).to_have_count(0)
    await expect(mod.locator(".toast")).to_contain_text("Settings saved")
    await expect(toggle).to_be_focused()

    # Both rooms update live: the name and description as text, the deck redrawn.
    for page in (mod, gst):
        await expect(page.locator("#room-name")).to_have_text(NEW_NAME)
        await expect(page.locator(".room-desc")).to_have_text("Refine the <i>login</i> epic")
        await expect(page.locator("#room-name b")).to_have_count(0)
        await expect(card(page, "XL")).to_be_visible()
        await expect(card(page, "13")).to_have_count(0)
    assert await gst.locator("#room-name").text_content() == NEW_NAME
    await expect(gst).to_have_title(f"{NEW_NAME} · Roundtable")

    # Votes on the new deck; with names off, the result shows values only.
    await card(gst, "M").click()
    await card(mod, "L").click()
    await mod.get_by_role("button", name=re.compile("^Reveal votes")).click()
    for page in (mod, gst):
        await expect(page.locator(".results h3", has_text="Votes")).to_have_text(
            "Votes (names not recorded)"
        )
        await expect(page.locator(".vote-list")).not_to_contain_text(GUEST)

    # A custom deck: the cards are the owner's own.
    await toggle.click()
    await panel.get_by_role("radio", name="Custom deck").check()
    custom = panel.get_by_role("textbox", name="Custom cards")
    await expect(custom).to_be_visible()
    await custom.fill("1, 2, 4, 8, <16>")
    await panel.get_by_role("button", name="Save settings").click()
    for page in (mod, gst):
        await expect(page.locator(".deck button")).to_have_count(5)
        await expect(card(page, "<16>")).to_have_text(re.compile("<16>"))

    # Archiving closes the room to votes on every screen; unarchiving opens it again.
    await toggle.click()
    await panel.get_by_role("button", name="Archive room").click()
    await expect(mod.locator(".toast", has_text="Room archived")).to_be_visible()
    for page in (mod, gst):
        await expect(page.locator(".room-meta")).to_contain_text("Session archived")
        await expect(page.locator("#deck-note")).to_have_text(
            "This session is archived: it takes no votes."
        )
    await expect(panel.get_by_role("button", name="Unarchive room")).to_be_visible()
    await shot(gst, "poker-archived-guest")
    await panel.get_by_role("button", name="Unarchive room").click()
    for page in (mod, gst):
        await expect(page.locator(".room-meta")).not_to_contain_text("Session archived")
    await panel.get_by_role("button", name="Cancel").click()
    await expect(panel).to_have_count(0)
    no_console_errors(moderator, guest)
    assert not failed


async def test_a_live_event_leaves_the_field_being_typed_in_focused(
    two_people: tuple[Person, Person],
) -> None:
    moderator, guest, mod, gst, failed = await _room_with_a_guest(two_people)

    await mod.get_by_role("button", name="Settings", exact=True).click()
    name = mod.locator("#settings-panel").get_by_label("Room name")
    await expect(name).to_be_focused()
    await name.fill("Sprint 43")
    # The guest votes: the owner's screen draws the vote while the owner types.
    await card(gst, "5").click()
    await expect(person_row(mod, GUEST)).to_contain_text("✓ voted")
    await expect(name).to_be_focused()
    await mod.keyboard.type(" refinement")
    await expect(name).to_have_value("Sprint 43 refinement")
    no_console_errors(moderator, guest)
    assert not failed
