"""Planning poker in a real browser: two people, one room, hidden votes until the reveal."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, Response, expect

from tests.e2e.conftest import Person, shot
from tests.factories import create_user

GUEST = "Gus Guest"


def participants(page: Page) -> Locator:
    return page.locator("#participants")


def person_row(page: Page, name: str) -> Locator:
    return participants(page).locator("li", has_text=name)


async def create_room(moderator: Person, name: str) -> str:
    """Sign in, create a room from the start page, and return its code."""
    owner = await create_user(name="Maya Moderator")
    await moderator.sign_in(owner)
    page = moderator.page
    await moderator.goto("/")
    create = page.locator("form", has=page.get_by_role("heading", name="Create a room"))
    await create.get_by_label("Room name").fill(name)
    await create.get_by_role("button", name="Create room").click()
    await expect(page).to_have_url(re.compile(r"/r/[A-Z0-9]{6}$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)
    return page.url.rsplit("/", 1)[1]


async def join_as_guest(guest: Person, code: str, name: str = GUEST) -> None:
    page = guest.page
    await guest.goto("/")
    join = page.locator("form", has=page.get_by_role("heading", name="Join a room"))
    await join.get_by_label("Room code").fill(code.lower())
    await join.get_by_label("Your name").fill(name)
    await join.get_by_role("button", name="Join").click()
    await expect(page).to_have_url(re.compile(f"/r/{code}$"))
    await expect(person_row(page, name)).to_contain_text("(you)")


async def add_story(moderator: Person, title: str) -> None:
    page = moderator.page
    form = page.locator("form.add-story")
    await form.get_by_label("Title").fill(title)
    await form.get_by_label("Description").fill("As a user I want to sign in with my email.")
    await form.get_by_label("Acceptance criteria").fill("Wrong passwords show a clear message.")
    await form.get_by_role("button", name="Add story").click()
    await expect(page.locator("#now-title")).to_have_text(title)


def card(page: Page, value: str) -> Locator:
    return page.locator(f'.deck button[data-value="{value}"]')


async def press_outside_fields(page: Page, key: str) -> None:
    """Keys vote only when focus is not in a text field: click a heading first."""
    await page.locator("#deck-title").click()
    await page.keyboard.press(key)


def watch_responses(*people: Person) -> list[str]:
    """Record every failed HTTP answer the pages get."""
    failed: list[str] = []

    def on_response(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    for person in people:
        person.page.on("response", on_response)
    return failed


def no_console_errors(*people: Person) -> None:
    """No errors in the console; failed loads are checked by `watch_responses`."""
    problems = [
        line
        for p in people
        for line in p.console
        if "[error]" in line and "Failed to load resource" not in line
    ]
    assert not problems, "\n".join(problems)


async def test_votes_stay_hidden_until_the_reveal_and_both_screens_agree(
    two_people: tuple[Person, Person],
) -> None:
    moderator, guest = two_people
    failed = watch_responses(moderator, guest)
    code = await create_room(moderator, "Sprint 42 refinement")
    await join_as_guest(guest, code)
    mod, gst = moderator.page, guest.page

    await expect(person_row(mod, GUEST)).to_be_visible()
    await expect(person_row(mod, "Maya Moderator")).to_contain_text("moderator")
    await add_story(moderator, "Sign-in page")
    await expect(gst.locator("#now-title")).to_have_text("Sign-in page")
    await expect(gst.locator(".story-now")).to_contain_text("Wrong passwords show a clear message.")

    # The guest picks 5 with the mouse; the server's ack is shown.
    await card(gst, "5").click()
    await expect(card(gst, "5")).to_have_attribute("aria-pressed", "true")
    await expect(gst.locator("#deck-note")).to_contain_text("Vote received: 5")

    # The moderator sees the tick, never the value.
    await expect(person_row(mod, GUEST)).to_contain_text("✓ voted")
    await expect(participants(mod)).not_to_contain_text("5")

    # The moderator votes with the keyboard: key 7 is the seventh card, 8.
    await press_outside_fields(mod, "7")
    await expect(card(mod, "8")).to_have_attribute("aria-pressed", "true")
    await expect(person_row(gst, "Maya Moderator")).to_contain_text("✓ voted")
    await expect(participants(gst)).not_to_contain_text("8")
    await expect(mod.locator(".tally-text")).to_have_text("2 of 2 voters have voted")
    await shot(mod, "poker-before-reveal")

    await mod.get_by_role("button", name=re.compile("^Reveal votes")).click()

    # A tie between 5 and 8 goes to the larger card.
    for page in (mod, gst):
        await expect(page.locator("#consensus")).to_have_text("8")
        await expect(page.locator(".results svg.chart")).to_be_visible()
        await expect(page.locator(".results")).to_contain_text("50%")
        await expect(page.locator(".vote-list")).to_contain_text(GUEST)
        await expect(person_row(page, GUEST)).to_contain_text("5")
        # The chart has a table alternative with the same numbers.
        rows = page.locator(".chart-table tbody tr")
        await expect(rows).to_have_count(2)
    assert (
        await mod.locator("#consensus").text_content()
        == await gst.locator("#consensus").text_content()
    )
    await shot(mod, "poker-after-reveal")
    await shot(gst, "poker-after-reveal-guest")

    # A vote after the reveal is refused, and the server's message says why.
    await press_outside_fields(gst, "3")
    await expect(gst.locator(".toast-error")).to_contain_text(
        "Votes on this story are already revealed"
    )

    # A re-vote clears the cards; the earlier round is kept in the story's history.
    await mod.get_by_role("button", name="Re-vote").click()
    for page in (mod, gst):
        await expect(page.locator(".tally-text")).to_have_text("0 of 2 voters have voted")
        await expect(page.locator(".deck button[aria-pressed='true']")).to_have_count(0)
    await card(gst, "8").click()
    await press_outside_fields(mod, "7")
    await mod.get_by_role("button", name=re.compile("^Reveal votes")).click()
    await expect(gst.locator("#consensus")).to_have_text("8")
    await expect(gst.locator(".history summary")).to_have_text("Earlier rounds (1)")
    no_console_errors(moderator, guest)
    assert not failed


async def test_retracting_timing_and_handing_over_the_room(
    two_people: tuple[Person, Person],
) -> None:
    moderator, guest = two_people
    failed = watch_responses(moderator, guest)
    code = await create_room(moderator, "Backlog grooming")
    await join_as_guest(guest, code)
    mod, gst = moderator.page, guest.page
    await add_story(moderator, "Export to CSV")

    # Clicking the chosen card again takes the vote back.
    await card(gst, "3").click()
    await expect(person_row(mod, GUEST)).to_contain_text("✓ voted")
    await card(gst, "3").click()
    await expect(card(gst, "3")).to_have_attribute("aria-pressed", "false")
    await expect(gst.locator("#deck-note")).to_contain_text("Vote taken back")
    await expect(person_row(mod, GUEST)).not_to_contain_text("✓ voted")

    # The timer counts down on everyone's screen.
    await mod.get_by_label("Timer").fill("90")
    await mod.get_by_role("button", name="Start", exact=True).click()
    await expect(gst.locator("#timer")).to_contain_text(re.compile(r"1:(2\d|30)"))

    # Only the moderator has the controls, until the role is handed over.
    await expect(gst.get_by_role("button", name=re.compile("^Reveal votes"))).to_have_count(0)
    await mod.get_by_role("button", name=f"Make {GUEST} the moderator").click()
    await expect(person_row(gst, GUEST)).to_contain_text("moderator")
    await expect(gst.get_by_role("button", name=re.compile("^Reveal votes"))).to_be_visible()
    # The owner keeps every moderator right in their own session.
    await expect(mod.get_by_role("button", name=re.compile("^Reveal votes"))).to_be_visible()

    # The new moderator adds a story; it waits in the queue. With stories in the queue the
    # form waits behind its button.
    await expect(gst.locator("form.add-story")).to_be_hidden()
    await gst.get_by_role("button", name="Add a story").click()
    await guest.page.locator("form.add-story").get_by_label("Title").fill("Import from CSV")
    await guest.page.locator("form.add-story").get_by_role("button", name="Add story").click()
    await expect(mod.locator(".story-list")).to_contain_text("Import from CSV")
    no_console_errors(moderator, guest)
    assert not failed


async def test_a_shared_link_asks_a_newcomer_for_a_name(
    two_people: tuple[Person, Person],
) -> None:
    moderator, guest = two_people
    failed = watch_responses(moderator, guest)
    code = await create_room(moderator, "Link room")
    page = guest.page
    await guest.goto(f"/r/{code}")
    await page.get_by_label("Your name").fill("Lena Link")
    await page.get_by_role("button", name="Join").click()
    await expect(person_row(page, "Lena Link")).to_contain_text("(you)")
    await expect(person_row(moderator.page, "Lena Link")).to_be_visible()
    # At phone width the deck wraps instead of overflowing.
    await page.set_viewport_size({"width": 375, "height": 800})
    overflow = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    await shot(page, "poker-phone")

    # The moderator finds the room again among their recent ones.
    await moderator.page.get_by_role("link", name="Poker").click()
    recent = moderator.page.locator(".recent")
    await expect(recent.get_by_role("link", name="Link room")).to_have_attribute(
        "href", f"/r/{code}"
    )
    await expect(recent).to_contain_text("2 people")
    no_console_errors(moderator, guest)
    assert not failed


async def test_the_moderator_removes_a_guest_who_then_sees_why_and_can_rejoin(
    two_people: tuple[Person, Person],
) -> None:
    moderator, guest = two_people
    failed = watch_responses(moderator, guest)
    code = await create_room(moderator, "Removal room")
    await join_as_guest(guest, code)
    mod, gst = moderator.page, guest.page
    await add_story(moderator, "Audit log")
    await card(gst, "5").click()
    await expect(person_row(mod, GUEST)).to_contain_text("✓ voted")

    # The guest has no such control; the moderator's asks before it acts.
    await expect(gst.get_by_role("button", name=re.compile("^Remove "))).to_have_count(0)
    remove = mod.get_by_role("button", name=f"Remove {GUEST} from the room")
    await expect(
        mod.get_by_role("button", name="Remove Maya Moderator from the room")
    ).to_have_count(0)
    await remove.click()
    confirm = person_row(mod, GUEST).get_by_role("group", name=f"Remove {GUEST}?")
    await expect(confirm).to_be_visible()
    assert await confirm.text_content() == f"Remove {GUEST} from the room?Yes, removeCancel"
    await expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    await confirm.get_by_role("button", name="Cancel").click()
    await expect(confirm).to_have_count(0)
    await expect(remove).to_be_focused()
    await expect(gst.locator("#room-name")).to_have_text("Removal room")

    await remove.click()
    await shot(mod, "poker-remove-confirm")
    await confirm.get_by_role("button", name="Yes, remove").click()

    # The moderator's room forgets the guest and their vote.
    await expect(person_row(mod, GUEST)).to_have_count(0)
    await expect(mod.locator(".toast")).to_contain_text(f"{GUEST} was removed from the room")
    await expect(mod.locator(".tally-text")).to_have_text("0 of 1 voter have voted")

    # The guest's screen says what happened and offers the join form again.
    removed = gst.get_by_role("heading", name="You were removed from this room")
    await expect(removed).to_be_visible()
    await expect(gst.locator(".removed-note")).to_contain_text("Removal room")
    await expect(gst.get_by_role("heading", name=f"Join room {code}")).to_be_visible()
    await expect(gst.locator(".deck")).to_have_count(0)
    assert await gst.evaluate(f"() => localStorage.getItem('roundtable.guest.{code}')") is None
    await shot(gst, "poker-removed-guest")

    # Joining again gives a new seat, seen on both screens.
    await gst.get_by_label("Your name").fill("Gus Again")
    await gst.get_by_role("button", name="Join").click()
    await expect(person_row(gst, "Gus Again")).to_contain_text("(you)")
    await expect(person_row(mod, "Gus Again")).to_be_visible()
    await expect(gst.locator("#now-title")).to_have_text("Audit log")
    no_console_errors(moderator, guest)
    # The removed token's 401 may be seen once by a reconnect; nothing else fails.
    assert not [f for f in failed if " /api/" in f and "/participants" not in f], failed


async def test_async_voting_on_a_queued_story_carries_into_its_round(
    two_people: tuple[Person, Person],
) -> None:
    moderator, guest = two_people
    failed = watch_responses(moderator, guest)
    code = await create_room(moderator, "Async room")
    mod, gst = moderator.page, guest.page
    await mod.get_by_role("button", name="Settings", exact=True).click()
    await mod.get_by_label("Async voting").check()
    await mod.get_by_role("button", name="Save settings").click()
    await expect(mod.locator("#settings-panel")).to_have_count(0)

    await join_as_guest(guest, code)
    await add_story(moderator, "Sign-in page")
    form = mod.locator("form.add-story")
    await form.get_by_label("Title").fill("Import from CSV")
    await form.get_by_role("button", name="Add story").click()
    queued = gst.locator(".story-list li", has_text="Import from CSV")
    await expect(queued).to_be_visible()
    await expect(gst.locator(".queue")).to_contain_text("Async voting is on")

    # Only queued stories take a vote from the list; the current one has the deck.
    await expect(gst.get_by_role("button", name="Vote now on Sign-in page")).to_have_count(0)
    await queued.get_by_role("button", name="Vote now on Import from CSV").click()
    cards = queued.get_by_role("group", name="Your card for Import from CSV")
    await cards.locator('button[data-value="8"]').click()
    await expect(cards).to_have_count(0)
    await expect(queued.locator(".my-tick")).to_have_text("✓ You voted 8")
    await expect(gst.locator(".toast")).to_contain_text('Vote on "Import from CSV" saved: 8')
    # The deck for the current story is untouched.
    await expect(gst.locator(".deck button[aria-pressed='true']")).to_have_count(0)
    await shot(gst, "poker-async-vote")

    # The moderator sees that a vote is in, never its value.
    mod_queued = mod.locator(".story-list li", has_text="Import from CSV")
    await expect(mod_queued.locator(".ahead-count")).to_have_text("1 voted")
    await expect(mod_queued).not_to_contain_text("8")

    # Changing the vote and taking it back work from the list too.
    await queued.get_by_role("button", name="Change your vote on Import from CSV").click()
    await expect(cards.locator('button[data-value="8"]')).to_have_attribute("aria-pressed", "true")
    await cards.locator('button[data-value="8"]').click()
    await expect(queued.locator(".my-tick")).to_have_count(0)
    await expect(mod_queued.locator(".ahead-count")).to_have_count(0)
    await queued.get_by_role("button", name="Vote now on Import from CSV").click()
    await cards.locator('button[data-value="13"]').click()
    await expect(queued.locator(".my-tick")).to_have_text("✓ You voted 13")

    # When the story comes up, the early vote is already counted and shown as the guest's.
    await mod.get_by_role("button", name="Start voting on Import from CSV").click()
    await expect(gst.locator("#now-title")).to_have_text("Import from CSV")
    await expect(card(gst, "13")).to_have_attribute("aria-pressed", "true")
    await expect(person_row(mod, GUEST)).to_contain_text("✓ voted")
    await expect(mod.locator(".tally-text")).to_have_text("1 of 2 voters have voted")

    # After a reload the server's snapshot brings the chosen card back.
    await gst.reload()
    await expect(gst.locator("#now-title")).to_have_text("Import from CSV")
    await expect(card(gst, "13")).to_have_attribute("aria-pressed", "true")
    await expect(gst.locator("#deck-note")).to_contain_text("Your vote: 13")
    no_console_errors(moderator, guest)
    assert not failed
