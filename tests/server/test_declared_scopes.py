"""Every entry point names the token scopes it needs, so a route or a command added
without one fails here rather than opening to every personal access token."""

from __future__ import annotations

from typing import Any

import pytest

from realtime.board import COMMANDS as BOARD_COMMANDS
from realtime.board import BoardNamespace
from realtime.poker import COMMANDS as POKER_COMMANDS
from realtime.poker import PokerNamespace
from server.api.registry import APIS
from services.scopes import ALL as ALL_SCOPES

ENDPOINTS = [ep for api in APIS for ep in api.endpoints]
COMMANDS = [("/poker", c) for c in POKER_COMMANDS.values()]
COMMANDS += [("/board", c) for c in BOARD_COMMANDS.values()]


def known(scope: Any) -> bool:
    """One known scope, or a non-empty tuple of distinct known scopes."""
    if isinstance(scope, str):
        return scope in ALL_SCOPES
    return (
        isinstance(scope, tuple)
        and bool(scope)
        and len(set(scope)) == len(scope)
        and all(isinstance(s, str) and s in ALL_SCOPES for s in scope)
    )


@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda ep: f"{ep.method} {ep.path}")
def test_every_rest_route_names_its_scopes(ep: Any) -> None:
    if ep.auth == "none":
        # Nobody is authenticated, so there is no token to hold a scope.
        assert ep.scope is None
    else:
        assert known(ep.scope), f"{ep.method} {ep.path} declares scope={ep.scope!r}"


@pytest.mark.parametrize(("namespace", "cmd"), COMMANDS, ids=lambda v: getattr(v, "name", v))
def test_every_socket_command_names_its_scopes(namespace: str, cmd: Any) -> None:
    assert known(cmd.scope), f"{namespace} {cmd.name} declares scope={cmd.scope!r}"


def test_opening_a_socket_names_its_scopes() -> None:
    assert known(PokerNamespace.scope) and known(PokerNamespace.join_scope)
    assert known(BoardNamespace.scope)
