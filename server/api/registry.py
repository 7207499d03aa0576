"""Every REST area the app serves."""

from __future__ import annotations

from server.api import accounts, folders, meta, sessions, tokens, voting
from server.api.routing import Api

APIS: list[Api] = [meta.api, accounts.api, tokens.api, sessions.api, voting.api, folders.api]
