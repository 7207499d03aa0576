"""Jira Cloud's REST API: issues found by a JQL search, and a story-points field set."""

from __future__ import annotations

from typing import Any

from services.errors import ValidationFailed
from services.poker.imports.http import request
from services.poker.imports.items import MAX_ROWS, Parsed, checked, collect

# Jira Cloud's "Story point estimate"; company-managed projects may use another field.
DEFAULT_POINTS_FIELD = "customfield_10016"
_PAGE = 100


def _auth(email: str, api_token: str) -> tuple[str, str]:
    return (email, api_token)


def adf_text(node: Any) -> str:
    """Plain text of an Atlassian Document Format value (a description in API v3):
    paragraphs and list items on lines of their own."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    inner = "".join(adf_text(child) for child in node.get("content") or [])
    if node.get("type") == "listItem":
        return "- " + inner.strip() + "\n"
    if node.get("type") in ("paragraph", "heading", "codeBlock", "blockquote"):
        return inner.strip("\n") + "\n"
    return inner


async def search(
    *,
    site_url: str,
    email: str,
    api_token: str,
    jql: str,
    points_field: str = DEFAULT_POINTS_FIELD,
) -> Parsed:
    """The issues `jql` finds, in Jira's order, at most 1,000."""
    parsed = Parsed(provider="jira", link="jira", origin={"site_url": site_url})
    token: str | None = None
    number = 0
    while True:
        params: dict[str, Any] = {
            "jql": jql,
            "fields": f"summary,description,{points_field}",
            "maxResults": _PAGE,
        }
        if token:
            params["nextPageToken"] = token
        res = await request(
            "GET",
            f"{site_url}/rest/api/3/search/jql",
            auth=_auth(email, api_token),
            headers={"Accept": "application/json"},
            params=params,
        )
        body = res.json()
        for issue in body.get("issues") or []:
            number += 1
            if number > MAX_ROWS:
                raise ValidationFailed(
                    f"The search finds more than {MAX_ROWS:,} issues; narrow the JQL",
                    details={"errors": {"jql": ["finds too many issues"]}},
                )
            fields = issue.get("fields") or {}
            key = str(issue.get("key", ""))
            collect(
                parsed,
                checked(
                    number,
                    title=str(fields.get("summary") or ""),
                    description=adf_text(fields.get("description")).strip(),
                    external_key=key,
                    external_url=f"{site_url}/browse/{key}" if key else None,
                    estimate=fields.get(points_field),
                ),
            )
        token = body.get("nextPageToken")
        if body.get("isLast", True) or not token:
            return parsed


async def set_points(
    *, site_url: str, email: str, api_token: str, key: str, points_field: str, points: float
) -> None:
    await request(
        "PUT",
        f"{site_url}/rest/api/3/issue/{key}",
        auth=_auth(email, api_token),
        headers={"Accept": "application/json"},
        json={"fields": {points_field: points}},
    )
