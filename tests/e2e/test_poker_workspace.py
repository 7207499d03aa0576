"""Team settings in a real browser: an account changes its defaults, saves a room
template with stories, and starts rooms from it, on the settings page and the start page."""

from __future__ import annotations

import re

from playwright.async_api import expect

from models import PokerSession, RoomTemplate
from tests.e2e.conftest import Person, shot
from tests.e2e.test_poker import card, no_console_errors, watch_responses
from tests.factories import create_user


async def test_defaults_and_a_template_start_a_room_with_its_stories(person: Person) -> None:
    failed = watch_responses(person)
    owner = await create_user(name="Tess Teamlead")
    await person.sign_in(owner)
    page = person.page
    await person.goto("/")
    await page.locator("#account").get_by_role("link", name="Team settings").click()
    await expect(page).to_have_url(re.compile(r"/workspace$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Team settings")

    # The defaults: a T-shirt deck, auto-reveal and a 90 s timer.
    defaults = page.locator("#defaults-form")
    await expect(defaults.get_by_role("radio", name=re.compile("^Fibonacci"))).to_be_checked()
    await expect(defaults.get_by_label("Timer length (seconds)")).to_have_value("60")
    await defaults.get_by_role("radio", name=re.compile("^T-shirt")).check()
    await defaults.get_by_label("Reveal automatically").check()
    await defaults.get_by_label("Timer length (seconds)").fill("90")
    await defaults.get_by_role("button", name="Save defaults").click()
    await expect(page.locator(".toast")).to_contain_text("Defaults saved")

    # They are kept: a fresh load shows them, and a new template starts from them.
    await page.reload()
    defaults = page.locator("#defaults-form")
    await expect(defaults.get_by_role("radio", name=re.compile("^T-shirt"))).to_be_checked()
    await expect(defaults.get_by_label("Timer length (seconds)")).to_have_value("90")
    await expect(page.locator("#template-list")).to_contain_text("No templates yet")
    form = page.locator("#template-form")
    await expect(form.get_by_role("radio", name=re.compile("^T-shirt"))).to_be_checked()
    await expect(form.get_by_label("Timer length (seconds)")).to_have_value("90")

    await form.get_by_label("Template name").fill("Backlog refinement")
    await form.get_by_label(re.compile("^Room description")).fill("Every second Tuesday")
    await form.get_by_label("Show who voted what").uncheck()
    await form.get_by_label("Stories", exact=True).fill("Sign-in page\n\nPassword reset\n")
    await shot(page, "poker-workspace")
    await form.get_by_role("button", name="Save template").click()
    await expect(page.locator(".toast").last).to_contain_text(
        "Template “Backlog refinement” created"
    )
    item = page.locator("#template-list li", has_text="Backlog refinement")
    await expect(item).to_contain_text("T-shirt deck · 2 stories · 90 s timer")
    # The form is ready for the next one, from the defaults again.
    await expect(form.get_by_label("Template name")).to_have_value("")
    await expect(form.get_by_label("Show who voted what")).to_be_checked()

    # A second name that is taken is refused with the server's word for it.
    person.allow(r"409 POST .*/api/workspace/templates$", r"status of 409 .*/workspace/templates\)")
    await form.get_by_label("Template name").fill("Backlog refinement")
    await form.get_by_role("button", name="Save template").click()
    await expect(page.locator(".toast-error")).to_contain_text(
        "You already have a template with that name"
    )
    await page.locator(".toast-error").get_by_role("button", name="Dismiss").click()

    # Start a room from it: its name, deck, timer and stories, the first one current.
    await item.get_by_role("button", name="Start a room from Backlog refinement").click()
    await expect(page).to_have_url(re.compile(r"/r/[A-Z0-9]{6}$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Backlog refinement")
    await expect(page.locator("#now-title")).to_have_text("Sign-in page")
    await expect(card(page, "XL")).to_be_visible()
    await expect(card(page, "13")).to_have_count(0)
    await expect(page.locator("#timer-seconds")).to_have_value("90")
    await expect(page.locator(".room-side")).to_contain_text("Password reset")
    # Alone in the room with auto-reveal on, one vote reveals, without names.
    await card(page, "M").click()
    await expect(page.locator(".results h3", has_text="Votes")).to_have_text(
        "Votes (names not recorded)"
    )
    # The room's own timer length is one of its settings.
    await page.get_by_role("button", name="Settings", exact=True).click()
    settings = page.locator("#settings-panel")
    await expect(settings.get_by_label("Timer length (seconds)")).to_have_value("90")
    await settings.get_by_label("Timer length (seconds)").fill("120")
    await settings.get_by_role("button", name="Save settings").click()
    await expect(page.locator("#timer-seconds")).to_have_value("120")

    # The start page offers the template too, and presets the create form from the
    # defaults.
    await person.goto("/")
    create = page.locator("form", has=page.get_by_role("heading", name="Create a room"))
    await expect(create.get_by_role("radio", name=re.compile("^T-shirt"))).to_be_checked()
    await expect(create.get_by_label("Reveal automatically")).to_be_checked()
    picker = page.locator(
        "section", has=page.get_by_role("heading", name="New room from a template")
    )
    await expect(picker.get_by_label("Template")).to_have_value(
        str((await RoomTemplate.get(name="Backlog refinement")).id)
    )
    await picker.get_by_role("button", name="Start room").click()
    await expect(page).to_have_url(re.compile(r"/r/[A-Z0-9]{6}$"))
    await expect(page.locator("#now-title")).to_have_text("Sign-in page")

    rooms = await PokerSession.filter(owner_id=owner.id).order_by("created_at")
    assert [r.name for r in rooms] == ["Backlog refinement", "Backlog refinement"]
    assert [(r.voting_system, r.timer_seconds) for r in rooms] == [("tshirt", 120), ("tshirt", 90)]
    assert not [f for f in failed if "/workspace/templates" not in f or "409" not in f]
    no_console_errors(person)


async def test_a_template_is_edited_and_deleted(person: Person) -> None:
    failed = watch_responses(person)
    owner = await create_user(name="Tess Teamlead")
    await person.sign_in(owner)
    page = person.page
    await person.goto("/workspace")
    form = page.locator("#template-form")
    await form.get_by_label("Template name").fill("Retro sizing")
    await form.get_by_label("Stories", exact=True).fill("Flaky build")
    await form.get_by_role("button", name="Save template").click()
    item = page.locator("#template-list li", has_text="Retro sizing")
    await expect(item).to_contain_text("Fibonacci deck · 1 story · 60 s timer")

    await item.get_by_role("button", name="Edit Retro sizing").click()
    await expect(form.get_by_role("heading")).to_have_text("Edit template: Retro sizing")
    await expect(form.get_by_label("Template name")).to_be_focused()
    await expect(form.get_by_label("Stories", exact=True)).to_have_value("Flaky build")
    await form.get_by_label("Template name").fill("Retro estimates")
    await form.get_by_role("radio", name="Custom deck").check()
    await form.get_by_label("Custom cards").fill("small, medium, large")
    await form.get_by_label(re.compile("^Deck name")).fill("Effort")
    await form.get_by_label("Stories", exact=True).fill("Flaky build\nSlow tests")
    await form.get_by_role("button", name="Save changes").click()
    await expect(page.locator(".toast").last).to_contain_text("Template “Retro estimates” saved")
    item = page.locator("#template-list li", has_text="Retro estimates")
    await expect(item).to_contain_text("Effort deck · 2 stories · 60 s timer")
    await expect(form.get_by_role("heading")).to_have_text("New template")
    saved = await RoomTemplate.get(owner_id=owner.id)
    assert saved.deck == ["small", "medium", "large"]
    assert [s["title"] for s in saved.stories] == ["Flaky build", "Slow tests"]

    # Deleting asks once more, on the same button.
    delete = item.get_by_role("button", name="Delete Retro estimates")
    await delete.click()
    confirm = item.get_by_role("button", name="Really delete? Retro estimates")
    await expect(confirm).to_be_focused()
    await confirm.click()
    await expect(page.locator("#template-list")).to_contain_text("No templates yet")
    assert await RoomTemplate.filter(owner_id=owner.id).count() == 0
    assert not failed, failed
    no_console_errors(person)
