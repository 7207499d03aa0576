"""What the REST edges of card details share: paths, the project a path names, and
common response shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from server.api.routing import Call
from server.api.schemas import Output
from services.boards.locate import ProjectRef

BOARD = "/orgs/{org_slug}/workspaces/{ws_slug}/projects/{project_id}"
CARD = BOARD + "/cards/{card_id}"


def project_ref(call: Call) -> ProjectRef:
    return ProjectRef(call.path["project_id"], call.path["org_slug"], call.path["ws_slug"])


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NoNul = AfterValidator(_no_nul)
Ref = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Ok(Output):
    ok: bool
