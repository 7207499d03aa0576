"""Room templates: an account's named, reusable room set-ups (settings and stories), and
new sessions made from them. Each account sees only its own; another's is not found."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tortoise.exceptions import IntegrityError

from models import RoomTemplate
from services.actors import Actor
from services.auth import require_user
from services.errors import Conflict, NotFound
from services.poker import sessions, workspace
from services.poker.sessions import StoryDraft
from services.poker.workspace import RoomSettings
from services.timefmt import iso

MAX_TEMPLATES = 50
MAX_STORIES = 100
NAME_MAX = 100
_NOT_FOUND = "Template not found"
_TAKEN = "You already have a template with that name"


def template_public(t: RoomTemplate) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "description": t.description,
        **RoomSettings.of(t).public(),
        "stories": [_story(s) for s in t.stories],
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
    }


def _story(s: Mapping[str, Any]) -> dict[str, str]:
    return {
        "title": str(s["title"]),
        "description": str(s.get("description", "")),
        "acceptance_criteria": str(s.get("acceptance_criteria", "")),
    }


async def _owned(actor: Actor, template_id: int) -> RoomTemplate:
    found = await RoomTemplate.filter(id=template_id, owner_id=require_user(actor)).first()
    if found is None:
        raise NotFound(_NOT_FOUND)
    return found


async def list_templates(*, actor: Actor) -> list[dict[str, Any]]:
    rows = await RoomTemplate.filter(owner_id=require_user(actor)).order_by("name", "id")
    return [template_public(t) for t in rows]


async def get_template(*, actor: Actor, template_id: int) -> dict[str, Any]:
    return template_public(await _owned(actor, template_id))


async def create_template(
    *,
    actor: Actor,
    name: str,
    description: str = "",
    settings: Mapping[str, Any] | None = None,
    stories: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """A new template; settings left out are the workspace defaults of this moment, so
    the template keeps its set-up when the defaults change later."""
    user_id = require_user(actor)
    if await RoomTemplate.filter(owner_id=user_id).count() >= MAX_TEMPLATES:
        raise Conflict(f"You can have at most {MAX_TEMPLATES} templates; delete one first")
    if await RoomTemplate.filter(owner_id=user_id, name=name).exists():
        raise Conflict(_TAKEN)
    resolved = (await workspace.defaults_for(user_id)).merged(settings or {})
    try:
        row = await RoomTemplate.create(
            owner_id=user_id,
            name=name,
            description=description,
            stories=[_story(s) for s in stories],
            **resolved.columns(),
        )
    except IntegrityError:
        raise Conflict(_TAKEN) from None
    return template_public(row)


async def update_template(
    *, actor: Actor, template_id: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply the fields present in `changes`; `stories` replaces the whole list."""
    row = await _owned(actor, template_id)
    before = template_public(row)
    name = changes.get("name")
    if name is not None and name != row.name:
        if await RoomTemplate.filter(owner_id=row.owner_id, name=name).exists():
            raise Conflict(_TAKEN)
        row.name = name
    if changes.get("description") is not None:
        row.description = changes["description"]
    if changes.get("stories") is not None:
        row.stories = [_story(s) for s in changes["stories"]]
    settings = {k: v for k, v in changes.items() if k in workspace.FIELDS}
    row.update_from_dict(RoomSettings.of(row).merged(settings).columns())
    if template_public(row) == before:
        return before  # a change to nothing is no change: updated_at stays
    try:
        await row.save()
    except IntegrityError:
        raise Conflict(_TAKEN) from None
    return template_public(row)


async def delete_template(*, actor: Actor, template_id: int) -> None:
    """Sessions made from it stay as they are."""
    await (await _owned(actor, template_id)).delete()


async def start_session(
    *,
    actor: Actor,
    template_id: int,
    name: str | None = None,
    description: str | None = None,
    folder_id: int | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """A new session from the template: its settings and stories, under its name unless
    the request names it; settings the request sets override the template's."""
    template = await _owned(actor, template_id)
    return await sessions.create_session(
        actor=actor,
        name=name or template.name,
        description=template.description if description is None else description,
        folder_id=folder_id,
        base=RoomSettings.of(template),
        stories=[StoryDraft(**_story(s)) for s in template.stories],
        **settings,
    )
