"""How an owner's estimates went across sessions: per folder (a team's sprint), and the
stories whose revealed estimate changed in a later round. Only the caller's own
sessions are read, and only revealed results."""

from __future__ import annotations

import math
import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from models import Folder, PokerSession, Story
from services.actors import Actor
from services.auth import require_user
from services.errors import Invalid, NotFound
from services.poker.decks import LARGEST_NUMBER, NON_ESTIMATES
from services.timefmt import iso

# The changed-estimate list names at most this many stories, the latest revealed first;
# `totals.changed` counts them all.
MAX_CHANGED = 200
UNFILED = "Unfiled"


async def owner_analytics(
    *,
    actor: Actor,
    folder_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> dict[str, Any]:
    """Estimates per folder and the changed estimates over the caller's own sessions,
    optionally of one folder of theirs and of sessions created from `since` to `until`
    (UTC days, both included)."""
    user_id = require_user(actor)
    if since and until and since > until:
        raise Invalid(
            "from must not be after to",
            details={"errors": {"from": ["must not be after to"]}},
        )
    folders = {f.id: f for f in await Folder.filter(owner_id=user_id)}
    if folder_id is not None and folder_id not in folders:
        raise NotFound("Folder not found")
    query = PokerSession.filter(owner_id=user_id)
    if folder_id is not None:
        query = query.filter(folder_id=folder_id)
    if since is not None:
        query = query.filter(created_at__gte=datetime.combine(since, time(), UTC))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time(), UTC)
        query = query.filter(created_at__lt=end)
    sessions = await query.order_by("created_at", "id")
    by_id = {s.id: s for s in sessions}
    # Only what is counted: no votes or results, and the history of re-voted ones only.
    stories = (
        await Story.filter(session_id__in=list(by_id))
        .order_by("position", "created_at")
        .only(*_COUNTED)
        if by_id
        else []
    )
    revoted = [s.id for s in stories if _revealed(s) and s.round > 1]
    histories = (
        dict(await Story.filter(id__in=revoted).values_list("id", "history")) if revoted else {}
    )
    per_session: dict[uuid.UUID, list[Story]] = defaultdict(list)
    for story in stories:
        per_session[story.session_id].append(story)
    order = _card_order(sessions)
    groups: dict[int | None, list[PokerSession]] = defaultdict(list)
    for s in sessions:
        groups[s.folder_id].append(s)
    rows = [
        _folder(folders.get(fid) if fid is not None else None, members, per_session, order)
        for fid, members in groups.items()
    ]
    # Folders by name, the unfiled sessions last.
    rows.sort(key=lambda r: (r["folder"] is None, (r["folder"] or {}).get("name", "")))
    changed = sorted(
        (
            c
            for s in stories
            if (c := _changed(s, histories.get(s.id, []), by_id[s.session_id])) is not None
        ),
        key=lambda c: c["revealed_at"] or "",
        reverse=True,
    )
    estimated = [s for s in stories if _revealed(s)]
    return {
        "filters": {
            "folder_id": folder_id,
            "from": since.isoformat() if since else None,
            "to": until.isoformat() if until else None,
        },
        "totals": {
            "folders": sum(1 for r in rows if r["folder"] is not None),
            "sessions": len(sessions),
            "stories": len(stories),
            "estimated": len(estimated),
            "points": _points([s.final_estimate for s in estimated]),
            "changed": len(changed),
        },
        "folders": rows,
        "changed": changed[:MAX_CHANGED],
    }


_COUNTED = (
    "id",
    "session_id",
    "title",
    "status",
    "final_estimate",
    "round",
    "position",
    "created_at",
    "revealed_at",
)


def _revealed(story: Story) -> bool:
    """Revealed now: a reveal sets the status with the result, a restart clears both."""
    return story.status == "revealed"


def _number(value: str | None) -> float | None:
    """A card as a number, as the reveal reads it ("nan" or "1e300" are words)."""
    if value is None or value in NON_ESTIMATES:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and abs(number) <= LARGEST_NUMBER else None


def _tidy(value: float) -> float | int:
    """Whole numbers as integers while exact, else two decimals."""
    return int(value) if value.is_integer() and abs(value) < 2**53 else round(value, 2)


def _points(finals: list[str | None]) -> float | int | None:
    """The sum of the final estimates that are numbers; null when none is."""
    numbers = [n for n in map(_number, finals) if n is not None]
    return _tidy(math.fsum(numbers)) if numbers else None


def _card_order(sessions: list[PokerSession]) -> dict[str, int]:
    """Cards in the order the sessions' decks first list them."""
    order: dict[str, int] = {}
    for s in sessions:
        for card in s.deck:
            order.setdefault(card, len(order))
    return order


def _distribution(finals: list[str], order: dict[str, int]) -> list[dict[str, Any]]:
    """Stories per final estimate: numbers by value, then other cards in deck order."""
    counts = Counter(finals)

    def key(card: str) -> tuple[int, float, int, str]:
        number = _number(card)
        if number is not None:
            return (0, number, 0, card)
        return (1, 0.0, order.get(card, len(order)), card)

    return [{"value": card, "count": counts[card]} for card in sorted(counts, key=key)]


def _folder(
    folder: Folder | None,
    sessions: list[PokerSession],
    per_session: dict[uuid.UUID, list[Story]],
    order: dict[str, int],
) -> dict[str, Any]:
    finals: list[str] = []
    listed = []
    stories = 0
    for s in sessions:
        revealed = [st for st in per_session[s.id] if _revealed(st)]
        session_finals = [st.final_estimate for st in revealed if st.final_estimate is not None]
        finals += session_finals
        stories += len(per_session[s.id])
        listed.append(
            {
                "code": s.code,
                "name": s.name,
                "status": s.status,
                "created_at": iso(s.created_at),
                "stories": len(per_session[s.id]),
                "estimated": len(revealed),
                "points": _points(list(session_finals)),
            }
        )
    numbers = [n for n in map(_number, finals) if n is not None]
    return {
        "folder": (
            {"id": folder.id, "name": folder.name, "color": folder.color} if folder else None
        ),
        "name": folder.name if folder else UNFILED,
        "sessions": listed,
        "stories": stories,
        "estimated": sum(r["estimated"] for r in listed),
        "points": _points(list(finals)),
        "average_estimate": _tidy(math.fsum(numbers) / len(numbers)) if numbers else None,
        "distribution": _distribution(finals, order),
    }


def _changed(
    story: Story, history: list[dict[str, Any]], session: PokerSession
) -> dict[str, Any] | None:
    """A revealed story whose final estimate differs from one revealed in an earlier
    round: the estimates of its kept rounds, oldest first."""
    if not _revealed(story) or story.final_estimate is None or not history:
        return None
    earlier = [r.get("final_estimate") for r in history if r.get("final_estimate")]
    if not earlier or all(e == story.final_estimate for e in earlier):
        return None
    return {
        "story_id": str(story.id),
        "title": story.title,
        "session": {"code": session.code, "name": session.name},
        "folder_id": session.folder_id,
        "first_estimate": earlier[0],
        "final_estimate": story.final_estimate,
        "estimates": [*earlier, story.final_estimate],
        "rounds": story.round,
        "revealed_at": iso(story.revealed_at),
    }
