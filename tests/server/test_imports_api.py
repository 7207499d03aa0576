"""Imports over REST: the providers, the preview (a dry run) of a CSV file, a Jira export,
a Jira search and a GitHub repository's issues, and the confirmed import into a session."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from models import ApiToken, Story, StoryLink, User
from services.poker.imports import http as provider_http
from services.security import PAT_PREFIX, new_token, sha256
from tests.conftest import TEST_SECRET
from tests.factories import bearer, guest, user_with_headers
from tests.provider_fakes import GITHUB_TOKEN, JIRA_EMAIL, JIRA_TOKEN, fake_github, fake_jira

Headers = dict[str, Any]
PREVIEW = "/api/integrations/import-preview"
SHEET = (
    "Issue key,Summary,Description,Acceptance Criteria,Story Points\n"
    "SHOP-1,Sign-in page,Email and password,- Errors are shown,3\n"
    'SHOP-2,Password reset,"Send a link,\nvalid for an hour",,5.0\n'
    "SHOP-3,,No title here,,\n"
    "SHOP-1,Sign-in again,Same key twice,,\n"
)


@pytest.fixture(autouse=True)
def local_providers() -> Iterator[None]:
    """The fake providers listen on 127.0.0.1, which the server refuses by default."""
    provider_http.configure(allow_private=True)
    yield
    provider_http.configure(allow_private=False)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _failure(res: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.text
    body: dict[str, Any] = res.json()
    assert body["success"] is False and body["code"] == code and body["message"]
    return body


async def _room(client: httpx.AsyncClient, headers: Headers) -> str:
    res = await client.post("/api/sessions", json={"name": "Sprint 12"}, headers=headers)
    assert res.status_code == 201, res.text
    code: str = res.json()["session"]["code"]
    return code


async def _preview(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    res = await client.post(PREVIEW, json=body, headers=headers)
    assert res.status_code == 200, res.text
    preview: dict[str, Any] = res.json()["preview"]
    return preview


async def _confirm(
    client: httpx.AsyncClient, headers: Headers, code: str, body: Any, status: int = 201
) -> dict[str, Any]:
    res = await client.post(
        f"/api/sessions/{code}/integrations/import-confirm", json=body, headers=headers
    )
    assert res.status_code == status, res.text
    result: dict[str, Any] = res.json()["result"]
    return result


async def test_the_providers_say_what_each_needs(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    res = await client.get("/api/integrations/providers", headers=headers)
    assert res.status_code == 200
    providers = {p["id"]: p for p in res.json()["providers"]}
    assert list(providers) == ["csv", "jira_csv", "jira", "github"]
    jira = {f["name"]: f for f in providers["jira"]["fields"]}
    assert jira["api_token"]["secret"] is True and jira["site_url"]["required"] is True
    github = {f["name"]: f for f in providers["github"]["fields"]}
    assert github["token"]["secret"] is True and github["milestone"]["required"] is False
    assert providers["csv"]["sync"] == "download"


async def test_a_csv_preview_finds_the_columns_and_reports_bad_rows(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user_with_headers()
    preview = await _preview(client, headers, provider="csv", content=SHEET)
    assert preview["mapping"] == {
        "title": "Summary",
        "description": "Description",
        "acceptance_criteria": "Acceptance Criteria",
        "key": "Issue key",
        "estimate": "Story Points",
        "url": None,
    }
    assert [
        (s["row"], s["title"], s["external_key"], s["estimate"]) for s in preview["stories"]
    ] == [
        (2, "Sign-in page", "SHOP-1", "3"),
        (3, "Password reset", "SHOP-2", "5"),
    ]
    assert preview["stories"][1]["description"] == "Send a link,\nvalid for an hour"
    assert preview["stories"][0]["acceptance_criteria"] == "- Errors are shown"
    assert preview["errors"] == [
        {"row": 4, "reason": "the title is empty"},
        {"row": 5, "reason": "the key SHOP-1 is already on row 2"},
    ]
    assert (preview["total"], preview["importable"], preview["existing"]) == (4, 2, 0)
    assert len(preview["confirm"]["stories"]) == 2


async def test_other_spreadsheets_headers_delimiters_and_a_mapping(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user_with_headers()
    # A semicolon sheet, as European Excel saves it, with other header names.
    sheet = "ID;Name;Details;Points;Link\n7;Cart;Add items;8;https://tracker.example/7\n"
    preview = await _preview(client, headers, provider="csv", content=sheet)
    [story] = preview["stories"]
    assert (story["title"], story["description"], story["external_key"]) == (
        "Cart",
        "Add items",
        "7",
    )
    assert (story["estimate"], story["external_url"]) == ("8", "https://tracker.example/7")
    # Headers nobody could guess need a mapping; a mapping can also leave a field out.
    odd = "Thing,Words,Size\nCheckout,Pay for items,M\n"
    res = await client.post(PREVIEW, json={"provider": "csv", "content": odd}, headers=headers)
    body = _failure(res, 422, "invalid")
    assert "mapping.title" in body["errors"] and "'Thing'" in body["message"]
    preview = await _preview(
        client,
        headers,
        provider="csv",
        content=odd,
        mapping={"title": "thing", "description": "Words", "estimate": ""},
    )
    assert (
        preview["stories"][0]["title"] == "Checkout" and preview["stories"][0]["estimate"] is None
    )
    res = await client.post(
        PREVIEW,
        json={"provider": "csv", "content": odd, "mapping": {"title": "Nope"}},
        headers=headers,
    )
    assert "mapping.title" in _failure(res, 422, "invalid")["errors"]


async def test_utf8_with_a_bom_and_excels_utf16_text(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    text = "Summary,Description\nÉtape café,Über naïve\n"
    bom = b"\xef\xbb\xbf" + text.encode()
    preview = await _preview(
        client, headers, provider="csv", content_base64=b64(bom), filename="export.csv"
    )
    assert preview["columns"] == ["Summary", "Description"]
    assert preview["stories"][0]["title"] == "Étape café"
    # Excel's "Unicode Text": UTF-16 with a BOM, tab-separated.
    utf16 = "Summary\tStory Points\nÉtape café\t13\n".encode("utf-16")
    preview = await _preview(
        client, headers, provider="csv", content_base64=b64(utf16), filename="export.txt"
    )
    assert preview["stories"][0]["title"] == "Étape café"
    assert preview["stories"][0]["estimate"] == "13"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (
            {"content_base64": b64(b"PK\x03\x04" + b"\x00" * 64), "filename": "s.csv"},
            422,
            "workbook",
        ),
        ({"content_base64": b64(b"Summary\n\x00\x01\x02\x03"), "filename": "s.csv"}, 422, "binary"),
        ({"content_base64": b64("Summary\nCafé\n".encode("latin-1"))}, 422, "UTF-8"),
        ({"content": "Summary\nLogin\n", "filename": "sheet.xlsx"}, 422, ".csv"),
        ({"content": 'Summary\n"Login\n'}, 422, "not a CSV"),
        ({"content": ",,,\n"}, 422, "empty"),
        ({"content": "  "}, 422, "content"),
        ({"content_base64": "not base64!"}, 422, "base64"),
        ({}, 422, "content"),
        ({"content": "Summary\nLogin\n", "content_base64": b64(b"Summary\n")}, 422, "not both"),
        ({"content": "Summary\n" + "Story\n" * 1001}, 422, "1,000 rows"),
        ({"content_base64": b64(b"Summary\n" + b"x" * (5 * 1024 * 1024))}, 413, "5 MB"),
    ],
    ids=[
        "workbook",
        "binary",
        "latin-1",
        "extension",
        "broken-quotes",
        "empty",
        "blank",
        "bad-base64",
        "no-file",
        "both",
        "too-many-rows",
        "too-large",
    ],
)
async def test_bad_files_get_a_clear_refusal(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, words: str
) -> None:
    _, headers = await user_with_headers()
    res = await client.post(PREVIEW, json={"provider": "csv", **body}, headers=headers)
    assert res.status_code == status, res.text
    assert res.json()["success"] is False
    assert words in res.json()["message"], res.json()["message"]


async def test_a_thousand_rows_are_fine(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    sheet = "Summary\n" + "".join(f"Story {i}\n" for i in range(1000))
    preview = await _preview(client, headers, provider="csv", content=sheet)
    assert preview["importable"] == 1000


async def test_confirming_imports_once_and_keeps_keys_and_links(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers)
    preview = await _preview(
        client,
        headers,
        provider="jira_csv",
        content=SHEET,
        session_code=code,
        site_url="https://acme.atlassian.net",
    )
    assert preview["link"] == "jira"
    assert preview["stories"][0]["external_url"] == "https://acme.atlassian.net/browse/SHOP-1"
    result = await _confirm(client, headers, code, preview["confirm"])
    assert result["imported"] == 2 and result["already_imported"] is False
    assert [s["external_key"] for s in result["stories"]] == ["SHOP-1", "SHOP-2"]
    # The first imported story is current, as when stories are added by hand.
    assert result["stories"][0]["status"] == "voting"
    res = await client.get(f"/api/sessions/{code}/stories", headers=headers)
    assert [s["title"] for s in res.json()["stories"]] == ["Sign-in page", "Password reset"]
    # The same confirm again imports nothing, and answers with what the first made.
    again = await _confirm(client, headers, code, preview["confirm"], status=200)
    assert again["already_imported"] is True and again["imported"] == 0
    assert [s["id"] for s in again["stories"]] == [s["id"] for s in result["stories"]]
    assert await Story.filter(session__code=code).count() == 2
    link = await StoryLink.get(external_key="SHOP-2", session__code=code)
    assert link.provider == "jira" and link.imported_estimate == "5"
    assert link.origin == {"site_url": "https://acme.atlassian.net"}
    # A new preview knows which stories the session has; a changed sheet adds only new keys.
    grown = SHEET + "SHOP-4,Order history,,,\n"
    preview = await _preview(
        client,
        headers,
        provider="jira_csv",
        content=grown,
        session_code=code,
        site_url="https://acme.atlassian.net",
    )
    assert [s["exists"] for s in preview["stories"]] == [True, True, False]
    assert preview["existing"] == 2 and preview["importable"] == 1
    result = await _confirm(client, headers, code, preview["confirm"])
    assert [s["external_key"] for s in result["stories"]] == ["SHOP-4"]
    # A confirm naming stories the session has already skips them.
    body = {"provider": "jira_csv", "origin": {"site_url": "https://acme.atlassian.net"}}
    body["stories"] = [{"title": "Again", "external_key": "SHOP-1"}, {"title": "Fresh"}]
    result = await _confirm(client, headers, code, body)
    assert result["skipped"] == [{"external_key": "SHOP-1", "reason": "already in this session"}]
    assert [s["title"] for s in result["stories"]] == ["Fresh"]


async def test_a_jira_search_through_its_rest_api(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers)
    async with fake_jira() as jira:
        jira.add("SHOP-1", "Sign-in page", "Email and password", points=3.0)
        jira.add("SHOP-2", "Password reset")
        jira.add("SHOP-3", "Order history", points=None)
        creds = {"site_url": jira.url, "email": JIRA_EMAIL, "api_token": JIRA_TOKEN}
        preview = await _preview(
            client, headers, provider="jira", jql="project = SHOP", session_code=code, **creds
        )
        # Two pages of two, through nextPageToken.
        assert [p for p in jira.seen if "nextPageToken" in p[1]]
        assert [(s["external_key"], s["title"], s["estimate"]) for s in preview["stories"]] == [
            ("SHOP-1", "Sign-in page", "3"),
            ("SHOP-2", "Password reset", None),
            ("SHOP-3", "Order history", None),
        ]
        assert preview["stories"][0]["description"] == "Email and password"
        assert preview["stories"][0]["external_url"] == f"{jira.url}/browse/SHOP-1"
        assert JIRA_TOKEN not in str(preview)
        result = await _confirm(client, headers, code, preview["confirm"])
        assert result["imported"] == 3
        # Jira's own refusals come back with its words.
        res = await client.post(
            PREVIEW, json={"provider": "jira", "jql": "invalid = 1", **creds}, headers=headers
        )
        assert "is not a field" in _failure(res, 422, "invalid")["message"]
        wrong = {**creds, "api_token": "nope"}
        res = await client.post(
            PREVIEW, json={"provider": "jira", "jql": "project = SHOP", **wrong}, headers=headers
        )
        body = _failure(res, 422, "invalid")
        assert "401" in body["message"] and "nope" not in res.text


async def test_github_issues_by_label_and_milestone(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    async with fake_github() as gh:
        gh.add(1, "Cart", body="Add items", labels=("sprint",), milestone=1)
        gh.add(2, "Checkout", labels=("sprint", "estimate: 5"), milestone=1)
        gh.add(3, "Fix typo", labels=("sprint",), pull_request=True)
        gh.add(4, "Wishlist", labels=("later",))
        gh.add(5, "Order history", labels=("sprint",), milestone=1)
        base = {"provider": "github", "repository": gh.repository, "token": GITHUB_TOKEN}
        base["api_url"] = gh.url
        preview = await _preview(client, headers, **base, labels=["sprint"])
        assert [(s["external_key"], s["title"]) for s in preview["stories"]] == [
            ("#1", "Cart"),
            ("#2", "Checkout"),
            ("#5", "Order history"),
        ]
        assert preview["stories"][1]["estimate"] == "5"
        assert preview["stories"][0]["external_url"] == "https://github.com/acme/shop/issues/1"
        assert preview["confirm"]["origin"] == {"api_url": gh.url, "repository": "acme/shop"}
        by_title = await _preview(client, headers, **base, milestone="sprint 12")
        assert [s["external_key"] for s in by_title["stories"]] == ["#1", "#2", "#5"]
        res = await client.post(PREVIEW, json={**base, "milestone": "Sprint 99"}, headers=headers)
        assert "milestone" in _failure(res, 422, "invalid")["errors"]
        res = await client.post(PREVIEW, json={**base, "token": "wrong"}, headers=headers)
        assert "Bad credentials" in _failure(res, 422, "invalid")["message"]
        res = await client.post(PREVIEW, json={**base, "repository": "acme/nope"}, headers=headers)
        assert "Not Found" in _failure(res, 422, "invalid")["message"]
        assert GITHUB_TOKEN not in res.text


async def test_an_unreachable_provider_is_a_bad_gateway(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    async with fake_github() as gh:
        closed = gh.url
    body = {"provider": "github", "repository": "acme/shop", "token": "t", "api_url": closed}
    res = await client.post(PREVIEW, json=body, headers=headers)
    assert "did not answer" in _failure(res, 502, "upstream")["message"]


async def test_private_addresses_are_refused_unless_allowed(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    provider_http.configure(allow_private=False)
    # The last host is one IDNA cannot encode (a label over 63 characters).
    sites = ["http://127.0.0.1:9", "https://127.0.0.1", "https://10.0.0.8", "https://[::1]"]
    for site in [*sites, f"https://{'x' * 64}.example"]:
        body = {"provider": "jira", "site_url": site, "email": "a@b.c", "api_token": "t"}
        res = await client.post(PREVIEW, json={**body, "jql": "x"}, headers=headers)
        assert "site_url" in _failure(res, 422, "invalid")["errors"], site


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"provider": "trello"}, "body"),
        ({"provider": "csv", "content": 5}, "content"),
        ({"provider": "csv", "content": "a", "mapping": {"title": 3}}, "title"),
        ({"provider": "csv", "content": "a", "session_code": "TOOLONG"}, "session_code"),
        ({"provider": "csv", "content": "a", "extra": 1}, "extra"),
        ({"provider": "jira", "site_url": "ftp://x", "email": "a@b.c", "api_token": "t"}, "jql"),
        ({"provider": "github", "repository": "no-slash", "token": "t"}, "repository"),
        ({"provider": "github", "repository": "a/b", "token": "t", "labels": "x"}, "labels"),
    ],
)
async def test_wrong_shapes_are_refused(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    _, headers = await user_with_headers()
    res = await client.post(PREVIEW, json=body, headers=headers)
    assert res.status_code == 422, res.text
    assert any(field in key for key in _failure(res, 422, "invalid")["errors"])


async def test_malformed_and_wrong_confirms(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers)
    url = f"/api/sessions/{code}/integrations/import-confirm"
    res = await client.post(
        url, content=b'{"provider": "csv",', headers={**headers, "Content-Type": "application/json"}
    )
    _failure(res, 400, "invalid")
    res = await client.post(
        PREVIEW, content=b"{nope", headers={**headers, "Content-Type": "application/json"}
    )
    _failure(res, 400, "invalid")
    for body in (
        {"provider": "csv", "stories": []},
        {"provider": "csv", "stories": [{"title": ""}]},
        {"provider": "csv", "stories": [{"title": "x" * 501}]},
        {"provider": "csv", "stories": [{"title": "A", "external_url": "javascript:x"}]},
        {"provider": "csv", "stories": "A"},
        {"provider": "jira", "stories": [{"title": "A"}]},
        {"provider": "github", "origin": {"repository": "a/b"}, "stories": [{"title": 1}]},
    ):
        res = await client.post(url, json=body, headers=headers)
        _failure(res, 422, "invalid")
    res = await client.post(
        "/api/sessions/ZZZZZZ/integrations/import-confirm",
        json={"provider": "csv", "stories": [{"title": "A"}]},
        headers=headers,
    )
    _failure(res, 404, "not_found")


async def test_only_the_owner_or_moderator_imports(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers)
    body = {"provider": "csv", "stories": [{"title": "Cart"}]}
    url = f"/api/sessions/{code}/integrations/import-confirm"
    _, stranger = await user_with_headers()
    _failure(await client.post(url, json=body, headers=stranger), 403, "forbidden")
    res = await client.post(
        PREVIEW, json={"provider": "csv", "content": SHEET, "session_code": code}, headers=stranger
    )
    _failure(res, 403, "forbidden")
    # A participant who is not the moderator may not either; once handed the role, may.
    _, member_headers = await user_with_headers()
    res = await client.post(f"/api/sessions/{code}/join", json={}, headers=member_headers)
    seat = res.json()["participant"]["id"]
    _failure(await client.post(url, json=body, headers=member_headers), 403, "forbidden")
    res = await client.post(
        f"/api/sessions/{code}/moderator", json={"participant_id": seat}, headers=headers
    )
    assert res.status_code == 200
    assert (await client.post(url, json=body, headers=member_headers)).status_code == 201
    # Guests act only inside the room, never through imports.
    _, _, guest_token = await guest(code, "Gus")
    _failure(await client.post(url, json=body, headers=bearer(guest_token)), 403, "forbidden")
    # Archived rooms take nothing.
    await client.patch(f"/api/sessions/{code}", json={"status": "archived"}, headers=headers)
    body = {"provider": "csv", "stories": [{"title": "Late"}]}
    _failure(await client.post(url, json=body, headers=headers), 409, "conflict")


async def test_tokens_missing_expired_or_without_the_scope(client: httpx.AsyncClient) -> None:
    user, headers = await user_with_headers()
    code = await _room(client, headers)
    url = f"/api/sessions/{code}/integrations/import-confirm"
    body = {"provider": "csv", "stories": [{"title": "Cart"}]}
    _failure(await client.post(url, json=body), 401, "unauthorized")
    _failure(await client.get("/api/integrations/providers"), 401, "unauthorized")
    now = datetime.now(UTC)
    expired = jwt.encode(
        {
            "sub": str(user.id),
            "ver": 0,
            "iat": now - timedelta(hours=2),
            "exp": now - timedelta(hours=1),
        },
        TEST_SECRET,
        algorithm="HS256",
    )
    _failure(await client.post(url, json=body, headers=bearer(expired)), 401, "unauthorized")
    reader = await _pat(user, "poker:read")
    res = await client.post(url, json=body, headers=reader)
    assert "poker:write" in _failure(res, 403, "forbidden")["message"]
    res = await client.post(PREVIEW, json={"provider": "csv", "content": SHEET}, headers=reader)
    _failure(res, 403, "forbidden")
    assert (await client.get("/api/integrations/providers", headers=reader)).status_code == 200
    writer = await _pat(user, "poker:write")
    assert (await client.post(url, json=body, headers=writer)).status_code == 201


async def _pat(user: User, *scopes: str) -> Headers:
    token = new_token(PAT_PREFIX)
    await ApiToken.create(
        user=user, name="script", prefix=token[:12], token_hash=sha256(token), scopes=list(scopes)
    )
    return bearer(token)


async def test_a_real_jira_export_is_read_by_its_own_headers(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    export = (
        "Summary,Issue key,Issue id,Issue Type,Status,Description,Sprint,Sprint,"
        "Custom field (Story Points),Custom field (Acceptance Criteria)\n"
        "Sign-in page,SHOP-11,10011,Story,To Do,Email and password,Sprint 11,Sprint 12,2,"
        "Errors are shown\n"
    )
    preview = await _preview(
        client, headers, provider="jira_csv", content=export, site_url="https://acme.atlassian.net"
    )
    assert preview["mapping"]["key"] == "Issue key"
    assert preview["mapping"]["estimate"] == "Custom field (Story Points)"
    assert preview["mapping"]["acceptance_criteria"] == "Custom field (Acceptance Criteria)"
    [story] = preview["stories"]
    assert (story["external_key"], story["estimate"]) == ("SHOP-11", "2")
    assert story["acceptance_criteria"] == "Errors are shown"
    assert story["external_url"] == "https://acme.atlassian.net/browse/SHOP-11"
