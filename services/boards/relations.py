"""Typed links between cards of one project.

One row per link, stored in its active form: `blocked_by` is kept as the reverse
`blocks`, and each side reads the link from its own point of view.
"""

from __future__ import annotations

import uuid
from typing import Any

from tortoise.expressions import Q

from models import Card, CardRelation
from services.actors import Actor
from services.boards.access import parse_id
from services.boards.locate import ProjectRef, board_access, card_in, locked_project, room_of
from services.errors import Conflict, NotFound, invalid_field
from services.events import unit_of_work
from services.timefmt import iso

TYPES = ("blocks", "blocked_by", "related_to", "duplicates", "parent_of")
# How a stored kind reads from its target's side.
_REVERSE = {
    "blocks": "blocked_by",
    "related_to": "related_to",
    "duplicates": "duplicated_by",
    "parent_of": "child_of",
}
MAX_RELATIONS_PER_CARD = 200


def relation_public(rel: CardRelation, seen_from: uuid.UUID | None = None) -> dict[str, Any]:
    """The link as `seen_from` reads it (its source by default)."""
    if seen_from is not None and seen_from == rel.target_id and seen_from != rel.source_id:
        card, other, kind = rel.target_id, rel.source_id, _REVERSE[rel.kind]
    else:
        card, other, kind = rel.source_id, rel.target_id, rel.kind
    return {
        "id": str(rel.id),
        "projectId": str(rel.project_id),
        "cardId": str(card),
        "targetCardId": str(other),
        "type": kind,
        "createdAt": iso(rel.created_at),
    }


async def _descends(start: uuid.UUID, wanted: uuid.UUID) -> bool:
    """Whether `wanted` is `start` or one of its descendants through parent_of links."""
    seen, frontier = {start}, [start]
    while frontier:
        if wanted in frontier:
            return True
        children = await CardRelation.filter(kind="parent_of", source_id__in=frontier).values_list(
            "target_id", flat=True
        )
        frontier = [c for c in (uuid.UUID(str(x)) for x in children) if c not in seen]
        seen.update(frontier)
    return False


async def list_relations(*, actor: Actor, ref: ProjectRef, card_id: Any) -> list[dict[str, Any]]:
    access = await board_access(actor, ref)
    card = await card_in(access.project.id, card_id)
    rows = await CardRelation.filter(Q(source_id=card.id) | Q(target_id=card.id)).order_by(
        "created_at", "id"
    )
    return [relation_public(r, card.id) for r in rows]


async def add_relation(
    *, actor: Actor, ref: ProjectRef, card_id: Any, target_card_id: Any, type: str
) -> dict[str, Any]:
    if type not in TYPES:
        raise invalid_field("type", f"must be one of {', '.join(TYPES)}")
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        card = await card_in(access.project.id, card_id)
        try:
            target: Card = await card_in(access.project.id, target_card_id)
        except NotFound:
            raise NotFound("Target card not found") from None
        if target.id == card.id:
            raise invalid_field("targetCardId", "a card cannot be related to itself")
        source_id, target_id, kind = card.id, target.id, type
        if type == "blocked_by":
            source_id, target_id, kind = target.id, card.id, "blocks"
        same = CardRelation.filter(kind=kind, source_id=source_id, target_id=target_id)
        if kind == "related_to":
            same = CardRelation.filter(
                Q(source_id=source_id, target_id=target_id)
                | Q(source_id=target_id, target_id=source_id),
                kind=kind,
            )
        if await same.exists():
            raise Conflict("These cards are already linked this way")
        if kind == "parent_of" and await _descends(target_id, source_id):
            raise Conflict("That link would make a card its own ancestor")
        count = await CardRelation.filter(Q(source_id=card.id) | Q(target_id=card.id)).count()
        if count >= MAX_RELATIONS_PER_CARD:
            raise Conflict(f"A card can have at most {MAX_RELATIONS_PER_CARD} relations")
        rel = await CardRelation.create(
            project_id=access.project.id, source_id=source_id, target_id=target_id, kind=kind
        )
        await uow.emit(room_of(access), "relation_added", {"relation": relation_public(rel)}, actor)
    return relation_public(rel, card.id)


async def delete_relation(*, actor: Actor, ref: ProjectRef, relation_id: Any) -> None:
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        rel = await CardRelation.filter(
            id=parse_id(relation_id, "Relation"), project_id=access.project.id
        ).first()
        if rel is None:
            raise NotFound("Relation not found")
        await rel.delete()
        await uow.emit(
            room_of(access), "relation_removed", {"relation": relation_public(rel)}, actor
        )
