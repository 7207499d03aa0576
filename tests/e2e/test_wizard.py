"""The project wizard in a real browser, with the built-in rules: from the board
navigator, describe a project, answer the questions until the readiness meter says
ready, review the roadmap, create the project and land on its board."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.conftest import Person, shot
from tests.factories import create_board, create_user

DESCRIPTION = (
    "We want to help patients book appointments online so that the front desk spends "
    "less time on the phone.\n"
    "- Patients can see free slots\n"
    "- Patients can book and cancel an appointment\n"
    "- Staff can manage the calendar\n"
)

# A full answer per topic, as someone planning the clinic's project would give it.
ANSWERS = {
    "goal": "Patients book without calling, so the front desk has time for patients",
    "users": "Patients of the clinic and the three people at the front desk",
    "scope": "Free slots\nBooking and cancelling\nThe staff calendar",
    "success": "Phone calls to the front desk drop by 30% in a quarter",
    "deadline": "Live before the new clinic opens in March",
    "constraints": "Two developers, and patient data must stay in the EU",
    "risks": "The SMS provider may be too expensive for the clinic",
}


async def test_a_project_is_planned_step_by_step_and_opens_as_a_board(person: Person) -> None:
    ann = await create_user(name="Ann Archer")
    board = await create_board(ann)
    org, ws = board.org.slug, board.workspace.slug
    await person.sign_in(ann)
    await person.goto(f"/b?org={org}&ws={ws}")
    page = person.page
    await page.get_by_role("link", name="Plan a project with the wizard").click()
    await expect(page).to_have_url(re.compile(rf"/b/{org}/{ws}/wizard$"))
    await expect(page.locator("h1")).to_have_text("Project wizard")

    # Describe.
    await page.get_by_label("Name").fill("Clinic booking")
    await page.get_by_label("Description").fill(DESCRIPTION)
    await page.get_by_role("button", name="Start").click()
    await expect(page.locator("h1")).to_have_text("Project wizard: Clinic booking")
    await expect(page.locator(".wizard-steps [aria-current=step]")).to_have_text("Answer questions")
    generate = page.get_by_role("button", name="Generate the roadmap")
    await expect(generate).to_be_disabled()
    readiness = page.locator("label[for=readiness]")
    before = await readiness.text_content()

    # Answer: the meter rises, and the roadmap can be generated once it is ready.
    asked = page.locator(".wizard-questions textarea")
    await expect(asked).to_have_count(3)
    for i in range(3):
        topic = await asked.nth(i).get_attribute("data-topic")
        await asked.nth(i).fill(ANSWERS[str(topic)])
    await page.get_by_role("button", name="Send answers").click()
    await expect(readiness).not_to_have_text(before or "")
    await expect(generate).to_be_enabled()
    await shot(page, "wizard-questions")
    await generate.click()

    # Review the roadmap.
    await expect(page.get_by_role("heading", name="Review the roadmap")).to_be_visible()
    phases = page.locator(".wizard-phase h3")
    await expect(phases).to_have_text(["Discovery", "Build", "Launch"])
    await expect(page.locator(".wizard-phase", has_text="Build").locator("strong")).to_contain_text(
        ["Patients can see free slots", "Staff can manage the calendar"]
    )
    await shot(page, "wizard-roadmap")
    await page.get_by_role("button", name="Create the project").click()

    # The new board, with the phases as its columns.
    await expect(page).to_have_url(re.compile(rf"/b/{org}/{ws}/[0-9a-f-]{{36}}$"))
    await expect(page.locator(".column-name")).to_have_text(["Discovery", "Build", "Launch"])
    await expect(
        page.locator(".card-title", has_text="Staff can manage the calendar")
    ).to_be_visible()
    await shot(page, "wizard-board")
