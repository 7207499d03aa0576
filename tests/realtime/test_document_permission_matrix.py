"""Who may open a document's live room, and which commands each caller may send: the
same rules as over REST. Outsiders are refused as if the document did not exist."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from realtime.document import COMMANDS as DOCUMENT_COMMANDS
from tests.card_details import pat_headers
from tests.factories import guest, poker_room
from tests.matrix import CALLERS, World, build_world
from tests.realtime.clients import LiveServer
from tests.realtime.document_clients import DocumentTab

DocTabs = Callable[[], DocumentTab]
SECRET = "Zephyrsecret "


@pytest.fixture
async def doc_tabs(live_server: LiveServer) -> AsyncIterator[DocTabs]:
    opened: list[DocumentTab] = []

    def open_tab() -> DocumentTab:
        tab = DocumentTab(live_server)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        await tab.close()


# Opening a workspace's document and a project's: the refusal code, or None when the
# caller gets the document. A projects-only token lacks documents:read.
WORKSPACE_DOC: dict[str, str | None] = {
    "anonymous": "unauthorized",
    "stranger": "not_found",
    "pat_read": "forbidden",
    "ws_member": None,
    "member": None,
    "admin": None,
    "owner": None,
}
PROJECT_DOC = WORKSPACE_DOC | {"ws_member": "not_found"}


async def _documents(w: World) -> dict[str, str]:
    return {
        "workspace": await w.document("Handbook"),
        "project": await w.document(
            "Board rules", scope_type="project", project_id=str(w.board.project.id)
        ),
    }


async def test_who_may_open_a_document(doc_tabs: DocTabs, live_server: LiveServer) -> None:
    w = await build_world(tag=SECRET)
    docs = await _documents(w)
    assert set(WORKSPACE_DOC) == set(CALLERS)
    wrong: list[str] = []
    for level, expected in (("workspace", WORKSPACE_DOC), ("project", PROJECT_DOC)):
        for caller in CALLERS:
            token = await w.token(caller)
            auth = {"document": docs[level]} | ({"token": token} if token else {})
            want = expected[caller]
            if want is None:
                state = await doc_tabs().connect(str(token), docs[level])
                if state["document"]["id"] != docs[level]:
                    wrong.append(f"{level} {caller}: {state}")
                continue
            refusal = await doc_tabs().refused(auth)
            if refusal["code"] != want or SECRET.strip() in str(refusal):
                wrong.append(f"{level} {caller}: expected {want}, got {refusal}")
    assert not wrong, "\n".join(wrong)


async def test_a_refusal_does_not_tell_whether_the_document_exists(
    doc_tabs: DocTabs, live_server: LiveServer
) -> None:
    w = await build_world()
    docs = await _documents(w)
    for caller, doc in (("stranger", docs["workspace"]), ("ws_member", docs["project"])):
        token = str(await w.token(caller))
        real = await doc_tabs().refused({"token": token, "document": doc})
        made_up = await doc_tabs().refused({"token": token, "document": str(uuid.uuid4())})
        malformed = await doc_tabs().refused({"token": token, "document": "not-an-id"})
        assert real == made_up == malformed, caller


async def test_bad_admissions(doc_tabs: DocTabs, live_server: LiveServer) -> None:
    w = await build_world()
    doc = await w.document()
    _, _, session = await poker_room()
    _, _, guest_token = await guest(session["code"], "Gus")
    token = str(await w.token("owner"))
    cases: list[tuple[Any, str]] = [
        ({"document": doc}, "unauthorized"),
        ({"token": token}, "invalid"),
        ({"token": token, "document": 5}, "invalid"),
        ("just a string", "unauthorized"),
        ({"token": guest_token, "document": doc}, "forbidden"),
    ]
    for auth, code in cases:
        refusal = await doc_tabs().refused(auth)
        assert refusal["code"] == code, (auth, refusal)


async def viewing(w: World) -> dict[str, Any]:
    return {"mode": "editing"}


async def since_zero(w: World) -> dict[str, Any]:
    return {"since": 0}


Payload = Callable[[World], Awaitable[dict[str, Any]]]
# Every /document command and its payload; anyone admitted may send them, a token with
# documents:read included.
COMMANDS: dict[str, Payload] = {"set_mode": viewing, "sync": since_zero}


def test_every_document_command_has_a_row() -> None:
    assert set(COMMANDS) == set(DOCUMENT_COMMANDS)


async def test_what_each_caller_may_do_in_a_document(
    doc_tabs: DocTabs, live_server: LiveServer
) -> None:
    w = await build_world()
    doc = await w.document()
    reader = (await pat_headers(w.owner, "documents:read"))["Authorization"].removeprefix("Bearer ")
    tokens = {c: str(await w.token(c)) for c in ("ws_member", "member", "admin", "owner")}
    tokens["documents:read"] = reader
    wrong: list[str] = []
    for caller, token in tokens.items():
        tab = doc_tabs()
        await tab.connect(token, doc)
        for command, payload in COMMANDS.items():
            ack = await tab.call(command, await payload(w))
            if not ack["ok"]:
                wrong.append(f"{caller} {command}: {ack}")
        unknown = await tab.call("save_document", {"content": {}})
        if unknown["ok"] or unknown["error"]["code"] != "invalid":
            wrong.append(f"{caller} save_document: {unknown}")
        await tab.close()
    assert not wrong, "\n".join(wrong)


async def test_losing_access_is_seen_by_the_next_command(
    doc_tabs: DocTabs, live_server: LiveServer
) -> None:
    """Commands read the document again, so a member removed from the workspace is
    refused at once, whatever the socket was admitted with."""
    from models import WorkspaceMember

    w = await build_world()
    doc = await w.document()
    tab = doc_tabs()
    await tab.connect(str(await w.token("ws_member")), doc)
    await WorkspaceMember.filter(workspace_id=w.board.workspace.id, user_id=w.ws_member.id).delete()
    for command, payload in COMMANDS.items():
        ack = await tab.call(command, await payload(w))
        assert ack["ok"] is False and ack["error"]["code"] == "not_found", (command, ack)
