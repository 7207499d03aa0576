"""What the REST edges of card details share: the board's paths and answers, text
without NUL, and id fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from server.api.schemas import NoNul
from server.api.shared import BOARD, CARD, Ok, project_ref

__all__ = ["BOARD", "CARD", "NoNul", "Ok", "Ref", "project_ref"]

Ref = Annotated[str, StringConstraints(min_length=1, max_length=64)]
