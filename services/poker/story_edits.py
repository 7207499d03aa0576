"""Changing a story's text (title, description, acceptance criteria): the moderator's
edit, and how an accepted suggestion reaches the story. Its votes and result stay."""

from __future__ import annotations

from typing import Any

from services.actors import Actor
from services.events import unit_of_work
from services.poker.access import (
    code_of_story,
    locked_session,
    require_moderator,
    require_open,
    room_key,
)
from services.poker.stories import story_in
from services.poker.views import story_public, voted_by_story

EDITABLE = ("title", "description", "acceptance_criteria")


async def update_story(*, actor: Actor, story_id: Any, changes: dict[str, str]) -> dict[str, Any]:
    """Change the fields sent (moderator or owner); the room hears `story_updated` when
    something changed, and nothing when the text is already so."""
    code = await code_of_story(story_id)
    async with unit_of_work() as uow:
        session = await locked_session(uow, code)
        require_open(session)
        await require_moderator(actor, session)
        story = await story_in(session, story_id)
        changed = {k: v for k, v in changes.items() if k in EDITABLE and getattr(story, k) != v}
        for field, value in changed.items():
            setattr(story, field, value)
        if changed:
            await story.save(update_fields=list(changed))
        voted = await voted_by_story([story.id])
        rendered = story_public(story, voted[str(story.id)])
        if changed:
            await uow.emit(
                room_key(session.code),
                "story_updated",
                {"story_id": str(story.id), "story": rendered, "changed": sorted(changed)},
                actor,
            )
    return rendered
