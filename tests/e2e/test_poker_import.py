"""Imports and estimate sync in a real browser: a pasted sheet previewed with its bad rows
and imported into the room live, estimated, and its estimates downloaded; a sheet's
columns matched by hand; GitHub issues imported, estimated and synced back with each
story's status."""

from __future__ import annotations

import csv
import io
import re

from playwright.async_api import Page, expect

from tests.e2e.conftest import Person, shot
from tests.e2e.test_poker import (
    card,
    create_room,
    join_as_guest,
    no_console_errors,
    watch_responses,
)
from tests.provider_fakes import GITHUB_TOKEN, fake_github

SHEET = """Issue key,Summary,Description,Story Points
SHOP-1,Sign-in page,Email and password,3
SHOP-2,,No title on this row,
SHOP-3,Password reset,Send a reset link,
"""


async def estimate_current(page: Page, value: str) -> None:
    """Vote `value` as the only voter and reveal."""
    await card(page, value).click()
    await page.get_by_role("button", name=re.compile("^Reveal votes")).click()
    await expect(page.locator(".story-now .badge")).to_have_text("Revealed")


async def test_a_pasted_sheet_is_previewed_imported_estimated_and_downloaded(
    two_people: tuple[Person, Person],
) -> None:
    moderator, guest = two_people
    failed = watch_responses(moderator, guest)
    code = await create_room(moderator, "Sprint 12 refinement")
    await join_as_guest(guest, code)
    mod, gst = moderator.page, guest.page
    # Guests never see the import.
    await expect(gst.get_by_role("button", name="Import & sync")).to_have_count(0)

    toggle = mod.get_by_role("button", name="Import & sync")
    await toggle.click()
    panel = mod.locator("#integrations-panel")
    await expect(panel.get_by_label("Import from")).to_be_focused()
    await expect(panel.locator("#sync-table")).to_have_count(0)
    await panel.get_by_label("…or paste the sheet").fill(SHEET)
    await panel.get_by_role("button", name="Preview").click()
    await expect(panel.locator(".import-summary")).to_have_text(
        "2 stories to import, 1 row with errors"
    )
    stories = panel.locator("#import-stories tbody tr")
    await expect(stories).to_have_count(2)
    await expect(stories.nth(0)).to_contain_text("SHOP-1")
    await expect(stories.nth(0)).to_contain_text("Sign-in page")
    await expect(stories.nth(1)).to_contain_text("Password reset")
    await expect(panel.locator("#import-errors tbody tr")).to_have_text(["3the title is empty"])
    await shot(mod, "poker-import-preview")
    await panel.get_by_role("button", name="Import 2 stories").click()
    await expect(mod.locator(".toast").last).to_contain_text("Imported 2 stories")

    # The stories arrive in both rooms, live; the first is up for estimation.
    for page in (mod, gst):
        await expect(page.locator("#now-title")).to_have_text("Sign-in page")
        await expect(page.locator("#queue-title .count")).to_have_text("2")
    # Previewing the same sheet again knows the stories are here.
    await panel.get_by_role("button", name="Preview").click()
    await expect(panel.locator(".import-summary")).to_have_text(
        "0 stories to import, 2 already in this room, 1 row with errors"
    )
    await expect(panel.get_by_role("button", name="Nothing new to import")).to_be_disabled()

    await card(gst, "5").click()
    await estimate_current(mod, "5")
    await expect(gst.locator(".story-now .badge")).to_have_text("Revealed")

    # The estimates of a sheet come back as a CSV download.
    await panel.get_by_label("Send revealed estimates to").select_option("csv")
    async with mod.expect_download() as waiting:
        await panel.get_by_role("button", name="Sync estimates").click()
    download = await waiting.value
    assert download.suggested_filename == f"{code}-estimates.csv"
    path = await download.path()
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0] == ["Key", "Title", "Estimate", "Status", "Link"]
    assert rows[1][:3] == ["SHOP-1", "Sign-in page", "5"]
    assert rows[2][:3] == ["SHOP-3", "Password reset", ""]
    no_console_errors(moderator, guest)
    assert not failed, failed


async def test_github_issues_are_imported_estimated_and_synced_with_each_status(
    person: Person,
) -> None:
    failed = watch_responses(person)
    async with fake_github() as gh:
        gh.add(1, "Cart", body="Add items to the cart", labels=("sprint",))
        gh.add(2, "Checkout", labels=("sprint",))
        gh.add(3, "Wishlist", labels=("later",))
        await create_room(person, "Sprint 12")
        page = person.page
        await page.get_by_role("button", name="Import & sync").click()
        panel = page.locator("#integrations-panel")
        await panel.get_by_label("Import from").select_option("github")
        await expect(panel.get_by_label("…or paste the sheet")).to_be_hidden()
        await panel.get_by_label("Repository").fill(gh.repository)
        await panel.get_by_label("Token", exact=True).fill(GITHUB_TOKEN)
        await panel.get_by_label("Labels").fill("sprint")
        await panel.get_by_label("API address").fill(gh.url)
        await panel.get_by_role("button", name="Preview").click()
        await expect(panel.locator("#import-stories tbody tr")).to_have_count(2)
        await expect(panel.locator("#import-stories")).to_contain_text("#2")
        await expect(panel.locator("#import-stories")).not_to_contain_text("Wishlist")
        await panel.get_by_role("button", name="Import 2 stories").click()
        await expect(page.locator("#now-title")).to_have_text("Cart")
        await estimate_current(page, "8")
        await (
            page.locator(".story-list li", has_text="Checkout")
            .get_by_role("button", name=re.compile("^Start"))
            .click()
        )
        await expect(page.locator("#now-title")).to_have_text("Checkout")
        await estimate_current(page, "13")

        # The token typed for the import is offered for the sync.
        await expect(panel.locator("#sync-token")).to_have_value(GITHUB_TOKEN)
        await panel.get_by_role("button", name="Sync estimates").click()
        table = panel.locator("#sync-table")
        await expect(table.locator("tbody tr")).to_have_count(2)
        await expect(table.locator(".sync-done .sync-status")).to_have_count(2)
        await expect(table.locator("tbody tr").nth(0)).to_contain_text("#1")
        await expect(table.locator("tbody tr").nth(0)).to_contain_text("8")
        await expect(table.locator("tbody tr").nth(0)).to_contain_text("Done")
        await shot(page, "poker-estimate-sync")
        assert gh.labels_of(1) == ["sprint", "estimate: 8"]
        assert gh.labels_of(2) == ["sprint", "estimate: 13"]

        # Sync again as a comment, with GitHub refusing: the failure shows its message.
        gh.fail_writes = [(403, {"message": "Resource not accessible by integration"})] * 2
        await panel.get_by_label("Send the estimate").select_option("comment")
        await panel.get_by_role("button", name="Sync estimates").click()
        await expect(table.locator(".sync-failed")).to_have_count(2)
        await expect(table.locator(".sync-failed").first).to_contain_text(
            "403 Resource not accessible by integration"
        )
        # Reloaded later, the room shows the same statuses.
        await page.reload()
        await page.get_by_role("button", name="Import & sync").click()
        await expect(page.locator("#sync-table .sync-failed")).to_have_count(2)
    no_console_errors(person)
    assert not failed, failed


async def test_an_uploaded_excel_unicode_file_and_a_workbook(person: Person) -> None:
    failed = watch_responses(person)
    await create_room(person, "Sprint 13")
    page = person.page
    await page.get_by_role("button", name="Import & sync").click()
    panel = page.locator("#integrations-panel")
    # Excel's "Unicode text": UTF-16 with a BOM, tab-separated.
    sheet = "Summary\tStory Points\nÉtape café\t8\nCheckout\t\n".encode("utf-16")
    await panel.get_by_label("CSV file").set_input_files(
        files=[{"name": "sprint.txt", "mimeType": "text/plain", "buffer": sheet}]
    )
    await panel.get_by_role("button", name="Preview").click()
    await expect(panel.locator("#import-stories tbody tr")).to_have_count(2)
    await expect(panel.locator("#import-stories tbody tr").first).to_contain_text("Étape café")
    await panel.get_by_role("button", name="Import 2 stories").click()
    await expect(page.locator("#now-title")).to_have_text("Étape café")
    # A workbook is refused with what to do instead.
    person.allow(r"422.*/api/integrations/import-preview")
    await panel.get_by_label("CSV file").set_input_files(
        files=[{"name": "sprint.csv", "mimeType": "text/csv", "buffer": b"PK\x03\x04" + bytes(64)}]
    )
    await panel.get_by_role("button", name="Preview").click()
    await expect(page.locator(".toast-error")).to_contain_text("save it as CSV UTF-8")
    assert failed and all("import-preview" in f and f.startswith("422") for f in failed), failed


async def test_columns_matched_by_hand_change_the_preview(person: Person) -> None:
    """The sheet's "Name" is who filed the story, not its title, and its estimate column
    has a name nothing recognises: both are matched by hand after the first preview."""
    failed = watch_responses(person)
    await create_room(person, "Sprint 14")
    page = person.page
    await page.get_by_role("button", name="Import & sync").click()
    panel = page.locator("#integrations-panel")
    sheet = "Ticket,Name,Headline,Effort\nT-1,Alice,Sign-in page,3\nT-2,Bob,Checkout,5\n"
    await panel.get_by_label("…or paste the sheet").fill(sheet)
    await panel.get_by_role("button", name="Preview").click()
    rows = panel.locator("#import-stories tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("Alice")
    title = panel.get_by_label("Title column")
    await expect(title).to_have_value("Name")
    await expect(panel.get_by_label("Key column")).to_have_value("Ticket")
    await expect(panel.get_by_label("Estimate column")).to_have_value("")
    await title.select_option("Headline")
    await expect(rows.first).to_contain_text("Sign-in page")
    await panel.get_by_label("Estimate column").select_option("Effort")
    await expect(rows.first.locator("td").nth(3)).to_have_text("3")
    await expect(panel.get_by_label("Title column")).to_have_value("Headline")
    await panel.get_by_role("button", name="Import 2 stories").click()
    await expect(page.locator("#now-title")).to_have_text("Sign-in page")
    assert not failed, failed
