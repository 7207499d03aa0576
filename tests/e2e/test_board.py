"""The kanban board in a real browser: two people on one board see each other's drags,
edits and presence, and a conflicting save asks which version to keep."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, Route, expect

from models import User
from tests.e2e.conftest import Person, shot
from tests.factories import Board, add_member, create_board, create_user, jwt_for
from tests.realtime.clients import LiveServer, rest


class Setup:
    """A board with two members, Ann (its owner) and Bob, and a few cards."""

    def __init__(self, live: LiveServer, board: Board, ann: User, bob: User) -> None:
        self.live = live
        self.board = board
        self.ann = ann
        self.bob = bob
        self.token = jwt_for(ann)
        self.path = board.base.removeprefix("/api")
        self.url = f"/b/{board.org.slug}/{board.workspace.slug}/{board.project.id}"
        self.cards: dict[str, dict[str, Any]] = {}

    def column(self, index: int) -> str:
        return str(self.board.columns[index].id)

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        return await rest(self.live, method, self.path + path, token=self.token, json=body)

    async def card(self, column: int, title: str, **fields: Any) -> dict[str, Any]:
        card: dict[str, Any] = await self.call(
            "POST", f"/columns/{self.column(column)}/cards", {"title": title, **fields}
        )
        self.cards[title] = card
        return card

    async def rest_titles(self, column: int) -> list[str]:
        cards = await self.call("GET", "/cards")
        return [c["title"] for c in cards if c["columnId"] == self.column(column)]


async def make_setup(live: LiveServer, *titles: str) -> Setup:
    ann = await create_user(name="Ann Archer")
    bob = await create_user(name="Bob Baker")
    board = await create_board(ann)
    await add_member(board, bob)
    setup = Setup(live, board, ann, bob)
    for title in titles:
        await setup.card(0, title)
    return setup


async def open_board(person: Person, setup: Setup, user: User) -> Page:
    await person.sign_in(user)
    await person.goto(setup.url)
    page = person.page
    await expect(page.locator(".column")).to_have_count(len(setup.board.columns))
    await expect(page.locator(".presence-item")).not_to_have_count(0)
    return page


def column_titles(page: Page, setup: Setup, column: int) -> Locator:
    return page.locator(f'.card-list[data-column-id="{setup.column(column)}"] .card-title')


def card_el(page: Page, title: str) -> Locator:
    return page.locator(".bcard", has=page.locator(".card-title", has_text=title))


async def drag(page: Page, source: Locator, target: Locator, *, below: bool = False) -> None:
    """Drag with real mouse moves, in small steps, as a person would."""
    for tries in range(3):
        try:
            await source.scroll_into_view_if_needed()
            break
        except PlaywrightError as err:
            # The view was drawn again (someone arrived, the labels came) between
            # finding the card and scrolling to it: find it again.
            if "not attached" not in str(err) or tries == 2:
                raise
    src = await source.bounding_box()
    dst = await target.bounding_box()
    assert src and dst
    x, y = src["x"] + src["width"] / 2, src["y"] + src["height"] / 2
    tx = dst["x"] + dst["width"] / 2
    ty = dst["y"] + (dst["height"] * (0.8 if below else 0.2))
    await page.mouse.move(x, y)
    await page.mouse.down()
    await page.mouse.move(x + 6, y + 6, steps=4)
    await page.mouse.move(tx, ty, steps=20)
    await page.mouse.move(tx, ty + (2 if below else -2), steps=4)
    await page.wait_for_timeout(200)
    await page.mouse.up()


async def test_a_dragged_card_lands_in_the_same_place_on_both_screens(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "Alpha", "Bravo", "Charlie")
    await setup.card(1, "Delta")
    await setup.card(1, "Echo")
    ann, bob = two_people
    a = await open_board(ann, setup, setup.ann)
    b = await open_board(bob, setup, setup.bob)
    await expect(column_titles(b, setup, 0)).to_have_text(["Alpha", "Bravo", "Charlie"])

    # Across columns: Charlie goes between Delta and Echo.
    await drag(a, card_el(a, "Charlie"), card_el(a, "Echo"))
    expected = ["Delta", "Charlie", "Echo"]
    await expect(column_titles(a, setup, 1)).to_have_text(expected)
    await expect(column_titles(b, setup, 1)).to_have_text(expected)
    await expect(column_titles(b, setup, 0)).to_have_text(["Alpha", "Bravo"])
    assert await setup.rest_titles(1) == expected
    assert await setup.rest_titles(0) == ["Alpha", "Bravo"]

    # Within a column, from the other screen: Alpha goes below Bravo.
    await drag(b, card_el(b, "Alpha"), card_el(b, "Bravo"), below=True)
    await expect(column_titles(b, setup, 0)).to_have_text(["Bravo", "Alpha"])
    await expect(column_titles(a, setup, 0)).to_have_text(["Bravo", "Alpha"])
    assert await setup.rest_titles(0) == ["Bravo", "Alpha"]

    # A column dragged by its header: Done goes first, on both screens.
    names = ["Done", "To Do", "Doing"]
    await drag(a, a.locator(".column-header").nth(2), a.locator(".column-header").nth(0))
    await expect(a.locator(".column-name")).to_have_text(names)
    await expect(b.locator(".column-name")).to_have_text(names)
    columns = await setup.call("GET", "/columns")
    assert [c["name"] for c in columns] == names


async def test_the_keyboard_opens_a_card_and_moves_it_to_another_column(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "Keyboard card")
    ann, bob = two_people
    a = await open_board(ann, setup, setup.ann)
    b = await open_board(bob, setup, setup.bob)

    await card_el(a, "Keyboard card").focus()
    await a.keyboard.press("Enter")
    drawer = a.locator("dialog.drawer")
    await expect(drawer).to_be_visible()
    await drawer.get_by_label("Move to column…").select_option(label="Done")
    await expect(column_titles(b, setup, 2)).to_have_text(["Keyboard card"])
    await a.keyboard.press("Escape")
    await expect(drawer).to_be_hidden()
    # Focus goes back to the card it came from.
    await expect(card_el(a, "Keyboard card")).to_be_focused()

    # The links around the board lead to its rules and its workspace's cockpit.
    links = a.get_by_role("navigation", name="Around this board")
    await links.get_by_role("link", name="Pilotage cockpit").click()
    await expect(a).to_have_url(re.compile(r"/b/[^/]+/[^/]+/pilotage$"))
    await a.go_back()
    await links.get_by_role("link", name="Agents").click()
    await expect(a).to_have_url(re.compile(r"/b/[^/]+/[^/]+/agents$"))
    await a.go_back()
    await links.get_by_role("link", name="Automations").click()
    await expect(a).to_have_url(re.compile(r"/automations$"))


async def test_an_edit_in_the_drawer_shows_live_on_the_other_screen(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "Write the docs", "Ship it")
    ann, bob = two_people
    a = await open_board(ann, setup, setup.ann)
    b = await open_board(bob, setup, setup.bob)

    await card_el(a, "Write the docs").click()
    drawer = a.locator("dialog.drawer")
    await expect(drawer).to_be_visible()
    # Bob sees who is looking at the card, then who is editing it.
    await expect(card_el(b, "Write the docs")).to_contain_text("Ann Archer is viewing")
    await drawer.get_by_label("Title").fill("Write the user guide")
    await expect(card_el(b, "Write the docs")).to_contain_text("Ann Archer is editing")
    await drawer.get_by_label("Description").fill("Every screen, with pictures.")
    await drawer.get_by_role("button", name="Save", exact=True).click()

    await expect(column_titles(b, setup, 0)).to_have_text(["Write the user guide", "Ship it"])
    card = await setup.call("GET", f"/cards/{setup.cards['Write the docs']['id']}")
    assert card["title"] == "Write the user guide"
    assert card["description"] == "Every screen, with pictures."

    await a.keyboard.press("Escape")
    await expect(drawer).to_be_hidden()
    await expect(b.locator(".card-focus")).to_have_count(0)


async def test_a_conflicting_save_asks_which_version_to_keep(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "Pricing page")
    ann, bob = two_people
    a = await open_board(ann, setup, setup.ann)
    b = await open_board(bob, setup, setup.bob)
    drawer_a = a.locator("dialog.drawer")
    drawer_b = b.locator("dialog.drawer")
    await card_el(a, "Pricing page").click()
    await card_el(b, "Pricing page").click()
    await expect(drawer_a).to_be_visible()
    await expect(drawer_b).to_be_visible()

    await drawer_a.get_by_label("Title").fill("Pricing page (Ann)")
    await drawer_a.get_by_role("button", name="Save", exact=True).click()
    await expect(column_titles(b, setup, 0)).to_have_text(["Pricing page (Ann)"])

    await drawer_b.get_by_label("Title").fill("Pricing page (Bob)")
    await drawer_b.get_by_label("Description").fill("Three tiers.")
    await drawer_b.get_by_role("button", name="Save", exact=True).click()

    conflict = b.get_by_role("dialog", name="This card changed while you were editing")
    await expect(conflict).to_be_visible()
    mine = conflict.get_by_role("region", name="Your version")
    theirs = conflict.get_by_role("region", name="Current version")
    await expect(mine).to_contain_text("Pricing page (Bob)")
    await expect(mine).to_contain_text("Three tiers.")
    await expect(theirs).to_contain_text("Pricing page (Ann)")
    await shot(b, "board-conflict")
    # Nothing was overwritten yet.
    card = await setup.call("GET", f"/cards/{setup.cards['Pricing page']['id']}")
    assert card["title"] == "Pricing page (Ann)"

    await conflict.get_by_role("button", name="Keep mine").click()
    await expect(conflict).to_be_hidden()
    await expect(column_titles(a, setup, 0)).to_have_text(["Pricing page (Bob)"])
    card = await setup.call("GET", f"/cards/{setup.cards['Pricing page']['id']}")
    assert card["title"] == "Pricing page (Bob)"
    assert card["description"] == "Three tiers."


async def test_use_theirs_loads_the_current_version_into_the_drawer(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server, "Logo")
    ann, bob = two_people
    a = await open_board(ann, setup, setup.ann)
    b = await open_board(bob, setup, setup.bob)
    await card_el(b, "Logo").click()
    drawer_b = b.locator("dialog.drawer")
    await expect(drawer_b).to_be_visible()
    await card_el(a, "Logo").click()
    drawer_a = a.locator("dialog.drawer")
    await drawer_a.get_by_label("Description").fill("Round, blue.")
    await drawer_a.get_by_role("button", name="Save", exact=True).click()
    await expect(drawer_b.locator(".drawer-stale")).to_contain_text("Ann Archer changed this card")

    await drawer_b.get_by_label("Description").fill("Square, red.")
    await drawer_b.get_by_role("button", name="Save", exact=True).click()
    conflict = b.get_by_role("dialog", name="This card changed while you were editing")
    await conflict.get_by_role("button", name="Use theirs").click()
    await expect(drawer_b.get_by_label("Description")).to_have_value("Round, blue.")
    card = await setup.call("GET", f"/cards/{setup.cards['Logo']['id']}")
    assert card["description"] == "Round, blue."


async def test_the_board_and_the_drawer_look_right(
    two_people: tuple[Person, Person], live_server: LiveServer
) -> None:
    setup = await make_setup(live_server)
    ann, bob = two_people
    soon = (date.today() + timedelta(days=5)).isoformat()
    late = (date.today() - timedelta(days=2)).isoformat()
    bug = await setup.call("POST", "/labels", {"name": "bug", "color": "#dc2626"})
    ux = await setup.call("POST", "/labels", {"name": "ux", "color": "#a5b4fc"})
    api = await setup.call("POST", "/labels", {"name": "api", "color": "#0f766e"})
    login = await setup.card(
        0,
        "Login fails on Safari",
        priority="high",
        dueDate=late,
        assigneeId=str(setup.bob.id),
        estimate="3",
    )
    await setup.card(0, "Polish the empty states", priority="low", estimate="2")
    await setup.card(0, "Rate-limit the public API", dueDate=soon)
    onboarding = await setup.card(
        1,
        "Onboarding checklist",
        priority="medium",
        assigneeId=str(setup.ann.id),
        dueDate=soon,
        estimate="5",
        checklist=[
            {"title": "Welcome email", "done": True},
            {"title": "Tour", "done": True},
            {"title": "Sample board", "done": False},
        ],
    )
    await setup.card(1, "Dark mode", description="Follow the system setting.")
    await setup.card(2, "Export to CSV", checklist=[{"title": "Columns", "done": True}])
    for label, card in ((bug, login), (ux, onboarding), (api, login)):
        await setup.call("POST", f"/cards/{card['id']}/labels/{label['id']}")
    await setup.call("POST", f"/cards/{onboarding['id']}/comments", {"content": "Tour first?"})
    await setup.call(
        "POST", f"/cards/{onboarding['id']}/comments", {"content": "Yes, then the email."}
    )
    await setup.call(
        "POST",
        f"/cards/{onboarding['id']}/relations",
        {"targetCardId": login["id"], "type": "blocked_by"},
    )

    a = await open_board(ann, setup, setup.ann)
    b = await open_board(bob, setup, setup.bob)
    await a.set_viewport_size({"width": 1280, "height": 760})
    await card_el(b, "Onboarding checklist").click()
    await expect(b.locator("dialog.drawer")).to_be_visible()
    await expect(card_el(a, "Onboarding checklist")).to_contain_text("Bob Baker is viewing")
    overdue = card_el(a, "Login fails on Safari").locator(".m-due.overdue")
    await expect(overdue).to_be_visible()
    await expect(card_el(a, "Onboarding checklist")).to_contain_text("2/3")
    await expect(a.locator(".presence-item")).to_have_count(2)
    await shot(a, "board")

    await card_el(a, "Onboarding checklist").click()
    drawer = a.locator("dialog.drawer")
    await expect(drawer).to_be_visible()
    await expect(drawer.locator(".comments .comment")).to_have_count(2)
    await expect(drawer.locator(".relations")).to_contain_text("Login fails on Safari")
    await expect(drawer).to_contain_text("Bob Baker is viewing")
    await shot(a, "board-drawer")

    # The checklist is live on the other screen's card face.
    await drawer.get_by_role("checkbox", name="Sample board").check()
    await expect(card_el(b, "Onboarding checklist")).to_contain_text("3/3")


async def test_the_navigator_lists_projects_and_creates_one(
    person: Person, live_server: LiveServer
) -> None:
    setup = await make_setup(live_server)
    page = person.page
    await person.sign_in(setup.ann)
    await person.goto("/b")
    await expect(page.get_by_role("link", name=setup.board.project.name)).to_be_visible()
    await shot(page, "board-navigator")
    await page.get_by_label("Name").fill("Relaunch")
    await page.get_by_role("button", name="Create project").click()
    await expect(page.locator(".board-title")).to_have_text("Relaunch")
    await expect(page.locator(".column")).not_to_have_count(0)


async def test_a_signed_out_visitor_is_sent_to_sign_in(person: Person) -> None:
    await person.goto("/b")
    await expect(person.page.get_by_role("link", name="Sign in").last).to_have_attribute(
        "href", "/signin?next=/b"
    )


async def test_a_card_clicked_as_soon_as_the_board_shows_opens(
    person: Person, live_server: LiveServer
) -> None:
    """A board just opened has had no drop, so its first click opens the card however soon
    it comes. A page's clock starts at 0, and the guard against the click that ends a drag
    took that for a drop made 250 ms earlier: a click in the first quarter second after
    loading, as a fast machine makes it, did nothing."""
    setup = await make_setup(live_server)
    await setup.card(0, "Quick look")
    # The page's clock stays in its first 100 ms, so every click comes "soon".
    await person.page.add_init_script(
        "{ const real = performance.now.bind(performance);"
        " performance.now = () => Math.min(real(), 100); }"
    )
    page = await open_board(person, setup, setup.ann)
    await card_el(page, "Quick look").click()
    drawer = page.locator("dialog.drawer")
    await expect(drawer).to_be_visible()
    await expect(drawer.get_by_label("Title")).to_have_value("Quick look")


async def test_back_before_the_next_page_has_come_shows_the_board(
    person: Person, live_server: LiveServer
) -> None:
    """Back, pressed while the next page's code is still on its way, shows the board: that
    page, arriving late, does not draw itself over it."""
    setup = await make_setup(live_server, "A card")
    page = await open_board(person, setup, setup.ann)
    held: asyncio.Future[Route] = asyncio.get_running_loop().create_future()

    async def hold(route: Route) -> None:
        held.set_result(route)

    await page.route("**/static/app/agents/agents.js", hold)
    links = page.get_by_role("navigation", name="Around this board")
    await links.get_by_role("link", name="Agents").click()
    route = await asyncio.wait_for(held, 10)
    await page.go_back()
    await expect(links.get_by_role("link", name="Automations")).to_be_visible()

    async with page.expect_response("**/static/app/agents/agents.js"):
        await route.continue_()
    # The module has run, and a turn of the page's loop has passed since.
    await page.evaluate(
        "async () => { await import('/static/app/agents/agents.js');"
        " await new Promise((r) => setTimeout(r, 100)); }"
    )
    await expect(page.locator(".agents-page")).to_have_count(0)
    await expect(links.get_by_role("link", name="Automations")).to_be_visible()
    await expect(card_el(page, "A card")).to_be_visible()
