"""The board's views in a real browser: List, Calendar, Roadmap and Stats follow the same
live cards as the Kanban view; scopes and filters narrow them and live in the URL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import Locator, Page, expect

from models import User
from tests.e2e.conftest import Person, shot
from tests.e2e.test_board import Setup, card_el, column_titles, drag, make_setup, open_board


async def open_view(person: Person, setup: Setup, query: str, user: User | None = None) -> Page:
    """Open the board at `setup.url + query` as `user` (Ann by default), once live."""
    await person.sign_in(user or setup.ann)
    await person.goto(setup.url + query)
    page = person.page
    await expect(page.locator(".presence-item")).not_to_have_count(0)
    return page


def bar(page: Page) -> Locator:
    """The filter bar."""
    return page.get_by_role("search", name="Filter cards")


def menu(page: Page, key: str) -> Locator:
    """One filter's menu of checkboxes: label, assignee, priority or due."""
    return bar(page).locator(f'[data-filter="{key}"]')


def ticked(page: Page, key: str, value: str) -> Locator:
    """The checkbox of one value in a filter's menu, open or closed."""
    return menu(page, key).locator(f'input[value="{value}"]')


async def toggle(page: Page, key: str, option: str) -> None:
    """Open a filter's menu, tick or untick one of its values, and close it."""
    found = menu(page, key)
    await found.locator("summary").click()
    await found.get_by_role("checkbox", name=option, exact=True).click()
    await found.locator("summary").click()
    await expect(found.locator("fieldset")).to_be_hidden()


def list_rows(page: Page) -> Locator:
    return page.locator(".board-list tbody tr")


def row(page: Page, title: str) -> Locator:
    return page.locator(
        ".board-list tbody tr", has=page.get_by_role("button", name=title, exact=True)
    )


async def label(setup: Setup, name: str, color: str, *cards: str) -> dict[str, Any]:
    created: dict[str, Any] = await setup.call("POST", "/labels", {"name": name, "color": color})
    for title in cards:
        await setup.call("POST", f"/cards/{setup.cards[title]['id']}/labels/{created['id']}")
    return created


async def test_a_card_moved_on_the_kanban_moves_in_the_list_on_another_screen(
    two_people: tuple[Person, Person], live_server: Any
) -> None:
    setup = await make_setup(live_server, "Alpha", "Bravo", "Charlie")
    await setup.card(1, "Delta")
    ann, bob = two_people
    a = await open_board(ann, setup, setup.ann)
    b = await open_view(bob, setup, "?view=list", setup.bob)
    await expect(b.get_by_role("button", name="List", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(list_rows(b)).to_have_count(4)
    await expect(row(b, "Charlie").locator(".list-column")).to_have_text("To Do")

    await drag(a, card_el(a, "Charlie"), card_el(a, "Delta"))
    await expect(column_titles(a, setup, 1)).to_have_text(["Charlie", "Delta"])
    await expect(row(b, "Charlie").locator(".list-column")).to_have_text("Doing")
    assert await setup.rest_titles(1) == ["Charlie", "Delta"]

    # Sorted by title, then the other way; the sort is in the URL.
    await b.get_by_role("button", name="Title, sort ascending").click()
    titles = b.locator(".board-list tbody .list-open")
    await expect(titles).to_have_text(["Alpha", "Bravo", "Charlie", "Delta"])
    await b.get_by_role("button", name="Title, sort descending").click()
    await expect(titles).to_have_text(["Delta", "Charlie", "Bravo", "Alpha"])
    assert "sort=title" in b.url and "dir=desc" in b.url
    await expect(b.locator("th[aria-sort='descending']")).to_have_text("Title ▼")

    # A card created on the Kanban screen appears in the list; opening it shows the drawer.
    await a.get_by_label("New card title in Done").fill("Echo")
    await a.get_by_role("button", name="Add card to Done").click()
    await expect(row(b, "Echo").locator(".list-column")).to_have_text("Done")
    await b.get_by_role("button", name="Echo", exact=True).click()
    await expect(b.locator("dialog.drawer")).to_be_visible()
    await shot(b, "board-list-view")
    # Closed, the drawer gives focus back to the card's button (drawn again meanwhile).
    await b.keyboard.press("Escape")
    await expect(b.locator("dialog.drawer")).to_be_hidden()
    await expect(b.get_by_role("button", name="Echo", exact=True)).to_be_focused()


async def test_a_card_dropped_on_a_filtered_kanban_lands_below_the_card_above_it(
    person: Person, live_server: Any
) -> None:
    setup = await make_setup(live_server, "Alpha", "Bravo", "Charlie")
    await setup.card(1, "Delta")
    bug = await label(setup, "bug", "#dc2626", "Alpha", "Charlie", "Delta")
    page = await open_view(person, setup, f"?label={bug['id']}")
    await expect(column_titles(page, setup, 0)).to_have_text(["Alpha", "Charlie"])
    await expect(page.locator(".column-count").first).to_have_text("2 of 3")

    # Bravo is hidden between Alpha and Charlie: the drop names only the card above.
    await drag(page, card_el(page, "Delta"), card_el(page, "Charlie"))
    await expect(column_titles(page, setup, 0)).to_have_text(["Alpha", "Delta", "Charlie"])
    assert await setup.rest_titles(0) == ["Alpha", "Delta", "Bravo", "Charlie"]


async def test_filters_in_the_url_survive_a_reload_and_filter_the_list(
    person: Person, live_server: Any
) -> None:
    setup = await make_setup(live_server)
    soon = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    late = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    far = (datetime.now(UTC) + timedelta(days=40)).date().isoformat()
    bob = str(setup.bob.id)
    await setup.card(0, "Login page", priority="high", assigneeId=bob, dueDate=soon)
    await setup.card(0, "Logout button", priority="high", dueDate=late)
    await setup.card(
        1,
        "Signup form",
        priority="low",
        assigneeId=bob,
        dueDate=far,
        description="Also the login link",
    )
    await setup.card(2, "Billing", priority="high")
    bug = await label(setup, "bug", "#dc2626", "Login page", "Billing")

    page = await open_view(person, setup, f"?view=list&priority=high&label={bug['id']}")
    await expect(list_rows(page)).to_have_count(2)
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page", "Billing"])
    await expect(ticked(page, "priority", "high")).to_be_checked()
    await expect(ticked(page, "label", bug["id"])).to_be_checked()
    await expect(menu(page, "label").locator("summary")).to_have_text("Label: bug")
    await expect(page.locator(".filter-count")).to_have_text("2 of 4 cards shown")

    await page.reload()
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page", "Billing"])

    # Clear, then narrow with the controls: each is a step the back button undoes.
    await page.get_by_role("button", name="Clear filters").click()
    await expect(list_rows(page)).to_have_count(4)
    await toggle(page, "assignee", "Bob Baker")
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page", "Signup form"])
    assert f"assignee={bob}" in page.url
    await toggle(page, "due", "Due in the next 7 days")
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page"])
    await page.go_back()
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page", "Signup form"])
    await expect(ticked(page, "due", "soon")).not_to_be_checked()
    await toggle(page, "due", "Overdue")
    await toggle(page, "assignee", "Bob Baker")
    await expect(page.locator(".board-list .list-open")).to_have_text(["Logout button"])

    # Search reads titles and descriptions, and stays in the URL through a reload.
    await toggle(page, "due", "Overdue")
    await bar(page).get_by_label("Search", exact=True).fill("login")
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page", "Signup form"])
    await expect(page).to_have_url(re.compile(r"[?&]q=login"))
    await page.reload()
    await expect(bar(page).get_by_label("Search", exact=True)).to_have_value("login")
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page", "Signup form"])

    # The same filters hold on the Kanban view.
    await page.get_by_role("button", name="Kanban").click()
    await expect(page.locator(".bcard .card-title")).to_have_text(["Login page", "Signup form"])
    await expect(page).to_have_url(re.compile(r"^[^#]*/[0-9a-f-]{36}\?q=login$"))
    # Back: the List again, then the board before the search (one entry for the search).
    await page.go_back()
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page", "Signup form"])
    await page.go_back()
    await expect(list_rows(page)).to_have_count(4)
    await expect(bar(page).get_by_label("Search", exact=True)).to_have_value("")


async def test_the_calendar_shows_a_card_on_its_due_date(person: Person, live_server: Any) -> None:
    setup = await make_setup(live_server)
    await setup.card(0, "Release notes", dueDate="2027-02-10")
    await setup.card(1, "Launch party", dueDate="2027-03-01")
    await setup.card(0, "Someday")
    page = await open_view(person, setup, "?view=calendar&month=2027-02")
    await expect(page.locator("#calendar-title")).to_have_text("February 2027")
    day = page.locator('.cal-day[data-day="2027-02-10"]')
    await expect(day.get_by_role("button", name="Release notes")).to_be_visible()
    await expect(page.locator(".cal-day .view-card")).to_have_count(1)
    await expect(page.locator(".calendar-undated")).to_contain_text("Someday")

    await page.get_by_role("button", name="Next month").click()
    await expect(page.locator("#calendar-title")).to_have_text("March 2027")
    assert "month=2027-03" in page.url
    await expect(page.locator('.cal-day[data-day="2027-03-01"]')).to_contain_text("Launch party")

    # Live: a due date changed elsewhere moves the card on the grid.
    await setup.call(
        "PATCH", f"/cards/{setup.cards['Launch party']['id']}", {"dueDate": "2027-03-20"}
    )
    await expect(page.locator('.cal-day[data-day="2027-03-20"]')).to_contain_text("Launch party")
    await expect(page.locator('.cal-day[data-day="2027-03-01"] .view-card')).to_have_count(0)
    await page.go_back()
    await expect(page.locator("#calendar-title")).to_have_text("February 2027")
    await shot(page, "board-calendar-view")


async def test_a_card_dragged_to_another_day_is_due_then_on_every_screen(
    two_people: tuple[Person, Person], live_server: Any
) -> None:
    setup = await make_setup(live_server)
    await setup.card(0, "Release notes", dueDate="2027-02-10")
    await setup.card(1, "Someday")
    ann, bob = two_people
    a = await open_view(ann, setup, "?view=calendar&month=2027-02")
    b = await open_view(bob, setup, "?view=calendar&month=2027-02", setup.bob)
    # Bob's arrival draws Ann's view again; the drag starts after it.
    await expect(a.locator(".presence-item")).to_have_count(2)
    notes = a.locator('.cal-day[data-day="2027-02-10"] li', has_text="Release notes")
    await expect(notes).to_be_visible()

    # Onto an empty day: due that day, here, on the other screen and over REST; the
    # click that ends the drag opens nothing.
    await drag(a, notes, a.locator('.cal-day[data-day="2027-02-17"] .cal-cards'))
    for page in (a, b):
        moved = page.locator('.cal-day[data-day="2027-02-17"]')
        await expect(moved.get_by_role("button", name="Release notes")).to_be_visible()
        await expect(page.locator('.cal-day[data-day="2027-02-10"] .view-card')).to_have_count(0)
    await expect(a.locator("dialog.drawer")).to_be_hidden()
    card = await setup.call("GET", f"/cards/{setup.cards['Release notes']['id']}")
    assert card["dueDate"].startswith("2027-02-17")
    assert card["version"] == setup.cards["Release notes"]["version"] + 1

    # Among the undated: no due date any more; and an undated card dropped on a day.
    await drag(
        b,
        b.locator(".cal-day li", has_text="Release notes"),
        b.locator(".calendar-undated .cal-cards"),
    )
    await expect(a.locator(".calendar-undated")).to_contain_text("Release notes")
    await expect(a.locator(".cal-day .view-card")).to_have_count(0)
    card = await setup.call("GET", f"/cards/{setup.cards['Release notes']['id']}")
    assert card["dueDate"] is None
    await drag(
        a,
        a.locator(".calendar-undated li", has_text="Someday"),
        a.locator('.cal-day[data-day="2027-02-03"] .cal-cards'),
    )
    await expect(b.locator('.cal-day[data-day="2027-02-03"]')).to_contain_text("Someday")
    card = await setup.call("GET", f"/cards/{setup.cards['Someday']['id']}")
    assert card["dueDate"].startswith("2027-02-03")


async def test_the_roadmap_draws_bars_grouped_by_column_or_assignee(
    person: Person, live_server: Any
) -> None:
    setup = await make_setup(live_server)
    await setup.card(
        0, "Design", startDate="2027-01-04", dueDate="2027-01-20", assigneeId=str(setup.bob.id)
    )
    await setup.card(1, "Build", startDate="2027-01-18", dueDate="2027-02-12")
    await setup.card(0, "Unplanned")
    page = await open_view(person, setup, "?view=roadmap")
    await expect(page.locator(".roadmap-group-name")).to_have_text(["To Do (1)", "Doing (1)"])
    await expect(page.locator(".roadmap-bar")).to_have_count(2)
    await expect(
        page.get_by_role("button", name="Design, from Jan 4, 2027 to Jan 20, 2027")
    ).to_be_visible()
    await expect(page.locator(".roadmap-undated")).to_contain_text("Unplanned")
    await page.get_by_label("Group by").select_option("assignee")
    await expect(page.locator(".roadmap-group-name")).to_have_text(
        ["Bob Baker (1)", "Unassigned (1)"]
    )
    assert "group=assignee" in page.url
    await shot(page, "board-roadmap-view")


async def test_stats_draw_charts_and_their_tables_count_the_cards(
    person: Person, live_server: Any
) -> None:
    setup = await make_setup(live_server, "One", "Two", "Three")
    await setup.card(1, "Four", assigneeId=str(setup.bob.id))
    await setup.card(1, "Five", assigneeId=str(setup.bob.id))
    await label(setup, "bug", "#dc2626", "One", "Four")
    await label(setup, "ux", "#2563eb", "Four")
    # Finished before the page opens: its arrival comes from the board's log.
    await setup.call("PATCH", f"/cards/{setup.cards['Three']['id']}", {"columnId": setup.column(2)})

    page = await open_view(person, setup, "?view=stats")
    await expect(page.locator(".stats-grid canvas")).to_have_count(4)
    for canvas in await page.locator(".stats-grid canvas").all():
        box = await canvas.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50

    async def table(panel: str) -> list[list[str]]:
        figure = page.locator(f"#{panel}")
        details = figure.locator("details")
        if not await details.evaluate("el => el.open"):
            await figure.get_by_text("Show as a table").click()
        rows = figure.locator("tbody tr")
        return [
            [cell.strip() for cell in await r.locator("th, td").all_inner_texts()]
            for r in await rows.all()
        ]

    assert await table("stats-column") == [["To Do", "2"], ["Doing", "2"], ["Done", "1"]]
    assert await table("stats-label") == [["bug", "2"], ["ux", "1"], ["No label", "3"]]
    assert await table("stats-assignee") == [["Bob Baker", "2"], ["Unassigned", "3"]]
    cycle = await table("stats-cycle")
    assert [r[0] for r in cycle] == ["Three"]

    # Live: a card moved to Done elsewhere counts at once, in both tables.
    await setup.call("PATCH", f"/cards/{setup.cards['Five']['id']}", {"columnId": setup.column(2)})
    await expect(page.locator("#stats-column tbody tr").nth(2)).to_have_text("Done2")
    await expect(page.locator("#stats-cycle tbody tr")).to_have_count(2)

    # Filters narrow the charts too.
    await toggle(page, "assignee", "Bob Baker")
    await expect(page.locator("#stats-column tbody tr")).to_have_text(["To Do0", "Doing1", "Done1"])
    await shot(page, "board-stats-view")


async def test_a_filter_with_several_values_shows_the_cards_with_any_of_them(
    person: Person, live_server: Any
) -> None:
    setup = await make_setup(live_server)
    bob = str(setup.bob.id)
    await setup.card(0, "Login page", priority="high", assigneeId=bob)
    await setup.card(0, "Logout button", priority="low")
    await setup.card(1, "Signup form", priority="medium")
    await setup.card(2, "Billing")
    bug = await label(setup, "bug", "#dc2626", "Login page")
    ux = await label(setup, "ux", "#2563eb", "Signup form")
    await label(setup, "ops", "#16a34a", "Billing")

    # Two labels in the link: a card with either shows, and the menu names both.
    page = await open_view(person, setup, f"?view=list&label={bug['id']},{ux['id']}")
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page", "Signup form"])
    await expect(menu(page, "label").locator("summary")).to_have_text("Label: bug, ux")

    # Ticked one by one, each a step of its own; every filter must still pass.
    await page.get_by_role("button", name="Clear filters").click()
    await toggle(page, "priority", "High")
    await toggle(page, "priority", "No priority")
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page", "Billing"])
    assert "priority=high,none" in page.url
    await toggle(page, "assignee", "Unassigned")
    await expect(page.locator(".board-list .list-open")).to_have_text(["Billing"])
    await toggle(page, "assignee", "Bob Baker")
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page", "Billing"])
    await expect(page.locator(".filter-count")).to_have_text("2 of 4 cards shown")
    await page.go_back()
    await expect(page.locator(".board-list .list-open")).to_have_text(["Billing"])
    await expect(ticked(page, "assignee", bob)).not_to_be_checked()

    # A label deleted since the link was made is named as such, and matches nothing.
    await setup.call("DELETE", f"/labels/{ux['id']}")
    await page.goto(setup.url + f"?view=list&label={ux['id']},{bug['id']}")
    await expect(page.locator(".board-list .list-open")).to_have_text(["Login page"])
    await expect(menu(page, "label").locator("summary")).to_have_text(
        "Label: bug, (no longer exists)"
    )
    await menu(page, "label").locator("summary").click()
    await expect(menu(page, "label").get_by_role("checkbox", name="ops")).not_to_be_checked()
    await shot(page, "board-filter-menu")


async def test_picking_a_scope_narrows_the_cards(person: Person, live_server: Any) -> None:
    setup = await make_setup(live_server, "Board card")
    scope = await setup.call("POST", "/scopes", {"name": "Phase 2"})
    await setup.call("POST", "/columns", {"name": "Phase 2 backlog", "scopeId": scope["id"]})
    columns = await setup.call("GET", "/columns")
    scoped = next(c for c in columns if c["scopeId"] == scope["id"])
    await setup.call("POST", f"/columns/{scoped['id']}/cards", {"title": "Scoped card"})

    page = await open_view(person, setup, "")
    await expect(page.locator(".column")).to_have_count(4)
    await expect(page.locator(".bcard")).to_have_count(2)
    await page.get_by_label("Scope", exact=True).select_option(label="Phase 2")
    await expect(page.locator(".column")).to_have_count(1)
    await expect(page.locator(".bcard .card-title")).to_have_text(["Scoped card"])
    assert f"scope={scope['id']}" in page.url
    # A column added inside the scope belongs to it.
    await page.get_by_label("New column name").fill("Phase 2 review")
    await page.get_by_role("button", name="Add column").click()
    await expect(page.locator(".column")).to_have_count(2)
    added = next(c for c in await setup.call("GET", "/columns") if c["name"] == "Phase 2 review")
    assert added["scopeId"] == scope["id"]

    # A view chosen within a scope becomes the scope's view for whoever opens it next.
    async with page.expect_response(
        lambda r: r.url.endswith("/views") and r.request.method == "PATCH"
    ):
        await page.get_by_role("button", name="List").click()
    await expect(page.locator(".board-list .list-open")).to_have_text(["Scoped card"])
    views = await setup.call("GET", f"/scopes/{scope['id']}/views")
    assert views["activeView"] == "list"
    await page.reload()
    await expect(page.get_by_label("Scope", exact=True)).to_have_value(scope["id"])
    await expect(page.locator(".board-list .list-open")).to_have_text(["Scoped card"])

    # A scope created elsewhere joins the picker live.
    await setup.call("POST", "/scopes", {"name": "Phase 3"})
    await expect(page.get_by_label("Scope", exact=True).locator("option")).to_have_text(
        ["Whole board", "Phase 2", "Phase 3"]
    )
    await page.go_back()
    await expect(page.locator(".bcard")).to_have_count(1)
    await page.get_by_label("Scope", exact=True).select_option("")
    await expect(page.locator(".bcard")).to_have_count(2)

    # A link to the scope without a view opens it in the scope's view.
    await page.goto(f"{setup.url}?scope={scope['id']}")
    await expect(page.get_by_role("button", name="List")).to_have_attribute("aria-pressed", "true")
    await expect(page.locator(".board-list .list-open")).to_have_text(["Scoped card"])
    await expect(page).to_have_url(re.compile(r"view=list"))
