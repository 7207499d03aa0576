"""Estimate sync: revealed estimates sent back to where each story came from, one durable
job per story (Jira's story points field, a GitHub label or comment), or a CSV of the
estimates for stories from a file."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from tortoise.transactions import in_transaction

from models import Job, JobSecret, PokerSession, Story, StoryLink
from services import jobs
from services.actors import Actor
from services.auth import require_user
from services.errors import Conflict, DomainError
from services.poker.imports import github, importable_session, jira
from services.poker.imports.http import ProviderError, check_base_url
from services.timefmt import iso

KIND = "estimate_sync"
PROVIDERS = ("jira", "github")


def subject_of(session: PokerSession) -> str:
    return f"poker:{session.id}"


def _public_status(status: str) -> str:
    # Running is still pending to the people waiting for it.
    return "pending" if status == jobs.RUNNING else status


def _status(link: StoryLink, job: Job) -> dict[str, Any]:
    story: Story = link.story
    return {
        "story_id": str(story.id),
        "title": story.title,
        "external_key": link.external_key,
        "external_url": link.external_url,
        "provider": link.provider,
        "estimate": job.payload.get("estimate"),
        "status": _public_status(job.status),
        "message": job.last_error,
        "attempts": job.attempts,
        "updated_at": iso(job.updated_at),
    }


async def _statuses(session: PokerSession, story_ids: Sequence[str] | None = None) -> list[Any]:
    found = await jobs.statuses(subject_of(session), kind=KIND)
    if story_ids is not None:
        wanted = set(story_ids)
        found = [j for j in found if j.ref in wanted]
    links = {
        str(link.story_id): link
        for link in await StoryLink.filter(session_id=session.id).select_related("story")
    }
    return [_status(links[j.ref], j) for j in found if j.ref in links]


async def sync_status(*, actor: Actor, code: str) -> list[dict[str, Any]]:
    """Each synced story's latest status, in the order they were first queued."""
    require_user(actor)
    session = await importable_session(actor, code)
    return await _statuses(session)


async def _revealed_links(
    session: PokerSession, provider: str, story_ids: Sequence[uuid.UUID] | None
) -> list[StoryLink]:
    query = StoryLink.filter(
        session_id=session.id,
        provider=provider,
        story__status="revealed",
        story__final_estimate__isnull=False,
    )
    if story_ids is not None:
        query = query.filter(story_id__in=list(story_ids))
    return list(await query.select_related("story").order_by("story__position", "id"))


async def sync_estimates(
    *,
    actor: Actor,
    code: str,
    provider: str,
    credentials: Mapping[str, Any],
    options: Mapping[str, Any],
    story_ids: Sequence[uuid.UUID] | None = None,
) -> list[dict[str, Any]]:
    """Queue one job per revealed story imported from `provider`; a story whose sync is
    still pending keeps that job. The credentials are sealed for as long as a job needs
    them. Answers each story's status."""
    require_user(actor)
    session = await importable_session(actor, code)
    links = await _revealed_links(session, provider, story_ids)
    if not links:
        # The request is fine; the session has nothing to send yet.
        raise Conflict(
            f"No revealed story here came from {provider}: reveal some imported stories first"
        )
    subject = subject_of(session)
    refs = [str(link.story_id) for link in links]
    async with in_transaction():
        waiting = await jobs.unfinished(subject, kind=KIND, refs=refs)
        secret_id = await jobs.store_secret(dict(credentials))
        used = False
        for link in links:
            if str(link.story_id) in waiting:
                continue
            await jobs.enqueue(
                KIND,
                {
                    "provider": provider,
                    "story_id": str(link.story_id),
                    "external_key": link.external_key,
                    "origin": link.origin,
                    "estimate": link.story.final_estimate,
                    "options": dict(options),
                    "note": f"estimated in Roundtable, {session.name} ({session.code})",
                },
                subject=subject,
                ref=str(link.story_id),
                secret_id=secret_id,
            )
            used = True
        if not used:
            await JobSecret.filter(id=secret_id).delete()
    return await _statuses(session, refs)


async def estimates_csv(*, actor: Actor, code: str) -> tuple[str, str]:
    """Every story of the session with its estimate, as CSV; and a file name for it."""
    require_user(actor)
    session = await importable_session(actor, code)
    stories = await Story.filter(session_id=session.id).order_by("position", "created_at")
    links = {link.story_id: link for link in await StoryLink.filter(session_id=session.id)}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Key", "Title", "Estimate", "Status", "Link"])
    for story in stories:
        link = links.get(story.id)
        writer.writerow(
            [
                link.external_key if link and link.external_key else "",
                story.title,
                story.final_estimate or "",
                story.status,
                link.external_url if link and link.external_url else "",
            ]
        )
    return out.getvalue(), f"{session.code}-estimates.csv"


def _jira_points(estimate: str) -> float:
    try:
        return float(estimate)
    except ValueError:
        raise jobs.JobFailed(
            f"Jira's story points take numbers, and {estimate!r} is not one"
        ) from None


def _github_number(key: str | None) -> int:
    digits = (key or "").lstrip("#")
    if not digits.isdigit():
        raise jobs.JobFailed(f"{key!r} is not a GitHub issue number")
    return int(digits)


@jobs.handler(KIND)
async def run_sync(job: jobs.Claimed) -> dict[str, Any]:
    """Send one story's estimate; a refusal fails it with the provider's message, an
    outage is tried again later."""
    p = job.payload
    secret = await job.secret()
    origin, options, estimate = p["origin"], p.get("options") or {}, str(p["estimate"])
    try:
        if p["provider"] == "jira":
            await jira.set_points(
                site_url=await check_base_url(origin["site_url"], "site_url"),
                email=secret["email"],
                api_token=secret["api_token"],
                key=str(p["external_key"]),
                points_field=options.get("story_points_field") or jira.DEFAULT_POINTS_FIELD,
                points=_jira_points(estimate),
            )
        else:
            await github.set_estimate(
                api_url=await check_base_url(origin["api_url"], "api_url"),
                repository=origin["repository"],
                token=secret["token"],
                number=_github_number(p.get("external_key")),
                estimate=estimate,
                mode=options.get("mode") or "label",
                label_prefix=options.get("label_prefix") or github.DEFAULT_LABEL_PREFIX,
                note=p.get("note", "estimated in Roundtable"),
            )
    except ProviderError as exc:
        raise jobs.JobFailed(exc.message, retry=exc.retry) from None
    except DomainError as exc:
        raise jobs.JobFailed(exc.message) from None
    return {"estimate": estimate}
