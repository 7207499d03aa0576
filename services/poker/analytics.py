"""How a session's estimates went: per story and across the session, read from what
the reveals recorded. Nothing is recomputed differently from the reveal: a story's
figures, agreement and outliers are its stored result; only what a reveal does not
keep (the spread, the time taken, the totals) is worked out here."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from models import Participant, PokerSession, RoomEvent, Story, Vote
from services.actors import Actor
from services.errors import Forbidden
from services.poker.access import participant_of, room_key, session_by_code
from services.poker.decks import NON_ESTIMATES, figures, spread
from services.timefmt import iso

# A story whose final round has fewer than this percent of its counted votes on the
# final estimate shows as low agreement.
LOW_AGREEMENT = 50


async def session_analytics(*, actor: Actor, code: str) -> dict[str, Any]:
    """The analytics of the session with this code, for its owner and its people."""
    session = await session_by_code(code)
    await require_reader(actor, session)
    stories = await Story.filter(session_id=session.id).order_by("position", "created_at")
    started = await _first_starts(session)
    with_names = session.record_vote_names
    rows = [_story(s, started.get(str(s.id)), with_names=with_names) for s in stories]
    estimated = [r for r in rows if r["status"] == "revealed"]
    return {
        "code": session.code,
        "name": session.name,
        "voting_system": session.voting_system,
        "deck": session.deck,
        "scale": _scale(session.deck),
        "record_vote_names": with_names,
        "totals": _totals(rows, estimated, session.deck),
        "distribution": _distribution(estimated, session.deck),
        "trend": [
            {
                "story_id": r["id"],
                "title": r["title"],
                "position": r["position"],
                "final_estimate": r["final_estimate"],
                "agreement": r["agreement"],
            }
            for r in estimated
        ],
        "participation": await _participation(session, stories, rows, with_names=with_names),
        "stories": rows,
    }


async def require_reader(actor: Actor, session: PokerSession) -> None:
    """The owner, or someone seated in the session (spectators too): who may read what
    the session's reveals recorded, its analytics and its reference stories."""
    if actor.user_id is not None and actor.user_id == session.owner_id:
        return
    if await participant_of(actor, session) is None:
        raise Forbidden("Only the session's owner and its participants can read its analytics")


def _scale(deck: list[str]) -> str:
    """`numeric` when every estimate card is a number, else `ordinal` (deck order)."""
    cards = [c for c in deck if c not in NON_ESTIMATES]
    return "numeric" if cards and figures(cards, deck)["average"] is not None else "ordinal"


async def _first_starts(session: PokerSession) -> dict[str, datetime]:
    """When each story was first made current, from the room's log."""
    events = (
        await RoomEvent.filter(room=room_key(session.code), type="story_started")
        .order_by("seq")
        .values_list("data", "at")
    )
    first: dict[str, datetime] = {}
    for data, at in events:
        story_id = str((data or {}).get("story_id"))
        first.setdefault(story_id, at)
    return first


def _story(story: Story, started: datetime | None, *, with_names: bool) -> dict[str, Any]:
    revealed = story.status == "revealed" and story.result is not None
    result = story.result if revealed and story.result is not None else {}
    stats = result.get("stats") or {}
    votes = result.get("votes") or []
    counted = [v["value"] for v in votes if v["value"] not in NON_ESTIMATES]
    # A story never made current (async votes, a template's first story) started when
    # it was added.
    began = started or story.created_at
    seconds = (
        max(0, round((story.revealed_at - began).total_seconds()))
        if revealed and story.revealed_at and began
        else None
    )
    rounds = [*story.history, *([{"round": story.round, **result}] if revealed else [])]
    agreement = stats.get("agreement") if revealed else None
    return {
        "id": str(story.id),
        "title": story.title,
        "position": story.position,
        "status": story.status,
        "final_estimate": story.final_estimate if revealed else None,
        "votes_cast": stats.get("votes_cast", 0) if revealed else None,
        "votes_counted": stats.get("votes_counted", 0) if revealed else None,
        "average": stats.get("average"),
        "median": stats.get("median"),
        "min": stats.get("min"),
        "max": stats.get("max"),
        "std": spread(counted) if counted else None,
        "agreement": agreement,
        "consensus": bool(counted) and agreement == 100 if revealed else None,
        "low_agreement": bool(counted) and (agreement or 0) < LOW_AGREEMENT if revealed else None,
        "outliers": [_outlier(v, with_names=with_names) for v in votes if v.get("outlier")],
        "rounds": story.round,
        "history": [
            {
                "round": r.get("round"),
                "final_estimate": r.get("final_estimate"),
                "votes_cast": (r.get("stats") or {}).get("votes_cast", 0),
                "agreement": (r.get("stats") or {}).get("agreement", 0),
            }
            for r in rounds
        ],
        "started_at": iso(began) if revealed else None,
        "revealed_at": iso(story.revealed_at) if revealed else None,
        "seconds_to_estimate": seconds,
    }


def _outlier(vote: dict[str, Any], *, with_names: bool) -> dict[str, Any]:
    """An outlying vote: its value, and who cast it only while names are recorded."""
    person = vote.get("participant") if with_names else None
    return {"value": vote["value"], "participant": person}


def _totals(
    rows: list[dict[str, Any]], estimated: list[dict[str, Any]], deck: list[str]
) -> dict[str, Any]:
    finals = [r["final_estimate"] for r in estimated if r["final_estimate"] is not None]
    agreements = [r["agreement"] for r in estimated if r["votes_counted"]]
    seconds = [r["seconds_to_estimate"] for r in estimated if r["seconds_to_estimate"] is not None]
    consensus = sum(1 for r in estimated if r["consensus"])
    summary = figures(finals, deck)
    return {
        "stories": len(rows),
        "estimated": len(estimated),
        "pending": len(rows) - len(estimated),
        "without_estimate": len(estimated) - len(finals),
        "consensus": consensus,
        "consensus_rate": round(100 * consensus / len(estimated)) if estimated else None,
        "average_agreement": round(statistics.fmean(agreements)) if agreements else None,
        "low_agreement": sum(1 for r in estimated if r["low_agreement"]),
        "with_outliers": sum(1 for r in estimated if r["outliers"]),
        "revoted": sum(1 for r in estimated if r["rounds"] > 1),
        "rounds": sum(r["rounds"] for r in estimated),
        "votes_cast": sum(r["votes_cast"] for r in estimated),
        "average_estimate": summary["average"],
        "median_estimate": summary["median"],
        "total_seconds": sum(seconds) if seconds else None,
        "average_seconds": round(statistics.fmean(seconds)) if seconds else None,
        "median_seconds": round(statistics.median(seconds)) if seconds else None,
    }


def _distribution(estimated: list[dict[str, Any]], deck: list[str]) -> list[dict[str, Any]]:
    """How many stories ended on each card, in deck order (cards since dropped last)."""
    counts = Counter(r["final_estimate"] for r in estimated if r["final_estimate"] is not None)
    order = {card: i for i, card in enumerate(deck)}
    cards = sorted(counts, key=lambda c: (order.get(c, len(deck)), c))
    return [{"value": card, "count": counts[card]} for card in cards]


async def _participation(
    session: PokerSession,
    stories: list[Story],
    rows: list[dict[str, Any]],
    *,
    with_names: bool,
) -> list[dict[str, Any]]:
    """Who voted on how many of the estimated stories (who voted is public in the room;
    what they voted is not), and, while names are recorded, how often they were an
    outlier. Everyone who voted or may vote is listed, in order of joining."""
    revealed = [s.id for s in stories if s.status == "revealed" and s.result is not None]
    voted: Counter[int] = Counter()
    if revealed:
        voters = await Vote.filter(story_id__in=revealed).values_list("participant_id")
        voted.update(int(row[0]) for row in voters)
    outlying: dict[int, int] = defaultdict(int)
    for r in rows:
        for o in r["outliers"]:
            if o["participant"] is not None:
                outlying[int(o["participant"]["id"])] += 1
    people = await Participant.filter(session_id=session.id).order_by("id")
    listed = []
    for p in people:
        voter = p.removed_at is None and p.role != "spectator"
        if not voter and not voted[p.id]:
            continue
        listed.append(
            {
                "participant": {"id": p.id, "name": p.name},
                "votes": voted[p.id],
                "rate": round(100 * voted[p.id] / len(revealed)) if revealed else None,
                "outliers": outlying[p.id] if with_names else None,
            }
        )
    return listed
