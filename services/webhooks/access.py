"""Whose events a webhook hears: its owner's poker sessions, and the board projects its
owner may read. Asked when a delivery is queued and again before every try, so someone
removed from a project stops receiving its events at once."""

from __future__ import annotations

import uuid
from typing import Any

from models import PokerSession
from services.actors import Actor
from services.boards.access import project_by_id
from services.errors import DomainError


async def reads_project(user_id: uuid.UUID, project_id: str) -> bool:
    actor = Actor(kind="user", name="", via="system", user_id=user_id)
    try:
        await project_by_id(actor, project_id)
    except DomainError:
        return False
    return True


async def may_receive(user_id: uuid.UUID, payload: dict[str, Any]) -> bool:
    """Whether the account may still hear the event in `payload`."""
    session = payload.get("session")
    if isinstance(session, dict):
        return await PokerSession.filter(code=session.get("code"), owner_id=user_id).exists()
    project = payload.get("project")
    if isinstance(project, dict):
        return await reads_project(user_id, str(project.get("id")))
    return False
