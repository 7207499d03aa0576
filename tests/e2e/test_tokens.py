"""Access tokens in a real browser: the MCP access panel makes a token for an agent and
a client configuration that works as shown, a personal access token is listed, and a
revoked token no longer opens /mcp."""

from __future__ import annotations

import json
import re

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from playwright.async_api import expect

from tests.e2e.conftest import Person, shot
from tests.e2e.test_poker import no_console_errors, watch_responses
from tests.factories import create_user


async def test_mcp_access_makes_a_working_agent_token_that_can_be_revoked(person: Person) -> None:
    failed = watch_responses(person)
    owner = await create_user(name="Ada Agentic")
    await person.sign_in(owner)
    page = person.page
    await person.goto("/")
    await page.locator("#account").get_by_role("link", name="Tokens & MCP").click()
    await expect(page).to_have_url(re.compile(r"/tokens$"))
    await expect(page.locator("#token-list")).to_contain_text("No tokens yet")

    panel = page.locator("#mcp-form")
    await panel.get_by_label("Agent name").fill("Sprint assistant")
    await panel.get_by_label("Run planning sessions").check()
    await panel.get_by_role("button", name="Create MCP token").click()
    shown = page.locator("#token-shown")
    await expect(shown).to_contain_text("shown only this once")
    token = await page.locator("#token-value").inner_text()
    assert token.startswith("rtp_")
    config = json.loads(await shown.locator("pre.mcp-config").first.inner_text())
    server = config["mcpServers"]["roundtable"]
    assert server["url"] == f"{person.live.url}/mcp"
    assert server["headers"]["Authorization"] == f"Bearer {token}"
    row = page.locator("#token-list tr", has_text="Sprint assistant")
    await expect(row).to_contain_text("projects:read, pilotage:read, poker:read, poker:write, mcp")
    await shot(page, "tokens-mcp")

    # The configuration as shown, in the official client: the agent is in.
    headers = server["headers"]
    async with (
        httpx2.AsyncClient(headers=headers, timeout=10) as http,
        streamable_http_client(server["url"], http_client=http) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        await session.initialize()
        tools = {t.name for t in (await session.list_tools()).tools}
        assert "create_session" in tools
        made = await session.call_tool("create_session", {"name": "Made by the agent"})
        assert not made.is_error

    await shown.get_by_role("button", name="I have saved it").click()
    await expect(shown).to_be_hidden()
    await page.reload()
    assert token not in await page.content()

    # A plain token for a script, then the agent's token revoked.
    form = page.locator("#token-form")
    await form.get_by_label("Name").fill("CI script")
    await form.get_by_role("button", name="Create token").click()
    await expect(page.locator("#token-value")).to_be_visible()
    await expect(page.locator("#token-list tr", has_text="CI script")).to_be_visible()
    await page.get_by_role("button", name="Revoke Sprint assistant").click()
    await expect(page.locator("#token-list tr", has_text="Sprint assistant")).to_have_count(0)
    async with httpx2.AsyncClient(timeout=10) as http:
        res = await http.post(
            server["url"],
            headers={**headers, "Accept": "application/json, text/event-stream"},
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
        )
    assert res.status_code == 401

    await page.set_viewport_size({"width": 375, "height": 800})
    overflow = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert failed == []
    no_console_errors(person)
