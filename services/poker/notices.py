"""Notices: a short message from the moderator to the room, or to some people in it (a
nudge to vote, a round's summary). Kept in the room's log like every change, so a client
that was away reads it in `sync`; only the people it names are meant to be shown it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models import Participant
from services.actors import Actor
from services.errors import Invalid, NotFound
from services.events import unit_of_work
from services.poker.access import locked_session, require_moderator, require_open, room_key

TEXT_MAX = 500
MAX_RECIPIENTS = 100


async def post_notice(
    *, actor: Actor, code: str, text: str, to: Sequence[int] | None = None
) -> dict[str, Any]:
    """Post `text` to the room (`to` None) or to the seats `to` names (moderator only)."""
    text = text.strip()
    if not text or len(text) > TEXT_MAX:
        raise Invalid(
            f"text must be 1 to {TEXT_MAX} characters",
            details={"errors": {"text": ["1 to 500 characters"]}},
        )
    recipients = sorted(set(to)) if to is not None else None
    if recipients is not None and not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise Invalid(
            f"to must name 1 to {MAX_RECIPIENTS} participants, or be left out for everyone",
            details={"errors": {"to": ["1 to 100 participants"]}},
        )
    async with unit_of_work() as uow:
        session = await locked_session(uow, code)
        require_open(session)
        await require_moderator(actor, session)
        if recipients is not None:
            present = await Participant.filter(
                session_id=session.id, id__in=recipients, removed_at=None
            ).count()
            if present != len(recipients):
                raise NotFound("No such participant in this session")
        data = {"text": text, "to": recipients}
        await uow.emit(room_key(session.code), "notice_posted", data, actor)
    return data
