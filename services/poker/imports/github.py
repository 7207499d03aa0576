"""GitHub's REST API: a repository's open issues (by label or milestone), and an
estimate sent back as a label or a comment."""

from __future__ import annotations

from typing import Any

from services.errors import ValidationFailed, invalid_field
from services.poker.imports.http import request
from services.poker.imports.items import MAX_ROWS, Parsed, checked, collect

DEFAULT_API = "https://api.github.com"
DEFAULT_LABEL_PREFIX = "estimate: "
_PAGE = 100


def _headers(token: str) -> dict[str, str]:
    return {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": "2022-11-28",
    }


async def _milestone_number(api_url: str, repository: str, token: str, milestone: str) -> str:
    """GitHub filters by a milestone's number; people know its title."""
    if milestone.isdigit() or milestone in ("*", "none"):
        return milestone
    res = await request(
        "GET",
        f"{api_url}/repos/{repository}/milestones",
        headers=_headers(token),
        params={"state": "all", "per_page": _PAGE},
    )
    for found in res.json():
        if str(found.get("title", "")).lower() == milestone.lower():
            return str(found["number"])
    raise invalid_field("milestone", f"the repository has no milestone {milestone!r}")


async def issues(
    *,
    api_url: str,
    repository: str,
    token: str,
    labels: list[str] | None = None,
    milestone: str | None = None,
    label_prefix: str = DEFAULT_LABEL_PREFIX,
) -> Parsed:
    """The open issues (not pull requests) that carry every one of `labels` and are in
    `milestone`, oldest first, at most 1,000."""
    parsed = Parsed(
        provider="github",
        link="github",
        origin={"api_url": api_url, "repository": repository},
    )
    params: dict[str, Any] = {
        "state": "open",
        "per_page": _PAGE,
        "sort": "created",
        "direction": "asc",
    }
    if labels:
        params["labels"] = ",".join(labels)
    if milestone:
        params["milestone"] = await _milestone_number(api_url, repository, token, milestone)
    url: str | None = f"{api_url}/repos/{repository}/issues"
    number = 0
    page = 1
    while url:
        res = await request("GET", url, headers=_headers(token), params={**params, "page": page})
        for issue in res.json():
            if "pull_request" in issue:
                continue
            number += 1
            if number > MAX_ROWS:
                raise ValidationFailed(
                    f"More than {MAX_ROWS:,} issues match; narrow the filter",
                    details={"errors": {"labels": ["match too many issues"]}},
                )
            names = [str(label.get("name", "")) for label in issue.get("labels") or []]
            estimate = next(
                (n[len(label_prefix) :] for n in names if n.startswith(label_prefix)), None
            )
            collect(
                parsed,
                checked(
                    number,
                    title=str(issue.get("title") or ""),
                    description=str(issue.get("body") or "")[:5000],
                    external_key=f"#{issue['number']}",
                    external_url=issue.get("html_url"),
                    estimate=estimate,
                ),
            )
        url = f"{api_url}/repos/{repository}/issues" if "next" in res.links else None
        page += 1
    return parsed


async def set_estimate(
    *,
    api_url: str,
    repository: str,
    token: str,
    number: int,
    estimate: str,
    mode: str,
    label_prefix: str,
    note: str,
) -> None:
    """As a label (`estimate: 5`, replacing an earlier estimate label) or a comment."""
    issue_url = f"{api_url}/repos/{repository}/issues/{number}"
    if mode == "comment":
        await request(
            "POST",
            issue_url + "/comments",
            headers=_headers(token),
            json={"body": f"Estimate: **{estimate}** ({note})"},
        )
        return
    res = await request("GET", issue_url, headers=_headers(token))
    names = [str(label.get("name", "")) for label in res.json().get("labels") or []]
    kept = [n for n in names if not n.startswith(label_prefix)]
    await request(
        "PATCH",
        issue_url,
        headers=_headers(token),
        json={"labels": [*kept, f"{label_prefix}{estimate}"]},
    )
