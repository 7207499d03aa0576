"""The schema run of test_schema_fuzz.py over the automation operations alone: every
boundary of the conditions language, the triggers and the actions, and generated
rules, must be answered as the schema says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.test_schema_fuzz import BASE_URL, _fuzz, _seed

P = "/api/orgs/{org_slug}/workspaces/{ws_slug}/projects/{project_id}/automations"
OPERATIONS = {
    f"POST {P}",
    f"GET {P}",
    f"GET {P}/{{rule_id}}",
    f"PATCH {P}/{{rule_id}}",
    f"DELETE {P}/{{rule_id}}",
    f"PATCH {P}/{{rule_id}}/toggle",
    f"GET {P}/{{rule_id}}/traces",
}


@pytest.fixture
async def raw_client(app: Any, db: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
        yield c


async def test_automation_operations_hold_to_their_schema(
    raw_client: httpx.AsyncClient, store: Path
) -> None:
    seed = await _seed(raw_client)
    report = await _fuzz(raw_client, seed, only=OPERATIONS)
    assert set(report.operations) == OPERATIONS
    assert not report.failures, "\n\n".join(report.failures)
    assert report.succeeded == OPERATIONS
