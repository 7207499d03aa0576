"""The room's assistant: suggestions for the current story and the session, from the
configured AI provider. Review-first: nothing here writes; a suggestion is accepted
through the ordinary endpoints (add a story, change a story).

Each helper reads what its caller may read (the session's owner and its people, as for
analytics) and hands the provider only that: vote values only once revealed."""

from __future__ import annotations

import asyncio
from typing import Any

from models import PokerSession, Story
from services import ai
from services.actors import Actor
from services.ai import poker_rules as tasks
from services.ai.poker_schemas import (
    AcceptanceCriteria,
    DraftContext,
    EstimateAdvice,
    EstimationReport,
    RevealedVotes,
    SessionContext,
    SessionSummary,
    SimilarStory,
    StoryAnalysis,
    StoryContext,
    StoryDrafts,
    StoryImprovement,
    StorySplit,
    StoryText,
)
from services.errors import Conflict
from services.poker import analytics, reference
from services.poker.access import session_by_code
from services.poker.analytics import require_reader
from services.poker.decks import NON_ESTIMATES

# Earlier revealed stories of the owner that drafts are compared with, and how many of
# the most alike the provider is given.
DRAFT_POOL, DRAFT_SIMILAR = 1000, 20
# How much of a similar story's description a provider is given: enough to compare,
# and a model's prompt stays small.
SIMILAR_TEXT = 500
NO_CURRENT_STORY = "There is no current story: add or start one first"


async def _story_context(actor: Actor, code: str) -> tuple[Story, StoryContext]:
    session = await session_by_code(code)
    await require_reader(actor, session)
    story = await _current(session)
    ranked = await reference.reference_stories(actor=actor, code=code, limit=5)
    others = (
        await Story.filter(session_id=session.id)
        .exclude(id=story.id)
        .order_by("position", "created_at")
        .limit(50)
        .values_list("title", flat=True)
    )
    context = StoryContext(
        story=StoryText(
            title=story.title,
            description=story.description,
            acceptance_criteria=story.acceptance_criteria,
        ),
        status=story.status,
        deck=list(session.deck),
        similar=[
            SimilarStory(
                title=r["title"],
                description=r["description"][:SIMILAR_TEXT],
                final_estimate=r["final_estimate"],
                score=r["score"],
            )
            for r in ranked["references"]
        ],
        revealed=_revealed(story),
        other_titles=[str(t) for t in others],
    )
    return story, context


async def _current(session: PokerSession) -> Story:
    story = (
        await Story.filter(id=session.current_story_id, session_id=session.id).first()
        if session.current_story_id
        else None
    )
    if story is None:
        raise Conflict(NO_CURRENT_STORY)
    return story


def _revealed(story: Story) -> RevealedVotes | None:
    """The current round's values once revealed, without names; None before."""
    if story.status != "revealed" or story.result is None:
        return None
    result = story.result
    return RevealedVotes(
        values=[v["value"] for v in result.get("votes") or []],
        final_estimate=result.get("final_estimate"),
        agreement=(result.get("stats") or {}).get("agreement"),
    )


def _ref(story: Story) -> dict[str, Any]:
    return {"id": str(story.id), "title": story.title}


async def analyze_story(*, actor: Actor, code: str) -> dict[str, Any]:
    story, context = await _story_context(actor, code)
    made = await ai.current().suggest(tasks.ANALYZE, context, StoryAnalysis)
    return {"story": _ref(story), "suggestion": made.model_dump(mode="json")}


async def improve_story(*, actor: Actor, code: str) -> dict[str, Any]:
    story, context = await _story_context(actor, code)
    made = await ai.current().suggest(tasks.IMPROVE, context, StoryImprovement)
    return {"story": _ref(story), "suggestion": made.model_dump(mode="json")}


async def acceptance_criteria(*, actor: Actor, code: str) -> dict[str, Any]:
    story, context = await _story_context(actor, code)
    made = await ai.current().suggest(tasks.CRITERIA, context, AcceptanceCriteria)
    return {"story": _ref(story), "suggestion": made.model_dump(mode="json")}


async def split_story(*, actor: Actor, code: str) -> dict[str, Any]:
    story, context = await _story_context(actor, code)
    made = await ai.current().suggest(tasks.SPLIT, context, StorySplit)
    return {"story": _ref(story), "suggestion": made.model_dump(mode="json")}


async def estimate_story(*, actor: Actor, code: str) -> dict[str, Any]:
    story, context = await _story_context(actor, code)
    made = await ai.current().suggest(tasks.ESTIMATE, context, EstimateAdvice)
    # Cards outside the deck (a model's guess) are dropped rather than offered.
    cards = set(context.deck) - NON_ESTIMATES
    for side in ("low", "likely", "high"):
        if getattr(made, side) not in cards:
            setattr(made, side, None)
    if context.revealed is None:
        made.votes_considered = False
    return {"story": _ref(story), "suggestion": made.model_dump(mode="json")}


async def draft_stories(
    *, actor: Actor, code: str, goal: str | None, notes: str | None, max_stories: int
) -> dict[str, Any]:
    session = await session_by_code(code)
    await require_reader(actor, session)
    existing = await Story.filter(session_id=session.id).values_list("title", flat=True)
    pool = (
        await Story.filter(
            session__owner_id=session.owner_id,
            status="revealed",
            final_estimate__not_isnull=True,
        )
        .order_by("-revealed_at", "id")
        .limit(DRAFT_POOL)
        .values("title", "description", "final_estimate")
    )
    context = DraftContext(
        goal=goal or "",
        notes=notes or "",
        max_stories=max_stories,
        deck=list(session.deck),
        existing_titles=[str(t) for t in existing],
        similar=await _alike(f"{goal or ''}\n{notes or ''}", pool),
    )
    made = await ai.current().suggest(tasks.DRAFT, context, StoryDrafts)
    made.drafts = made.drafts[:max_stories]
    return {"suggestion": made.model_dump(mode="json")}


async def _alike(text: str, pool: list[dict[str, Any]]) -> list[SimilarStory]:
    query = reference.tokens(text)
    texts = [(s["title"], s["description"], "") for s in pool]
    ranked = await asyncio.to_thread(reference.rank, query, texts, DRAFT_SIMILAR) if query else []
    return [
        SimilarStory(
            title=pool[i]["title"],
            description=pool[i]["description"][:SIMILAR_TEXT],
            final_estimate=pool[i]["final_estimate"],
            score=round(max(score, 0.0), 3),
        )
        for i, score in ranked
    ]


async def summary(*, actor: Actor, code: str) -> dict[str, Any]:
    data = await analytics.session_analytics(actor=actor, code=code)
    made = await ai.current().suggest(tasks.SUMMARY, SessionContext(analytics=data), SessionSummary)
    return {"suggestion": made.model_dump(mode="json")}


async def estimation_report(*, actor: Actor, code: str) -> dict[str, Any]:
    data = await analytics.session_analytics(actor=actor, code=code)
    context = SessionContext(analytics=data)
    made = await ai.current().suggest(tasks.REPORT, context, EstimationReport)
    # The figures are the session's own, whoever words the recommendations.
    made.accuracy, made.revoted, made.outliers = tasks.report_facts(context)
    return {"suggestion": made.model_dump(mode="json")}
