"""The app in a real browser: the shell, signing in, and the reconnect banner."""

from __future__ import annotations

import uuid

from playwright.async_api import Page, expect

from tests.e2e.conftest import Person, shot
from tests.factories import create_user, jwt_for, poker_room
from tests.realtime.clients import LiveServer

# The poker views are arriving separately; until they do, the tests below check what the
# shell itself does.


async def test_the_app_shell_loads(person: Person) -> None:
    page = person.page
    await person.goto("/")

    await expect(page).to_have_title("Roundtable")
    await expect(page.locator(".topbar .brand")).to_have_text("Roundtable")
    # The router has replaced the placeholder with a view.
    await expect(page.locator("#main")).not_to_contain_text("Loading…")
    await expect(page.locator("#main")).not_to_contain_text("Something went wrong")
    await expect(page.locator("#account")).to_contain_text("Sign in")
    await expect(page.locator("#connection-banner")).to_be_hidden()
    await shot(page, "landing")


async def test_signin_renders_a_sign_in_form(person: Person) -> None:
    page = person.page
    await person.goto("/signin")

    form = page.locator("form", has=page.get_by_role("heading", name="Sign in"))
    await expect(form.get_by_label("Email")).to_be_visible()
    await expect(form.get_by_label("Password")).to_be_visible()
    await expect(form.get_by_role("button", name="Sign in")).to_be_enabled()


async def test_registering_through_the_form_shows_the_name_in_the_top_bar(
    person: Person,
) -> None:
    page = person.page
    await person.goto("/signin")
    register = page.locator("form", has=page.get_by_role("heading", name="Create an account"))
    await register.get_by_label("Name").fill("Robin Register")
    await register.get_by_label("Email").fill(f"robin-{uuid.uuid4().hex[:8]}@example.com")
    await register.get_by_label("Password").fill("correct-horse-battery")
    await register.get_by_role("button", name="Create account").click()

    await expect(page.locator("#account")).to_contain_text("Robin Register")
    await expect(page.locator("#account").get_by_role("button", name="Sign out")).to_be_visible()
    await expect(page).to_have_url(f"{person.live.url}/")


async def test_a_signed_in_person_keeps_their_session_across_loads(
    two_people: tuple[Person, Person],
) -> None:
    signed_in, other = two_people
    user = await create_user(name="Sam Session")
    await signed_in.sign_in(user)
    await signed_in.goto("/signin")
    await other.goto("/signin")

    await expect(signed_in.page.locator("#account")).to_contain_text("Sam Session")
    # Each person has their own localStorage.
    await expect(other.page.locator("#account")).to_contain_text("Sign in")


async def _open_live_room(person: Person, live: LiveServer) -> None:
    """Open a live poker room in `person`'s page and wait until it has its snapshot."""
    owner = await create_user(name="Olive Owner")
    _, _, session = await poker_room(owner, name="Banner check")
    code = session["code"]
    await person.track_sockets()
    await person.sign_in(owner, jwt_for(owner))
    await person.goto(f"/r/{code}")
    await person.wait_for_live_socket()


async def _banner_up(page: Page) -> None:
    banner = page.locator("#connection-banner")
    await expect(banner).to_be_visible(timeout=10_000)
    await expect(banner).to_contain_text("Reconnecting")


async def test_going_offline_in_a_live_room_shows_the_reconnect_banner(
    person: Person, live_server: LiveServer
) -> None:
    page = person.page
    banner = page.locator("#connection-banner")
    await _open_live_room(person, live_server)
    await expect(banner).to_be_hidden()

    await person.set_offline(True)
    await _banner_up(page)
    await shot(page, "reconnect-banner")

    await person.set_offline(False)
    await expect(banner).to_be_hidden(timeout=10_000)
