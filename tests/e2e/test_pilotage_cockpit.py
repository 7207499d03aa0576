"""The pilotage cockpit in a real browser: an approved action applied from the cockpit
moves the card on a board open elsewhere, and what one cockpit adds or withdraws shows on
another."""

from __future__ import annotations

from playwright.async_api import Page, expect

from services.pilotage import actions
from tests.card_details import make_card
from tests.e2e.conftest import Person, shot
from tests.factories import Board, add_member, create_board, create_user, user_actor
from tests.realtime.clients import LiveServer


def cockpit_url(board: Board) -> str:
    return f"/b/{board.org.slug}/{board.workspace.slug}/pilotage"


async def open_cockpit(person: Person, board: Board, user: object) -> Page:
    await person.sign_in(user)  # type: ignore[arg-type]
    await person.goto(cockpit_url(board))
    page = person.page
    await expect(page.locator("h1")).to_have_text(f"Pilotage · {board.workspace.name}")
    await expect(page.locator(".pilotage .presence-item")).not_to_have_count(0)
    return page


async def test_an_approved_move_applied_from_the_cockpit_moves_the_card_on_an_open_board(
    people: object, live_server: LiveServer
) -> None:
    ann = await create_user(name="Ann Archer")
    board = await create_board(ann)
    card = await make_card(board, "Stripe webhooks")
    where = {"org_slug": board.org.slug, "ws_slug": board.workspace.slug}
    proposed = await actions.propose_action(
        actor=user_actor(ann),
        **where,
        action_type_name="move_card",
        explanation="All subtasks complete, move to Done",
        payload={"cardId": str(card.id), "targetColumn": "Done"},
    )
    await actions.review_action(
        actor=user_actor(ann), **where, action_id=proposed["id"], approved=True
    )
    board_person, cockpit_person = await people(), await people()  # type: ignore[operator]
    await board_person.sign_in(ann)
    await board_person.goto(f"/b/{board.org.slug}/{board.workspace.slug}/{board.project.id}")
    screen = board_person.page
    done = screen.locator(f'.card-list[data-column-id="{board.columns[2].id}"] .card-title')
    first = screen.locator(f'.card-list[data-column-id="{board.columns[0].id}"] .card-title')
    await expect(first).to_have_text(["Stripe webhooks"])
    await expect(done).to_have_count(0)
    cockpit = await open_cockpit(cockpit_person, board, ann)
    row = cockpit.locator(f'.pilotage-actions li[data-id="{proposed["id"]}"]')
    await expect(row.locator(".action-status")).to_have_text("approved")
    await row.get_by_role("button", name="Apply").click()
    await expect(row.locator(".action-status")).to_have_text("applied")
    await expect(done).to_have_text(["Stripe webhooks"])
    await expect(first).to_have_count(0)
    # Its history: who proposed, approved and applied it.
    await row.get_by_role("button", name="History").click()
    await expect(row.locator(".pilotage-trail strong")).to_have_text(
        ["proposed", "approved", "applied"]
    )
    await shot(cockpit, "pilotage-cockpit")


async def test_what_one_cockpit_adds_shows_on_another(
    people: object, live_server: LiveServer
) -> None:
    ann = await create_user(name="Ann Archer")
    vic = await create_user(name="Vic Viewer")
    board = await create_board(ann)
    await add_member(board, vic, project_role=None)
    owner_person, viewer_person = await people(), await people()  # type: ignore[operator]
    mine = await open_cockpit(owner_person, board, ann)
    theirs = await open_cockpit(viewer_person, board, vic)
    await expect(theirs.locator(".pilotage-who")).to_have_text("Your pilotage role: viewer")
    # A viewer reads only: no forms, no buttons.
    await expect(theirs.get_by_role("form", name="New mission")).to_have_count(0)
    await mine.get_by_label("New mission objective").fill("Ship billing")
    await mine.get_by_role("form", name="New mission").get_by_role("button", name="Add").click()
    await expect(theirs.locator('ul[aria-label="Missions"] strong')).to_have_text(["Ship billing"])
    await mine.get_by_label("Mission status").select_option("in_progress")
    await expect(theirs.locator('ul[aria-label="Missions"] .pilotage-status')).to_have_text(
        "in progress"
    )
    await mine.get_by_role("textbox", name="New todo").fill("Write the Stripe tests")
    await mine.get_by_role("form", name="New todo").get_by_role("button", name="Add").click()
    await expect(theirs.locator('ul[aria-label="Todos"] strong')).to_have_text(
        ["Write the Stripe tests"]
    )
    await mine.get_by_role("button", name="Delete Write the Stripe tests").click()
    await expect(theirs.locator('ul[aria-label="Todos"] li')).to_have_text(["Nothing yet."])


async def test_a_proposal_withdrawn_in_one_cockpit_leaves_the_other(
    people: object, live_server: LiveServer
) -> None:
    ann = await create_user(name="Ann Archer")
    vic = await create_user(name="Vic Viewer")
    board = await create_board(ann)
    await add_member(board, vic, project_role=None)
    card = await make_card(board, "Stripe webhooks")
    proposed = await actions.propose_action(
        actor=user_actor(ann),
        org_slug=board.org.slug,
        ws_slug=board.workspace.slug,
        action_type_name="move_card",
        explanation="Move it to Done",
        payload={"cardId": str(card.id), "targetColumn": "Done"},
    )
    owner_person, viewer_person = await people(), await people()  # type: ignore[operator]
    mine = await open_cockpit(owner_person, board, ann)
    theirs = await open_cockpit(viewer_person, board, vic)
    row = f'.pilotage-actions li[data-id="{proposed["id"]}"]'
    await expect(theirs.locator(row)).to_have_count(1)
    # A viewer neither reviews nor withdraws.
    await expect(theirs.locator(row).get_by_role("button", name="Withdraw")).to_have_count(0)
    mine.once("dialog", lambda dialog: dialog.accept())
    await mine.locator(row).get_by_role("button", name="Withdraw").click()
    await expect(mine.locator(row)).to_have_count(0)
    await expect(theirs.locator(row)).to_have_count(0)
