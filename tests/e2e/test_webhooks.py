"""Webhooks in a real browser: an account registers one, sees its secret once, watches
a delivery reach a local receiver in the log, and sends it again."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.e2e.conftest import Person, shot
from tests.e2e.test_poker import no_console_errors, watch_responses
from tests.factories import bearer, create_user, jwt_for
from tests.webhook_receiver import receiver


async def test_a_webhook_is_created_delivers_and_redelivers(person: Person) -> None:
    failed = watch_responses(person)
    owner = await create_user(name="Wendy Webhook")
    await person.sign_in(owner)
    page = person.page
    await person.goto("/")
    await page.locator("#account").get_by_role("link", name="Webhooks").click()
    await expect(page).to_have_url(re.compile(r"/webhooks$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    await expect(page.locator("#webhook-list")).to_contain_text("No webhooks yet")

    async with receiver() as hooks:
        # The first try of each event fails, so the log shows a retry.
        hooks.fail_first = 1
        form = page.locator("#webhook-form")
        await form.get_by_label("Payload URL").fill(hooks.url)
        await form.get_by_label("Description (optional)").fill("Sprint bot")
        await form.get_by_label("Story revealed").uncheck()
        await form.get_by_label("Session created").check()
        await form.get_by_role("button", name="Create webhook").click()

        # The secret, once.
        secret_box = page.locator("#webhook-secret")
        await expect(secret_box).to_be_visible()
        await expect(secret_box).to_contain_text("shown only this once")
        secret = await page.locator("#webhook-secret-value").inner_text()
        assert secret.startswith("whsec_")
        hooks.secret = secret
        item = page.locator("#webhook-list li", has_text=hooks.url)
        await expect(item).to_contain_text("Session created")
        await expect(item).to_contain_text("Sprint bot")
        await secret_box.get_by_role("button", name="I have saved it").click()
        await expect(secret_box).to_be_hidden()
        await page.reload()
        await expect(page.locator("#webhook-list li", has_text=hooks.url)).to_be_visible()
        assert secret not in await page.content()

        # A session created elsewhere is delivered, after one failed try.
        async with httpx.AsyncClient(base_url=person.live.url) as api:
            res = await api.post(
                "/api/sessions", json={"name": "Sprint 7"}, headers=bearer(jwt_for(owner))
            )
            assert res.status_code == 201, res.text
        item = page.locator("#webhook-list li", has_text=hooks.url)
        await item.get_by_role("button", name=f"Deliveries of {hooks.url}").click()
        log = page.locator("#delivery-log")
        await expect(log.get_by_role("heading", level=2)).to_contain_text("Deliveries to")
        row = log.locator("tbody tr").first
        await expect(row).to_have_attribute("data-status", "succeeded", timeout=15_000)
        await expect(row).to_contain_text("Session created")
        await expect(row.locator("td").nth(2)).to_have_text("2")
        await expect(row).to_contain_text("200")
        assert len(hooks.accepted()) == 1
        await shot(page, "webhooks")

        # Sent again: a second row, and the receiver gets the same event once more.
        await row.get_by_role("button", name=re.compile("^Redeliver")).click()
        await expect(page.locator(".toast").last).to_contain_text("Sent again")
        await expect(log.locator("tbody tr")).to_have_count(2)
        await expect(log.locator("tbody tr").first).to_contain_text("redelivery")
        await expect(log.locator("tbody tr").first).to_have_attribute(
            "data-status", "succeeded", timeout=15_000
        )
        accepted = hooks.accepted()
        assert len(accepted) == 2 and accepted[0].event_id == accepted[1].event_id
        assert all(r.signed for r in hooks.seen)

        # A new secret, shown once; turning the webhook off and on.
        item = page.locator("#webhook-list li", has_text=hooks.url)
        await item.get_by_role("button", name="Rotate secret").click()
        await expect(secret_box).to_contain_text("New signing secret")
        rotated = await page.locator("#webhook-secret-value").inner_text()
        assert rotated.startswith("whsec_") and rotated != secret
        await secret_box.get_by_role("button", name="I have saved it").click()
        await item.get_by_role("button", name="Turn off").click()
        await expect(item.locator(".badge")).to_have_text("off")
        await item.get_by_role("button", name="Turn on").click()
        await expect(item.locator(".badge")).to_have_count(0)

    # At phone width the page, its header and the log fit without sideways scrolling.
    await page.set_viewport_size({"width": 375, "height": 800})
    overflow = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    await shot(page, "webhooks-phone")
    assert failed == []
    no_console_errors(person)
