"""Someone who drops off the network catches up by themself when they come back: the
banner says so, and the changes made meanwhile appear without a reload."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.conftest import Person, shot
from tests.e2e.test_board import card_el, column_titles, make_setup, open_board
from tests.realtime.clients import LiveServer


async def test_changes_made_while_offline_appear_without_a_reload(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "Plan the launch", "Write the release notes")
    ann, bob = two_people
    a = await open_board(ann, setup, setup.ann)
    b = await open_board(bob, setup, setup.bob)
    # Survives only if the page is never reloaded.
    await b.evaluate("() => { window.stillTheSamePage = true; }")

    await bob.set_offline(True)
    banner = b.locator("#connection-banner")
    await expect(banner).to_be_visible(timeout=10_000)
    await expect(banner).to_contain_text("Reconnecting")

    # Ann works on: a card added through her screen, another moved to Done over REST.
    add = a.get_by_placeholder("Add a card…").first
    await add.fill("Book the venue")
    await add.press("Enter")
    await expect(column_titles(a, setup, 0)).to_have_text(
        ["Plan the launch", "Write the release notes", "Book the venue"]
    )
    notes = setup.cards["Write the release notes"]
    await setup.call(
        "PATCH",
        f"/cards/{notes['id']}",
        {"columnId": setup.column(2), "version": notes["version"]},
    )
    # Bob's screen has not changed while he is away.
    await expect(column_titles(b, setup, 0)).to_have_text(
        ["Plan the launch", "Write the release notes"]
    )
    await shot(b, "board-offline")

    await bob.set_offline(False)
    await expect(banner).to_be_hidden(timeout=15_000)
    await expect(column_titles(b, setup, 0)).to_have_text(["Plan the launch", "Book the venue"])
    await expect(column_titles(b, setup, 2)).to_have_text(["Write the release notes"])
    await expect(card_el(b, "Book the venue")).to_be_visible()
    assert await b.evaluate("() => window.stillTheSamePage === true")
    assert await setup.rest_titles(0) == ["Plan the launch", "Book the venue"]
