"""The built-in plan: rules chosen from the prompt and the card, over the project's own
data, with no network. Each planned action is a registry tool and its arguments."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from typing import Any

from models import Card, CardLabel, ChecklistItem, Comment, Label

MAX_ITEMS = 20
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|\[[ xX]?\])\s+(.*\S)\s*$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z0-9]{4,}")

CHECKLIST = ("checklist", "break", "split", "steps", "subtask", "tasks", "todo", "items")
SUMMARY = ("summar", "comment", "recap", "discussion", "digest")
SUGGEST = ("label", "estimat", "size", "points", "similar", "suggest")


def action(tool: str, summary: str, **arguments: Any) -> dict[str, Any]:
    return {"tool": tool, "arguments": arguments, "summary": summary[:500]}


def items_of(description: str) -> list[str]:
    """A description's bullets, or else its sentences, as checklist titles."""
    lines = [ln for ln in description.splitlines() if ln.strip()]
    bullets = [m.group(1) for ln in lines if (m := _BULLET.match(ln))]
    if bullets:
        found = bullets
    else:
        text = " ".join(ln.strip() for ln in lines)
        found = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    titles = [t.rstrip(".").strip()[:500] for t in found]
    return list(dict.fromkeys(t for t in titles if t))[:MAX_ITEMS]


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


async def checklist_actions(card: Card) -> list[dict[str, Any]]:
    have = {i.title.strip().lower() for i in await ChecklistItem.filter(card_id=card.id)}
    return [
        action(
            "add_checklist_item",
            f"Add the checklist item “{title}”",
            project_id=str(card.project_id),
            card_id=str(card.id),
            title=title,
        )
        for title in items_of(card.description)
        if title.lower() not in have
    ]


async def summary_actions(card: Card) -> list[dict[str, Any]]:
    comments = await Comment.filter(card_id=card.id).order_by("created_at")
    if not comments:
        return []
    people = Counter(c.author_name for c in comments)
    lines = [
        f"Summary of {len(comments)} comments by "
        + ", ".join(f"{name} ({n})" for name, n in people.most_common()),
    ]
    for c in comments[-5:]:
        first = _SENTENCE.split(c.content.strip())[0][:200]
        lines.append(f"- {c.author_name}: {first}")
    content = "\n".join(lines)[:5000]
    return [
        action(
            "add_comment",
            "Comment with a summary of the discussion",
            project_id=str(card.project_id),
            card_id=str(card.id),
            content=content,
        )
    ]


async def suggestion_actions(card: Card) -> list[dict[str, Any]]:
    """Labels and an estimate drawn from the project's most similar cards."""
    mine = _words(f"{card.title} {card.description}")
    others = await Card.filter(project_id=card.project_id).exclude(id=card.id).limit(500)
    scored = sorted(
        ((len(mine & _words(f"{o.title} {o.description}")), o) for o in others),
        key=lambda pair: -pair[0],
    )
    similar = [o for score, o in scored if score > 0][:5]
    if not similar:
        return []
    ids = [o.id for o in similar]
    label_ids = Counter(
        lid for lid in await CardLabel.filter(card_id__in=ids).values_list("label_id", flat=True)
    )
    names = {str(lb.id): lb.name for lb in await Label.filter(id__in=list(label_ids))}
    points = [float(o.estimate) for o in similar if o.estimate and _numeric(o.estimate)]
    parts = ["Similar cards: " + ", ".join(f"“{o.title[:80]}”" for o in similar) + "."]
    if names:
        common = [names[str(i)] for i, _ in label_ids.most_common(3) if str(i) in names]
        parts.append("Suggested labels: " + ", ".join(common) + ".")
    if points:
        parts.append(f"Suggested estimate: {statistics.median(points):g}.")
    return [
        action(
            "add_comment",
            "Comment with labels and an estimate drawn from similar cards",
            project_id=str(card.project_id),
            card_id=str(card.id),
            content=" ".join(parts)[:5000],
        )
    ]


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def builtin_plan(card: Card, prompt: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The rules the prompt asks for (the card's checklist when it names none), and the
    actions they plan."""
    wanted = prompt.lower()
    rules = [
        name
        for name, words in (("checklist", CHECKLIST), ("summary", SUMMARY), ("suggest", SUGGEST))
        if any(w in wanted for w in words)
    ] or ["checklist"]
    planned: list[dict[str, Any]] = []
    for rule in rules:
        if rule == "checklist":
            planned += await checklist_actions(card)
        elif rule == "summary":
            planned += await summary_actions(card)
        else:
            planned += await suggestion_actions(card)
    return rules, planned
