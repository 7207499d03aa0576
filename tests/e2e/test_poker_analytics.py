"""A session's analytics in a real browser: reached from the rooms list and the room, its
charts drawn, and its tables showing the same numbers, hidden votes still hidden."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

from models import User
from services.poker import rounds, stories, voting
from tests.e2e.conftest import Person, shot
from tests.factories import create_user, guest, poker_room


async def _played_session() -> tuple[User, str]:
    """Sprint 12: two stories revealed (one agreed, one not), one still being voted on."""
    owner = await create_user(name="Tess Teamlead")
    _, actor, session = await poker_room(owner, name="Sprint 12")
    code = session["code"]
    people = {name: (await guest(code, name))[0] for name in ("Alice", "Bob", "Cara")}
    played = [
        ("Login", {"Alice": "8", "Bob": "8", "Cara": "8"}, True),
        ("Checkout", {"Alice": "3", "Bob": "5", "Cara": "13"}, True),
        ("Search", {"Alice": "40"}, False),
    ]
    for title, votes, reveal in played:
        added = await stories.add_story(actor=actor, code=code, title=title)
        await stories.start_story(actor=actor, code=code, story_id=added["id"])
        for name, value in votes.items():
            await voting.cast_vote(actor=people[name], code=code, value=value)
        if reveal:
            await rounds.reveal(actor=actor, code=code)
    return owner, code


def row(page: Page, table: str, title: str) -> Locator:
    return page.locator(f"#{table} tbody tr", has_text=title)


async def wait_until_drawn(page: Page, canvas: str) -> None:
    """Wait until the chart has left pixels on its canvas."""
    await page.wait_for_function(
        """(id) => {
          const c = document.getElementById(id);
          if (!c || !c.width || !c.height) return false;
          const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          return px.some((v) => v !== 0);
        }""",
        arg=canvas,
    )


async def test_the_analytics_page_draws_charts_and_tables(person: Person) -> None:
    tess, code = await _played_session()
    await person.sign_in(tess)
    page = person.page
    await person.goto("/")
    await page.get_by_role("link", name=f"Analytics for room {code}").click()
    await expect(page).to_have_url(re.compile(f"/r/{code}/analytics$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Analytics: Sprint 12")

    summary = page.locator("#analytics-summary")
    await expect(summary).to_contain_text("2 of 3")
    # One of the two revealed stories was agreed by all.
    await expect(summary.locator(".stat", has_text="Consensus")).to_contain_text("50%")
    await expect(summary.locator(".stat", has_text="Average agreement")).to_contain_text("66%")

    for chart in ("distribution-chart", "trend-chart", "time-chart"):
        await expect(page.locator(f"#{chart}")).to_be_visible()
        await wait_until_drawn(page, chart)

    login = row(page, "stories-table", "Login")
    await expect(login.locator("td").nth(0)).to_have_text("8")
    await expect(login).to_contain_text("100%")
    checkout = row(page, "stories-table", "Checkout")
    cells = checkout.locator("td")
    # A three-way tie goes to the middle card; 13 is two cards past it.
    await expect(cells.nth(0)).to_have_text("5")
    await expect(cells.nth(1)).to_have_text("3")
    await expect(cells.nth(2)).to_have_text("3")
    await expect(cells.nth(3)).to_have_text("13")
    await expect(cells.nth(4)).to_have_text("4.32")
    await expect(cells.nth(5)).to_have_text("33%")
    await expect(cells.nth(9)).to_have_text("13 (Cara)")
    search = row(page, "stories-table", "Search")
    await expect(search.locator("td").nth(0)).to_have_text("not revealed")
    await expect(search).not_to_contain_text("40")

    await page.locator("#distribution-title + .chart-box + details summary").click()
    distribution = page.locator("#distribution-table tbody tr")
    await expect(distribution).to_have_text([re.compile(r"5\s*1"), re.compile(r"8\s*1")])
    participation = row(page, "participation-table", "Cara")
    await expect(participation).to_contain_text("2")
    await shot(page, "poker-analytics")
    # At phone width the page fits; only the wide table scrolls in its own box.
    await page.set_viewport_size({"width": 375, "height": 800})
    overflow = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    await shot(page, "poker-analytics-phone")
    await page.set_viewport_size({"width": 1280, "height": 720})

    # From the room and back.
    await page.get_by_role("link", name="Back to the room").click()
    await expect(page).to_have_url(re.compile(f"/r/{code}$"))
    await page.locator(".room-tools").get_by_role("link", name="Analytics").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Analytics: Sprint 12")
    await expect(row(page, "stories-table", "Login")).to_contain_text("100%")


async def test_a_guest_of_another_room_is_told_no(person: Person) -> None:
    _, code = await _played_session()
    _, other = await _played_session()
    _, _, token = await guest(other, "Visitor")
    page = person.page
    await person.goto("/api/health")
    await page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [f"roundtable.guest.{code}", f'{{"token": "{token}"}}'],
    )
    person.allow(rf"403 GET .*/api/sessions/{code}/analytics", "status of 403")
    await person.goto(f"/r/{code}/analytics")
    await expect(page.get_by_role("alert").first).to_contain_text("another session")
    await expect(page.locator("canvas")).to_have_count(0)
