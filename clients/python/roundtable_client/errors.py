"""What the server says no with."""

from __future__ import annotations

from typing import Any


class CommandError(Exception):
    """A command the server refused: `code` is one of invalid, unauthorized, forbidden,
    not_found, conflict, rate_limited, internal; `details` holds what else the refusal
    says (a conflict on a card: `details["current"]`, the card as it is now)."""

    def __init__(
        self, command: str, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{command}: {code}: {message}")
        self.command = command
        self.code = code
        self.message = message
        self.details = details or {}


class ConnectRefused(Exception):
    """The server refused the connection (a bad token, an unknown room, no access)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
