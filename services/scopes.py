"""The scopes a personal access token can carry, and the one check of them that every
entry point (a REST route, a socket command, a namespace's admission) makes.

Services do not check scopes: a scope says which entry points a token may use, so the
entry point declares what it needs and its face checks it here before the service runs.
"""

from __future__ import annotations

from services.actors import Actor
from services.errors import Forbidden

PROJECTS_READ = "projects:read"
PROJECTS_WRITE = "projects:write"
PILOTAGE_READ = "pilotage:read"
PILOTAGE_WRITE = "pilotage:write"
NOTIFICATIONS_READ = "notifications:read"
ACCOUNT_READ = "account:read"
ACCOUNT_WRITE = "account:write"
POKER_READ = "poker:read"
POKER_WRITE = "poker:write"
WEBHOOKS_READ = "webhooks:read"
WEBHOOKS_WRITE = "webhooks:write"
DOCUMENTS_READ = "documents:read"
DOCUMENTS_WRITE = "documents:write"
MCP = "mcp"

# Every scope, in the order a token lists them.
ALL: tuple[str, ...] = (
    PROJECTS_READ,
    PROJECTS_WRITE,
    PILOTAGE_READ,
    PILOTAGE_WRITE,
    NOTIFICATIONS_READ,
    ACCOUNT_READ,
    ACCOUNT_WRITE,
    POKER_READ,
    POKER_WRITE,
    WEBHOOKS_READ,
    WEBHOOKS_WRITE,
    DOCUMENTS_READ,
    DOCUMENTS_WRITE,
    MCP,
)

# What an entry point needs: one scope, or several that must all be held.
Needed = str | tuple[str, ...]


def each(needed: Needed) -> tuple[str, ...]:
    """The scopes `needed` names, one by one."""
    return (needed,) if isinstance(needed, str) else needed


def require(actor: Actor, needed: Needed) -> None:
    """Refuse a token that lacks any scope in `needed`. A JWT holds every scope."""
    for scope in each(needed):
        if not actor.has_scope(scope):
            raise Forbidden(f"This token lacks the '{scope}' scope")
