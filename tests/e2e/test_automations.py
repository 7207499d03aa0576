"""Automations in a real browser: a project admin makes a rule from the board's header,
"when a card is moved to Done, add the label shipped and a comment"; a card dragged to
Done gets both, live on every screen, and the rule's trace shows in its traces list."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.conftest import Person, shot
from tests.e2e.test_board import card_el, column_titles, drag, make_setup, open_board
from tests.realtime.clients import LiveServer


async def test_a_rule_fires_when_a_card_is_dragged_to_done(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "Release notes", "Fix login")
    await setup.call("POST", "/labels", {"name": "shipped", "color": "#15803d"})
    ann, bob = two_people
    a = await open_board(ann, setup, setup.ann)
    b = await open_board(bob, setup, setup.bob)

    # From the board's header to the project's rules.
    await a.get_by_role("link", name="Automations").click()
    await expect(a).to_have_url(re.compile(r"/automations$"))
    await expect(a.get_by_role("heading", level=1)).to_contain_text("Automations")
    await expect(a.locator("#rule-list")).to_contain_text("No rules yet")
    await a.get_by_role("button", name="New rule").click()
    editor = a.locator("#rule-editor")
    await editor.get_by_label("Name").fill("Ship done cards")
    await editor.get_by_label("Trigger").select_option("task_moved")
    await editor.locator("#trigger-to").select_option(label="Done")
    actions = editor.locator("#rule-actions li")
    await actions.nth(0).get_by_label("Action", exact=True).select_option("add_label")
    await actions.nth(0).locator("select").nth(1).select_option(label="shipped")
    await editor.get_by_role("button", name="+ Add action").click()
    await actions.nth(1).get_by_label("Comment").fill("Shipped by the rule")
    await editor.get_by_role("button", name="Save rule").click()
    item = a.locator("#rule-list li", has_text="Ship done cards")
    await expect(item).to_contain_text("A card is moved to Done")
    await expect(item).to_contain_text("Add label, Add comment")
    await shot(a, "automations-rule")

    # Back on the board, Bob drags a card to Done: the rule's label and comment appear
    # on both screens.
    await a.get_by_role("link", name="← Board").click()
    await expect(a.locator(".column")).to_have_count(len(setup.board.columns))
    await drag(b, card_el(b, "Release notes"), b.locator(".card-list").nth(2))
    await expect(column_titles(b, setup, 2)).to_have_text(["Release notes"])
    for page in (a, b):
        card = card_el(page, "Release notes")
        await expect(card.locator(".label-chip")).to_have_text(["shipped"])
    await shot(b, "automations-board")
    cards = await setup.call("GET", "/cards")
    shipped = next(c for c in cards if c["title"] == "Release notes")
    assert [lb["name"] for lb in shipped["labels"]] == ["shipped"]
    assert shipped["commentCount"] == 1
    comments = await setup.call("GET", f"/cards/{shipped['id']}/comments")
    assert [(c["content"], c["authorName"]) for c in comments] == [
        ("Shipped by the rule", "Rule: Ship done cards")
    ]

    # The trace, in the rule's traces list.
    await a.get_by_role("link", name="Automations").click()
    item = a.locator("#rule-list li", has_text="Ship done cards")
    await item.get_by_role("button", name="Traces").click()
    traces = a.locator("#trace-list")
    row = traces.locator("tbody tr")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("success")
    await expect(row).to_contain_text("Release notes")
    await expect(row).to_contain_text("Bob Baker")
    await expect(row).to_contain_text("label added")
    await shot(a, "automations-traces")

    # Turned off, the rule leaves the next card alone.
    await item.get_by_label("Enabled: Ship done cards").uncheck()
    await expect(item).to_contain_text("off")
    await drag(b, card_el(b, "Fix login"), b.locator(".card-list").nth(2))
    await expect(column_titles(b, setup, 2)).to_have_count(2)
    await b.wait_for_timeout(1000)
    await expect(card_el(b, "Fix login").locator(".label-chip")).to_have_count(0)
    await expect(row).to_have_count(1)


async def test_nested_conditions_as_json_and_a_members_read_only_view(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "Fix login")
    ann, bob = two_people
    ann.allow(r"400 POST .*/automations", r"status of 400")
    await ann.sign_in(setup.ann)
    a = ann.page
    await ann.goto(setup.url + "/automations")
    await a.get_by_role("button", name="New rule").click()
    editor = a.locator("#rule-editor")
    await editor.get_by_label("Name").fill("Triage urgent work")
    await editor.get_by_label("Trigger").select_option("task_created")
    await editor.get_by_role("button", name="Edit the conditions as JSON (nested groups)").click()
    box = editor.get_by_label("Conditions as JSON")
    # A field the language does not have: the server's message says which.
    await box.fill('{"any": [{"field": "colour", "op": "eq", "value": "red"}]}')
    await editor.get_by_label("Comment").fill("Look at this first")
    await editor.get_by_role("button", name="Save rule").click()
    await expect(a.locator(".toast-error")).to_contain_text("unknown field 'colour'")
    await a.locator(".toast-error").get_by_role("button", name="Dismiss").click()
    nested = (
        '{"any": [{"field": "title", "op": "contains", "value": "urgent"},'
        ' {"all": [{"field": "priority", "op": "eq", "value": "high"},'
        ' {"not": {"field": "assignee", "op": "is_set"}}]}]}'
    )
    await box.fill(nested)
    await editor.get_by_role("button", name="Save rule").click()
    item = a.locator("#rule-list li", has_text="Triage urgent work")
    await expect(item).to_contain_text("if its conditions hold")
    rules = await setup.call("GET", "/automations")
    assert rules[0]["conditions"]["any"][1]["all"][1] == {
        "not": {"field": "assignee", "op": "is_set"}
    }

    # The rule acts on a new card whose title says urgent; not on another.
    await setup.card(0, "Urgent: payments down")
    await setup.card(0, "Tidy the backlog")
    await item.get_by_role("button", name="Traces").click()
    rows = a.locator("#trace-list tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.filter(has_text="Urgent: payments down")).to_contain_text("success")
    await expect(rows.filter(has_text="Tidy the backlog")).to_contain_text(
        "its conditions are not met"
    )

    # Bob, a plain member, reads the rules and their traces but changes nothing.
    await bob.sign_in(setup.bob)
    b = bob.page
    await bob.goto(setup.url + "/automations")
    bob_item = b.locator("#rule-list li", has_text="Triage urgent work")
    await expect(bob_item).to_be_visible()
    await expect(b.get_by_role("button", name="New rule")).to_be_hidden()
    await expect(bob_item.get_by_role("button", name="Edit")).to_have_count(0)
    await expect(bob_item.get_by_label("Enabled: Triage urgent work")).to_be_disabled()
    await bob_item.get_by_role("button", name="Traces").click()
    await expect(b.locator("#trace-list tbody tr")).to_have_count(2)
