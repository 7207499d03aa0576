"""Join codes: six characters from an alphabet without look-alikes."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L: a code read aloud or off a projector is typed right.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6
_SHAPE = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(code: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one."""
    candidate = code.strip().upper()
    return candidate if _SHAPE.match(candidate) else None
