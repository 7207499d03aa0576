"""Who is acting: a signed-in user (JWT or PAT) or a guest holding a room token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

ActorKind = Literal["user", "guest", "agent", "system", "automation"]
Via = Literal["jwt", "pat", "guest", "system"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    name: str
    via: Via
    user_id: uuid.UUID | None = None
    participant_id: int | None = None
    # A guest token is bound to one session; the id of that session.
    session_id: uuid.UUID | None = None
    # None means every scope (a JWT); a PAT carries its own list.
    scopes: frozenset[str] | None = None
    token_id: uuid.UUID | None = None
    # An automation rule acting on its project: it is named by its own id and acts with
    # the rights of `user_id`, the person who last saved it.
    rule_id: uuid.UUID | None = None
    # A workspace agent on a mission: named by its own id, acting with the rights of
    # `user_id`, the person who started the mission (or who approves its proposal).
    agent_id: uuid.UUID | None = None

    @cached_property
    def id(self) -> str:
        """Who acts, as text. Kept once made: a socket's actor names every command it
        sends, in its log line, its rate limit and its events."""
        if self.agent_id is not None:
            return str(self.agent_id)
        if self.rule_id is not None:
            return str(self.rule_id)
        if self.user_id is not None:
            return str(self.user_id)
        return str(self.participant_id)

    @property
    def is_user(self) -> bool:
        return self.user_id is not None

    def has_scope(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes

    def wire(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind}


SYSTEM = Actor(kind="system", name="Roundtable", via="system")
