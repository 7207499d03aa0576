"""The card drawer's details in a real browser: labels (create, apply, manage),
relations, moving a card within its column from the keyboard, the column dialogs, an
unsaved-edits question, and the board at phone width."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.conftest import ARTIFACTS, Person, shot
from tests.e2e.test_board import card_el, column_titles, make_setup, open_board
from tests.realtime.clients import LiveServer


async def test_a_label_is_created_applied_renamed_and_deleted_live(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "Checkout <b>flow</b>", "Receipts")
    card_id = setup.cards["Checkout <b>flow</b>"]["id"]
    ann, bob = two_people
    a = await open_board(ann, setup, setup.ann)
    b = await open_board(bob, setup, setup.bob)

    await card_el(a, "Checkout <b>flow</b>").click()
    drawer = a.locator("dialog.drawer")
    await expect(drawer).to_be_visible()
    await drawer.get_by_label("New label").fill("needs <i>design</i>")
    await drawer.get_by_role("radio", name="Green").check()
    await drawer.get_by_role("button", name="Create and apply").click()

    toggle = drawer.locator(".label-toggle", has_text="needs <i>design</i>")
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    chip_b = card_el(b, "Checkout <b>flow</b>").locator(".label-chip")
    await expect(chip_b).to_have_text("needs <i>design</i>")
    assert await chip_b.evaluate("el => el.textContent") == "needs <i>design</i>"
    assert await chip_b.evaluate("el => el.children.length") == 0
    card = await setup.call("GET", f"/cards/{card_id}")
    assert [(lb["name"], lb["color"]) for lb in card["labels"]] == [
        ("needs <i>design</i>", "#16a34a")
    ]

    # Rename and recolour from "Manage labels": both screens follow.
    await drawer.get_by_text("Manage labels").click()
    await drawer.get_by_role("button", name="Edit label needs <i>design</i>").click()
    await drawer.get_by_label("Label name").fill("design")
    await (
        drawer.get_by_role("group", name="Colour").last.get_by_role("radio", name="Purple").check()
    )
    await drawer.get_by_role("button", name="Save label").click()
    await expect(chip_b).to_have_text("design")
    await expect(card_el(a, "Checkout <b>flow</b>").locator(".label-chip")).to_have_text("design")
    card = await setup.call("GET", f"/cards/{card_id}")
    assert [(lb["name"], lb["color"]) for lb in card["labels"]] == [("design", "#7c3aed")]

    # Delete, through an in-page dialog.
    await drawer.get_by_role("button", name="Delete label design").click()
    confirm = a.get_by_role("dialog", name="Delete the label “design”?")
    await expect(confirm).to_be_visible()
    await confirm.get_by_role("button", name="Delete label").click()
    await expect(chip_b).to_have_count(0)
    await expect(drawer.locator(".label-toggle")).to_have_count(0)
    card = await setup.call("GET", f"/cards/{card_id}")
    assert card["labels"] == []
    assert await setup.call("GET", "/labels") == []


async def test_relations_are_added_shown_from_both_sides_and_removed(
    person: Person, live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "Parent <epic>", "Child task", "Other")
    parent, child = setup.cards["Parent <epic>"], setup.cards["Child task"]
    a = await open_board(person, setup, setup.ann)

    await card_el(a, "Parent <epic>").click()
    drawer = a.locator("dialog.drawer")
    relations = drawer.locator(".relations")
    await expect(relations).to_contain_text("No linked cards.")
    await drawer.get_by_label("Relation", exact=True).select_option(label="Parent of")
    await drawer.get_by_label("Find a card").fill("child")
    # The filter narrows the list to the one match, this card is never offered.
    await expect(drawer.get_by_label("Card", exact=True).locator("option")).to_have_count(1)
    await drawer.get_by_role("button", name="Add relation").click()
    await expect(relations.locator("li.relation")).to_have_count(1)
    assert await relations.locator("li").first.evaluate("el => el.textContent") == (
        "Parent of Child task✕"
    )
    rels = await setup.call("GET", f"/cards/{parent['id']}/relations")
    assert [(r["type"], r["targetCardId"]) for r in rels] == [("parent_of", child["id"])]

    # The same link twice: the server's message, shown in the drawer. The refusals here
    # (a link twice, a cycle) are the 409s the browser logs.
    person.allow(r"409 .*/relations\b", r"status of 409 .*/relations\)")
    await drawer.get_by_role("button", name="Add relation").click()
    await expect(drawer.locator(".relation-form [role=alert]")).to_have_text(
        "These cards are already linked this way"
    )

    # The other side reads "Child of", and a cycle is refused with the server's words.
    await relations.get_by_role("button", name="Child task", exact=True).click()
    await expect(drawer.get_by_label("Title")).to_have_value("Child task")
    await expect(relations.locator("li.relation")).to_have_count(1)
    await expect(relations.locator("li").first).to_contain_text("Child of")
    await expect(relations.locator("li").first).to_contain_text("Parent <epic>")
    await drawer.get_by_label("Relation", exact=True).select_option(label="Parent of")
    await drawer.get_by_label("Card", exact=True).select_option(label="Parent <epic> — To Do")
    await drawer.get_by_role("button", name="Add relation").click()
    await expect(drawer.locator(".relation-form [role=alert]")).to_have_text(
        "That link would make a card its own ancestor"
    )
    rels = await setup.call("GET", f"/cards/{child['id']}/relations")
    assert [r["type"] for r in rels] == ["child_of"]

    # Removed from this side: gone for both.
    await relations.get_by_role("button", name="Remove relation: Child of Parent <epic>").click()
    await expect(relations).to_contain_text("No linked cards.")
    assert await setup.call("GET", f"/cards/{parent['id']}/relations") == []


async def test_move_up_and_down_and_alt_arrows_reorder_a_column(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "One", "Two", "Three")
    ann, bob = two_people
    a = await open_board(ann, setup, setup.ann)
    b = await open_board(bob, setup, setup.bob)

    await card_el(a, "Three").click()
    drawer = a.locator("dialog.drawer")
    await expect(drawer.locator(".place-text")).to_have_text("Place 3 of 3")
    await expect(drawer.get_by_role("button", name="Move down")).to_have_attribute(
        "aria-disabled", "true"
    )
    await drawer.get_by_role("button", name="Move up").click()
    await expect(column_titles(b, setup, 0)).to_have_text(["One", "Three", "Two"])
    await expect(drawer.locator(".place-text")).to_have_text("Place 2 of 3")
    await drawer.get_by_role("button", name="Move up").click()
    await expect(column_titles(b, setup, 0)).to_have_text(["Three", "One", "Two"])
    await expect(drawer.get_by_role("button", name="Move up")).to_have_attribute(
        "aria-disabled", "true"
    )
    assert await setup.rest_titles(0) == ["Three", "One", "Two"]
    # A save after the moves is not a conflict: the drawer kept up with the version.
    await drawer.get_by_label("Title").fill("Three!")
    save = drawer.get_by_role("button", name="Save", exact=True)
    await save.click()
    await expect(column_titles(b, setup, 0)).to_have_text(["Three!", "One", "Two"])
    # The other screen can show the change before this one has its ack; until then the
    # drawer rightly holds an unsaved edit.
    await expect(save).not_to_have_attribute("aria-busy", "true")
    await a.keyboard.press("Escape")
    await expect(drawer).to_be_hidden()
    # Focus goes back to the card that opened the drawer.
    await expect(card_el(a, "Three!")).to_be_focused()

    # Alt+ArrowDown on a focused card, twice; focus stays on it.
    one = card_el(a, "One")
    await one.focus()
    await a.keyboard.press("Alt+ArrowDown")
    await expect(column_titles(b, setup, 0)).to_have_text(["Three!", "Two", "One"])
    await expect(one).to_be_focused()
    await a.keyboard.press("Alt+ArrowUp")
    await a.keyboard.press("Alt+ArrowUp")
    await expect(column_titles(a, setup, 0)).to_have_text(["One", "Three!", "Two"])
    await expect(column_titles(b, setup, 0)).to_have_text(["One", "Three!", "Two"])
    assert await setup.rest_titles(0) == ["One", "Three!", "Two"]


async def test_focus_placed_as_the_drawer_closes_stays_where_it_was_put(
    person: Person, live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "One", "Two")
    a = await open_board(person, setup, setup.ann)
    await card_el(a, "One").click()
    drawer = a.locator("dialog.drawer")
    await expect(drawer).to_be_visible()
    # The dialog's close event comes a task after it shut; a card focused in between
    # (a click, a Tab) keeps the focus instead of losing it to the card that opened it.
    await a.evaluate(
        """() => {
            document.querySelector("dialog.drawer").close();
            [...document.querySelectorAll(".bcard")]
              .find((el) => el.textContent.includes("Two")).focus();
        }"""
    )
    await expect(drawer).to_be_hidden()
    await a.evaluate("() => new Promise((done) => setTimeout(done, 50))")
    await expect(card_el(a, "Two")).to_be_focused()
    # Closed the usual way, the drawer gives focus back to its opener.
    await card_el(a, "Two").click()
    await expect(drawer).to_be_visible()
    await a.keyboard.press("Escape")
    await expect(card_el(a, "Two")).to_be_focused()


async def test_columns_are_renamed_and_deleted_through_dialogs(
    person: Person, live_server: LiveServer
) -> None:
    setup = await make_setup(live_server)
    a = await open_board(person, setup, setup.ann)
    await a.get_by_role("button", name="Rename column Doing").click()
    dialog = a.get_by_role("dialog", name="Rename the column")
    await expect(dialog.get_by_label("Column name")).to_have_value("Doing")
    await dialog.get_by_label("Column name").fill("Nope")
    await a.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)
    await expect(a.locator(".column-name").nth(1)).to_have_text("Doing")

    await a.get_by_role("button", name="Rename column Doing").click()
    await dialog.get_by_label("Column name").fill("In <progress>")
    await dialog.get_by_role("button", name="Rename").click()
    await expect(a.locator(".column-name").nth(1)).to_have_text("In <progress>")
    columns = await setup.call("GET", "/columns")
    assert [c["name"] for c in columns] == ["To Do", "In <progress>", "Done"]

    await a.get_by_role("button", name="Delete column Done").click()
    confirm = a.get_by_role("dialog", name="Delete the column “Done”?")
    await confirm.get_by_role("button", name="Delete column").click()
    await expect(a.locator(".column")).to_have_count(2)
    columns = await setup.call("GET", "/columns")
    assert [c["name"] for c in columns] == ["To Do", "In <progress>"]


async def test_closing_with_unsaved_edits_asks_first(
    person: Person, live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "Draft")
    a = await open_board(person, setup, setup.ann)
    await card_el(a, "Draft").click()
    drawer = a.locator("dialog.drawer")
    await drawer.get_by_label("Description").fill("Half a thought")
    await a.keyboard.press("Escape")
    question = drawer.get_by_role("group", name="You have unsaved changes. Discard them?")
    await expect(question).to_be_visible()
    await expect(drawer).to_be_visible()
    await question.get_by_role("button", name="Keep editing").click()
    await expect(question).to_be_hidden()
    await expect(drawer.get_by_label("Description")).to_have_value("Half a thought")

    await drawer.get_by_role("button", name="Close").click()
    await question.get_by_role("button", name="Discard changes").click()
    await expect(drawer).to_be_hidden()
    card = await setup.call("GET", f"/cards/{setup.cards['Draft']['id']}")
    assert card["description"] == ""


async def test_the_board_fits_a_phone(person: Person, live_server: LiveServer) -> None:
    setup = await make_setup(live_server, "A card with a fairly long title to wrap", "Short")
    await setup.card(1, "Doing this")
    await person.page.set_viewport_size({"width": 375, "height": 740})
    a = await open_board(person, setup, setup.ann)
    await expect(column_titles(a, setup, 0)).to_have_count(2)
    await shot(a, "board-phone")
    # The page itself never scrolls sideways; the columns do, inside their scroller.
    assert await a.evaluate("document.documentElement.scrollWidth") <= 375
    scroller = a.locator(".board-scroller")
    assert await scroller.evaluate("el => el.scrollWidth > el.clientWidth")

    # The drawer fills the phone's width without spilling over it.
    await card_el(a, "Short").click()
    drawer = a.locator("dialog.drawer")
    await expect(drawer).to_be_visible()
    await drawer.get_by_text("Manage labels").click()
    await a.screenshot(path=ARTIFACTS / "board-phone-drawer.png")
    assert await drawer.evaluate("el => el.scrollWidth <= el.clientWidth")
