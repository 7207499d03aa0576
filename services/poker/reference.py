"""Reference stories: for a session's current story, the owner's earlier revealed
stories most alike in text (title, description, acceptance criteria), with their final
estimates, so a team can calibrate. Ranked with BM25 (rank-bm25's BM25+). Only stories
of sessions with the same owner, and only revealed ones with an estimate, are read."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rank_bm25 import BM25Plus

from models import Story
from services.actors import Actor
from services.poker.access import session_by_code
from services.poker.analytics import require_reader
from services.timefmt import iso

DEFAULT_LIMIT, MAX_LIMIT = 5, 20
# The latest revealed stories of the owner that are ranked; older ones are not read.
# Ranking 1,000 stories of a few hundred words takes about a tenth of a second.
MAX_CANDIDATES = 1000
# A story's title says most of what it is: its words count twice.
TITLE_WEIGHT = 2

_WORD = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(
    " ".join(
        (
            "a an and are as at be by can for from has have i if in into is it its my of on",
            "or our so that the their them then there these this to was we were when which",
            "who will with without you your should must given",
        )
    ).split()
)


def tokens(text: str) -> list[str]:
    """Lower-cased words without stop words, single letters or a plural 's'."""
    out = []
    for word in _WORD.findall(text.lower()):
        if len(word) < 2 or word in _STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


def _document(title: str, description: str, criteria: str) -> list[str]:
    return tokens(title) * TITLE_WEIGHT + tokens(description) + tokens(criteria)


async def reference_stories(
    *, actor: Actor, code: str, limit: int = DEFAULT_LIMIT
) -> dict[str, Any]:
    """The current story of the session with this code and its reference stories, best
    first; none when there is no current story or nothing alike."""
    session = await session_by_code(code)
    await require_reader(actor, session)
    current = (
        await Story.filter(id=session.current_story_id, session_id=session.id).first()
        if session.current_story_id
        else None
    )
    if current is None:
        return {"story": None, "references": []}
    story = {"id": str(current.id), "title": current.title}
    query = _document(current.title, current.description, current.acceptance_criteria)
    if not query:
        return {"story": story, "references": []}
    candidates = (
        await Story.filter(
            session__owner_id=session.owner_id,
            status="revealed",
            result__not_isnull=True,
            final_estimate__not_isnull=True,
        )
        .exclude(id=current.id)
        .order_by("-revealed_at", "id")
        .limit(MAX_CANDIDATES)
        .values(
            "id",
            "title",
            "description",
            "acceptance_criteria",
            "final_estimate",
            "revealed_at",
            session_name="session__name",
            voting_system="session__voting_system",
        )
    )
    texts = [(s["title"], s["description"], s["acceptance_criteria"]) for s in candidates]
    # Off the event loop: the room's sockets keep flowing while the stories are ranked.
    ranked = await asyncio.to_thread(rank, query, texts, limit)
    return {
        "story": story,
        "references": [_reference(candidates[i], score) for i, score in ranked],
    }


def rank(
    query: list[str], texts: list[tuple[str, str, str]], limit: int
) -> list[tuple[int, float]]:
    """(index, score) of the texts most alike the query words, best first, at most
    `limit`; only texts sharing a word with the query."""
    documents = [_document(*text) for text in texts]
    # A word the current story repeats (its title's words, counted twice) weighs more.
    wanted = set(query)
    # BM25+ gives every document a floor, so a story with no word in common would still
    # score: only those sharing a word are ranked.
    matching = [i for i, doc in enumerate(documents) if wanted & set(doc)]
    if not matching:
        return []
    index = BM25Plus([documents[i] for i in matching])
    scores = index.get_scores(query)
    # What a story with none of the words would score, so the reported score is the
    # part earned by the words in common.
    floor = sum(index.idf.get(w, 0.0) * index.delta for w in query)
    # Best score first; among equals, the latest revealed (the candidates' order).
    best = sorted(range(len(matching)), key=lambda k: (-scores[k], k))[:limit]
    return [(matching[k], float(scores[k]) - floor) for k in best]


def _reference(story: dict[str, Any], score: float) -> dict[str, Any]:
    return {
        "id": str(story["id"]),
        "title": story["title"],
        "description": story["description"],
        "acceptance_criteria": story["acceptance_criteria"],
        "final_estimate": story["final_estimate"],
        "session_name": story["session_name"],
        "voting_system": story["voting_system"],
        "revealed_at": iso(story["revealed_at"]),
        "score": round(max(score, 0.0), 3),
    }
