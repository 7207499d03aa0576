"""/api/openapi.json states what the server accepts and answers; the schemathesis run
(test_schema_fuzz) holds the server to it, these pin the pieces it is made of."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.factories import bearer, create_board, jwt_for, user_with_headers

CARD = "/api/orgs/{org_slug}/workspaces/{ws_slug}/projects/{project_id}/cards/{card_id}"


async def _doc(client: httpx.AsyncClient) -> dict[str, Any]:
    doc: dict[str, Any] = (await client.get("/api/openapi.json")).json()
    return doc


def _ref(schema: dict[str, Any]) -> str:
    return str(schema["$ref"]).rsplit("/", 1)[-1]


async def test_models_of_one_name_keep_their_own_schemas(client: httpx.AsyncClient) -> None:
    doc = await _doc(client)
    schemas = doc["components"]["schemas"]
    assert not [name for name in schemas if "__" in name]
    poker = doc["paths"]["/api/workspace"]["get"]["responses"]["200"]["content"]
    envelope = schemas[_ref(poker["application/json"]["schema"])]
    assert _ref(envelope["properties"]["workspace"]) == "PokerWorkspacePublic"
    assert "voting_system" in schemas["PokerWorkspacePublic"]["properties"]
    assert "slug" in schemas["WorkspacePublic"]["properties"]
    # A card's labels are as the card shows them: no projectId or createdAt.
    card = schemas["CardPublic"]["properties"]
    label = schemas[_ref(card["labels"]["items"])]
    assert set(label["required"]) == {"id", "name", "color"}
    item = schemas[_ref(card["checklist"]["items"])]
    assert {"_id", "id"} <= set(item["required"])


async def test_request_constraints_are_in_the_schema(client: httpx.AsyncClient) -> None:
    doc = await _doc(client)
    schemas = doc["components"]["schemas"]
    title = schemas["CardUpdate"]["properties"]["title"]
    # May be left out, never null; holds something besides whitespace, and no NUL.
    assert title["type"] == "string" and "anyOf" not in title
    assert re.search(title["pattern"], "  a ") and not re.search(title["pattern"], "   ")
    assert not re.search(title["pattern"], "a\x00b")
    assert schemas["OrgCreate"]["properties"]["slug"]["pattern"]
    assert schemas["UserRegister"]["properties"]["email"]["format"] == "email"
    params = {p["name"]: p for p in doc["paths"]["/api/sessions"]["get"]["parameters"]}
    per_page = params["per_page"]["schema"]
    assert (per_page["minimum"], per_page["maximum"]) == (1, 100)
    upload = doc["paths"][CARD + "/attachments"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["required"] == ["file"]
    # No body reads as {}: a body is required only where {} will not do.
    assert doc["paths"]["/api/auth/me"]["patch"]["requestBody"]["required"] is False
    assert doc["paths"]["/api/auth/login"]["post"]["requestBody"]["required"] is True
    template = schemas["ProjectCreate"]["properties"]["template"]
    assert set(template["enum"]) == {"kanban", "scrum", "bug-triage", None}


async def test_a_whole_number_with_a_fraction_is_an_integer(client: httpx.AsyncClient) -> None:
    board = await create_board()
    auth = {**bearer(jwt_for(board.owner)), "content-type": "application/json"}
    url = f"{board.base}/columns/{board.columns[0].id}"
    res = await client.patch(url, content=b'{"wipLimit": 3.0, "name": "To do 1.5"}', headers=auth)
    assert res.status_code == 200, res.text
    assert (res.json()["wipLimit"], res.json()["name"]) == (3, "To do 1.5")
    res = await client.patch(url, content=b'{"wipLimit": 3e0}', headers=auth)
    assert res.status_code == 200, res.text
    for refused in (b'{"wipLimit": 3.5}', b'{"wipLimit": "3"}', b'{"wipLimit": true}'):
        res = await client.patch(url, content=refused, headers=auth)
        assert res.status_code == 400, refused


async def test_an_address_at_a_test_domain_may_register(client: httpx.AsyncClient) -> None:
    res = await client.post(
        "/api/auth/register",
        json={"email": "Dev@Team.Test", "password": "correct horse battery", "name": "Dev"},
    )
    assert res.status_code == 201, res.text
    assert res.json()["user"]["email"] == "dev@team.test"
    res = await client.post("/api/auth/register", json={"email": "dev@", "password": "x" * 12})
    assert res.status_code == 400


async def test_dates_are_iso_strings_never_numbers(client: httpx.AsyncClient) -> None:
    board = await create_board()
    auth = bearer(jwt_for(board.owner))
    url = f"/api/orgs/{board.org.slug}/workspaces/{board.workspace.slug}/projects/import"
    body: dict[str, Any] = {"project": {"name": "Imported"}, "columns": [{"name": "To Do"}]}
    for when, status in ((0, 400), ("2026-04-01", 201), ("2026-04-01T12:00:00Z", 201)):
        card = {"title": "First task", "dueDate": when}
        res = await client.post(url, json=body | {"cards": [card]}, headers=auth)
        assert res.status_code == status, (when, res.text)
    doc = await _doc(client)
    due = doc["components"]["schemas"]["TransferCard"]["properties"]["dueDate"]
    assert {"format": "date"} in due["anyOf"][0]["anyOf"]


async def test_a_length_limit_holds_for_the_text_as_sent(client: httpx.AsyncClient) -> None:
    board = await create_board()
    auth = bearer(jwt_for(board.owner))
    url = f"{board.base}/columns/{board.columns[0].id}/cards"
    # 500 characters is the most a title may have, whitespace around it included; what
    # is kept is stripped.
    res = await client.post(url, json={"title": "\t" + "x" * 500}, headers=auth)
    assert res.status_code == 400, res.text
    assert "at most 500 characters" in res.json()["message"]
    res = await client.post(url, json={"title": "  " + "x" * 496 + "  "}, headers=auth)
    assert res.status_code == 201, res.text
    assert res.json()["title"] == "x" * 496
    res = await client.post(url, json={"title": "   "}, headers=auth)
    assert res.status_code == 400


async def test_a_day_in_a_query_is_written_as_a_date(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    for day in ("0", "1700000000", "2026-13-01", "tomorrow"):
        res = await client.get(f"/api/analytics?from={day}", headers=headers)
        assert res.status_code == 422, (day, res.text)
    res = await client.get("/api/analytics?from=2026-01-01&to=2026-12-31", headers=headers)
    assert res.status_code == 200, res.text
    assert res.json()["analytics"]["filters"]["from"] == "2026-01-01"
