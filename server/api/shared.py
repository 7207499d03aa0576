"""What the boards' REST edges share: the path prefixes, what a path names (a workspace,
a project, a member), and the `{"ok": true}` answer of a delete."""

from __future__ import annotations

import uuid

from server.api.routing import Call
from server.api.schemas import CamelOutput
from services.boards.access import parse_id
from services.boards.locate import ProjectRef

WS = "/orgs/{org_slug}/workspaces/{ws_slug}"
BOARD = WS + "/projects/{project_id}"
CARD = BOARD + "/cards/{card_id}"


class Ok(CamelOutput):
    ok: bool


def ws_where(call: Call) -> dict[str, str]:
    """The workspace a path names, as the services take it (org_slug=, ws_slug=)."""
    return {"org_slug": call.path["org_slug"], "ws_slug": call.path["ws_slug"]}


def project_where(call: Call) -> dict[str, str]:
    return {**ws_where(call), "project_id": call.path["project_id"]}


def project_ref(call: Call) -> ProjectRef:
    p = call.path
    return ProjectRef(p["project_id"], p["org_slug"], p["ws_slug"])


def member_id(call: Call) -> uuid.UUID:
    return parse_id(call.path["user_id"], "Member")
