"""Importing stories into a poker session: the providers, a dry-run preview, and the
confirmed import, which adds the stories through the room's own story path.

Importing and syncing are for the session's owner and its moderator, as adding a story
is. Provider credentials are used for the call that needs them and never stored here.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from models import PokerSession, StoryImport, StoryLink
from services.actors import Actor
from services.auth import require_user
from services.errors import UpstreamFailed, ValidationFailed, invalid_field
from services.events import unit_of_work
from services.poker.access import (
    locked_session,
    require_moderator,
    require_open,
    session_by_code,
)
from services.poker.imports import csvfile, github, jira
from services.poker.imports.http import ProviderError, check_base_url
from services.poker.imports.items import Item, Parsed
from services.poker.stories import next_position, queue_story

PROVIDERS: list[dict[str, Any]] = [
    {
        "id": "csv",
        "name": "CSV file",
        "description": "Any spreadsheet's CSV export (UTF-8, or Excel's UTF-16 text); "
        "title, description, acceptance criteria, key, estimate and link columns are found "
        "by their header, or named in `mapping`.",
        "kind": "file",
        "fields": [
            {"name": "content", "required": False, "secret": False, "hint": "pasted CSV text"},
            {
                "name": "content_base64",
                "required": False,
                "secret": False,
                "hint": "the file's bytes, base64 (send this or content)",
            },
            {"name": "filename", "required": False, "secret": False, "hint": "export.csv"},
            {"name": "mapping", "required": False, "secret": False, "hint": "{title: column}"},
        ],
        "sync": "download",
    },
    {
        "id": "jira_csv",
        "name": "Jira CSV export",
        "description": "Jira's 'Export CSV (all fields)'; with the site URL, estimates "
        "sync back to the story points field.",
        "kind": "file",
        "fields": [
            {"name": "content", "required": False, "secret": False, "hint": "pasted CSV text"},
            {"name": "content_base64", "required": False, "secret": False, "hint": "base64"},
            {"name": "filename", "required": False, "secret": False, "hint": "Jira.csv"},
            {
                "name": "site_url",
                "required": False,
                "secret": False,
                "hint": "https://your-team.atlassian.net",
            },
            {"name": "mapping", "required": False, "secret": False, "hint": "{title: column}"},
        ],
        "sync": "jira",
    },
    {
        "id": "jira",
        "name": "Jira Cloud",
        "description": "Issues found by a JQL search, through Jira's REST API.",
        "kind": "api",
        "fields": [
            {
                "name": "site_url",
                "required": True,
                "secret": False,
                "hint": "https://your-team.atlassian.net",
            },
            {"name": "email", "required": True, "secret": False, "hint": "you@example.com"},
            {
                "name": "api_token",
                "required": True,
                "secret": True,
                "hint": "id.atlassian.com → Security → API tokens",
            },
            {
                "name": "jql",
                "required": True,
                "secret": False,
                "hint": "project = ABC AND sprint in openSprints()",
            },
            {
                "name": "story_points_field",
                "required": False,
                "secret": False,
                "hint": jira.DEFAULT_POINTS_FIELD,
            },
        ],
        "sync": "jira",
    },
    {
        "id": "github",
        "name": "GitHub issues",
        "description": "A repository's open issues, filtered by labels or a milestone.",
        "kind": "api",
        "fields": [
            {"name": "repository", "required": True, "secret": False, "hint": "owner/name"},
            {
                "name": "token",
                "required": True,
                "secret": True,
                "hint": "a token that may read (and, to sync, write) issues",
            },
            {"name": "labels", "required": False, "secret": False, "hint": '["sprint-12"]'},
            {"name": "milestone", "required": False, "secret": False, "hint": "title or number"},
            {"name": "api_url", "required": False, "secret": False, "hint": github.DEFAULT_API},
        ],
        "sync": "github",
    },
]


def providers() -> list[dict[str, Any]]:
    return PROVIDERS


async def importable_session(actor: Actor, code: str) -> PokerSession:
    """A session the caller may import into or sync: its owner's or its moderator's."""
    session = await session_by_code(code)
    await require_moderator(actor, session)
    return session


def _file_text(source: Mapping[str, Any]) -> str:
    """The file's text; the request's schema has made sure exactly one of the two came,
    and that `content_base64` is base64."""
    if source.get("content_base64") is not None:
        return csvfile.decode(base64.b64decode(source["content_base64"], validate=True))
    return csvfile.decode(str(source["content"]).encode("utf-8"))


async def _fetch(provider: str, source: Mapping[str, Any]) -> Parsed:
    mapping = source.get("mapping")
    if provider == "csv":
        return csvfile.parse(_file_text(source), provider="csv", mapping=mapping)
    if provider == "jira_csv":
        site = source.get("site_url")
        site = await check_base_url(site, "site_url") if site else None
        text = _file_text(source)
        return csvfile.parse(text, provider="jira_csv", mapping=mapping, site_url=site)
    if provider == "jira":
        return await jira.search(
            site_url=await check_base_url(source["site_url"], "site_url"),
            email=source["email"],
            api_token=source["api_token"],
            jql=source["jql"],
            points_field=source.get("story_points_field") or jira.DEFAULT_POINTS_FIELD,
        )
    if provider == "github":
        return await github.issues(
            api_url=await check_base_url(source.get("api_url") or github.DEFAULT_API, "api_url"),
            repository=source["repository"],
            token=source["token"],
            labels=source.get("labels"),
            milestone=source.get("milestone"),
        )
    raise invalid_field("provider", f"unknown provider {provider!r}")


def provider_failure(name: str, exc: ProviderError) -> Exception:
    """A provider's refusal as the caller should hear it: their request (credentials, a
    query, a repository) was refused, or the provider could not be reached."""
    if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
        return ValidationFailed(
            f"{name} refused the request: {exc.message}",
            details={"errors": {"provider": [exc.message]}},
        )
    return UpstreamFailed(f"{name} did not answer: {exc.message}")


_NAMES = {"csv": "CSV", "jira_csv": "Jira", "jira": "Jira", "github": "GitHub"}


def digest(provider: str, origin: Mapping[str, Any], stories: Sequence[Mapping[str, Any]]) -> str:
    """What identifies one import: the same stories from the same place."""
    canonical = orjson.dumps(
        {"provider": provider, "origin": origin, "stories": list(stories)},
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(canonical).hexdigest()


def _draft(item: Item) -> dict[str, Any]:
    return {
        "title": item.title,
        "description": item.description,
        "acceptance_criteria": item.acceptance_criteria,
        "external_key": item.external_key,
        "external_url": item.external_url,
        "estimate": item.estimate,
    }


async def _existing_keys(session: PokerSession | None, link: str, keys: list[str]) -> set[str]:
    if session is None or not keys:
        return set()
    found = await StoryLink.filter(
        session_id=session.id, provider=link, external_key__in=keys
    ).values_list("external_key", flat=True)
    return {str(k) for k in found}


async def preview(
    *, actor: Actor, provider: str, source: Mapping[str, Any], session_code: str | None
) -> dict[str, Any]:
    """A dry run: the stories `source` would make, the rows it cannot take, and which
    stories the session (if named) has already. Nothing is written."""
    require_user(actor)
    session = await importable_session(actor, session_code) if session_code else None
    try:
        parsed = await _fetch(provider, source)
    except ProviderError as exc:
        raise provider_failure(_NAMES[provider], exc) from None
    keys = [i.external_key for i in parsed.items if i.external_key]
    existing = await _existing_keys(session, parsed.link, keys)
    stories = [{**item.public(), "exists": item.external_key in existing} for item in parsed.items]
    drafts = [_draft(i) for i in parsed.items if i.external_key not in existing]
    return {
        "provider": provider,
        "link": parsed.link,
        "session_code": session.code if session else None,
        "columns": parsed.columns,
        "mapping": parsed.mapping,
        "stories": stories,
        "errors": [{"row": e.row, "reason": e.reason} for e in parsed.errors],
        "total": len(parsed.items) + len(parsed.errors),
        "importable": len(drafts),
        "existing": len(parsed.items) - len(drafts),
        "confirm": {"provider": provider, "origin": parsed.origin, "stories": drafts},
        "import_id": digest(provider, parsed.origin, drafts),
    }


def link_of(provider: str, origin: Mapping[str, Any]) -> str:
    if provider == "jira" or (provider == "jira_csv" and origin.get("site_url")):
        return "jira"
    return "github" if provider == "github" else "csv"


async def _checked_origin(provider: str, origin: Mapping[str, Any]) -> dict[str, Any]:
    """Where sync reaches the stories again; the request's schema requires a Jira site
    and a GitHub repository, and this checks that their hosts may be called."""
    link = link_of(provider, origin)
    if link == "jira":
        return {"site_url": await check_base_url(origin["site_url"], "origin.site_url")}
    if link == "github":
        api = await check_base_url(origin.get("api_url") or github.DEFAULT_API, "origin.api_url")
        return {"api_url": api, "repository": origin["repository"]}
    return {}


async def confirm(
    *,
    actor: Actor,
    code: str,
    provider: str,
    origin: Mapping[str, Any],
    stories: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Add the previewed stories in one transaction, each through the room's story path
    (the room sees them arrive). Confirming the same import again adds nothing; a story
    whose key the session has already is skipped."""
    require_user(actor)
    checked_origin = await _checked_origin(provider, origin)
    link = link_of(provider, checked_origin)
    drafts = [dict(s) for s in stories]
    import_id = digest(provider, checked_origin, drafts)
    async with unit_of_work() as uow:
        session = await locked_session(uow, code)
        await require_moderator(actor, session)
        require_open(session)
        earlier = await StoryImport.filter(session_id=session.id, digest=import_id).first()
        if earlier is not None:
            return await _replayed(session, earlier, import_id)
        keys = [str(d["external_key"]) for d in drafts if d.get("external_key")]
        existing = await _existing_keys(session, link, keys)
        position = await next_position(session)
        made: list[dict[str, Any]] = []
        skipped: list[dict[str, Any]] = []
        seen: set[str] = set()
        for draft in drafts:
            key = draft.get("external_key")
            if key and (key in existing or key in seen):
                skipped.append({"external_key": key, "reason": "already in this session"})
                continue
            if key:
                seen.add(key)
            story, rendered = await queue_story(
                uow,
                session,
                actor,
                title=draft["title"],
                description=draft.get("description") or "",
                acceptance_criteria=draft.get("acceptance_criteria") or "",
                position=position,
            )
            position += 1
            await StoryLink.create(
                story_id=story.id,
                session_id=session.id,
                provider=link,
                external_key=key,
                external_url=draft.get("external_url"),
                origin=checked_origin,
                imported_estimate=draft.get("estimate"),
            )
            made.append(_linked(rendered, key, draft.get("external_url")))
        await StoryImport.create(
            session_id=session.id,
            digest=import_id,
            provider=provider,
            story_ids=[s["id"] for s in made],
        )
    return {
        "import_id": import_id,
        "already_imported": False,
        "imported": len(made),
        "skipped": skipped,
        "stories": made,
    }


def _linked(rendered: Mapping[str, Any], key: str | None, url: str | None) -> dict[str, Any]:
    return {
        "id": rendered["id"],
        "title": rendered["title"],
        "status": rendered["status"],
        "position": rendered["position"],
        "external_key": key,
        "external_url": url,
    }


async def _replayed(session: PokerSession, earlier: StoryImport, import_id: str) -> dict[str, Any]:
    links = {
        str(link.story_id): link
        for link in await StoryLink.filter(story_id__in=earlier.story_ids).select_related("story")
    }
    made = []
    for story_id in earlier.story_ids:
        link = links.get(story_id)
        if link is None:
            continue
        story = link.story
        made.append(
            {
                "id": str(story.id),
                "title": story.title,
                "status": story.status,
                "position": story.position,
                "external_key": link.external_key,
                "external_url": link.external_url,
            }
        )
    return {
        "import_id": import_id,
        "already_imported": True,
        "imported": 0,
        "skipped": [],
        "stories": made,
    }
