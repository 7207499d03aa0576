"""The assistant's tools over MCP with the official client: an agent drafts stories and
adds two of them, reads the current story's criteria and estimate; someone outside the
session and a token without poker:read are refused, and values stay hidden."""

from __future__ import annotations

from tests.factories import create_user
from tests.realtime.clients import LiveServer
from tests.realtime.test_mcp import agent, call, pat, refused

POKER = ["poker:read", "poker:write"]


async def test_an_agent_drafts_adds_and_reads_suggestions(live_server: LiveServer) -> None:
    owner, stranger = await create_user(name="Mod"), await create_user(name="Sam")
    async with agent(live_server, await pat(owner, ["mcp", *POKER], "Planner")) as mod:
        made = await call(
            mod,
            "create_session",
            name="Sprint 9",
            stories=[
                {
                    "title": "Password reset",
                    "description": "As a user, I want a reset "
                    "link so that I can sign in again. The link expires after an hour.",
                }
            ],
        )
        code = made["session"]["code"]
        drafts = await call(mod, "draft_stories", code=code, goal="Search and filter products")
        stories = [d["story"] for d in drafts["suggestion"]["drafts"]]
        assert [s["title"] for s in stories] == ["Search products", "Filter products"]
        await call(mod, "add_stories", code=code, stories=stories)

        criteria = await call(mod, "generate_acceptance_criteria", code=code)
        assert criteria["story"]["title"] == "Password reset"
        assert criteria["suggestion"]["acceptance_criteria"] == (
            "- Given I am a user, when I ask for a reset link, then the link expires after an hour"
        )
        await call(mod, "cast_vote", code=code, value="13")
        advice = await call(mod, "suggest_estimate", code=code)
        assert advice["suggestion"]["votes_considered"] is False
        assert advice["suggestion"]["likely"] is None
        report = await call(mod, "estimation_report", code=code)
        assert report["suggestion"]["provider"] == "builtin"

    async with agent(live_server, await pat(stranger, ["mcp", *POKER], "Other")) as other:
        assert (await refused(other, "summarize_session", code=code))["code"] == "forbidden"
    async with agent(live_server, await pat(owner, ["mcp", "poker:write"], "Writer")) as w:
        error = await refused(w, "analyze_current_story", code=code)
        assert error["code"] == "forbidden" and "poker:read" in error["message"]
    async with agent(live_server, await pat(owner, ["mcp", *POKER], "Planner")) as mod:
        error = await refused(mod, "draft_stories", code=code)
        assert error["code"] == "invalid"
