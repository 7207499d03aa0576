"""Invitations over REST, including the email through a real local SMTP server."""

from __future__ import annotations

import asyncio
import email
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from models import Invitation, User
from services.boards import mailer
from tests.conftest import settings_for
from tests.factories import Board, add_member, bearer, create_board, create_user, jwt_for
from tests.server.test_orgs_api import pat

Headers = dict[str, Any]


def _error(status: int, message: str, error: str) -> dict[str, Any]:
    return {"statusCode": status, "message": message, "error": error}


def _h(user: User) -> Headers:
    return bearer(jwt_for(user))


def _ws(board: Board) -> str:
    return f"/api/orgs/{board.org.slug}/workspaces/{board.workspace.slug}"


async def _invite(
    client: httpx.AsyncClient, board: Board, email_address: str, role: str = "member"
) -> dict[str, Any]:
    res = await client.post(
        _ws(board) + "/members/invite",
        json={"email": email_address, "role": role},
        headers=_h(board.owner),
    )
    assert res.status_code == 201, res.text
    body: dict[str, Any] = res.json()
    return body


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, email.message.Message]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else b""
        self.messages.append((envelope, email.message_from_bytes(raw)))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[tuple[_Inbox, int]]:
    """A real SMTP server on a free local port, collecting what it receives."""
    handler = _Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
async def mailing_client(db: str, inbox: tuple[_Inbox, int]) -> AsyncIterator[httpx.AsyncClient]:
    """The app as configured by SMTP_* settings, pointing at the local SMTP server."""
    from server.app import create_app

    settings = settings_for(
        db,
        smtp_host="127.0.0.1",
        smtp_port=inbox[1],
        smtp_from="Roundtable <noreply@roundtable.test>",
        public_url="https://boards.example.com",
    )
    app = create_app(settings, manage_db=False)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
    finally:
        mailer.configure(smtp=None)


async def test_invite_answers_201_with_the_token_and_link_when_no_email_is_configured(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    inv = await _invite(client, board, "Teammate@Company.com")
    token = inv["token"]
    assert set(inv) == {
        "id",
        "workspaceId",
        "email",
        "role",
        "status",
        "invitedById",
        "expiresAt",
        "createdAt",
        "token",
        "link",
        "emailSent",
    }
    assert (inv["email"], inv["role"], inv["status"], inv["emailSent"]) == (
        "teammate@company.com",
        "member",
        "pending",
        False,
    )
    assert inv["link"] == f"/invitations/{token}"
    assert inv["invitedById"] == str(board.owner.id)
    # The link opens the app.
    page = await client.get(inv["link"])
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


async def test_the_invitation_email_arrives_with_the_accept_link(
    mailing_client: httpx.AsyncClient, inbox: tuple[_Inbox, int]
) -> None:
    handler, _ = inbox
    board = await create_board()
    inv = await _invite(mailing_client, board, "teammate@company.com", "admin")
    assert inv["emailSent"] is True
    for _ in range(50):
        if handler.messages:
            break
        await asyncio.sleep(0.05)
    assert len(handler.messages) == 1
    envelope, message = handler.messages[0]
    assert envelope.rcpt_tos == ["teammate@company.com"]
    assert message["From"] == "Roundtable <noreply@roundtable.test>"
    assert board.workspace.name in message["Subject"]
    text = message.get_payload(decode=True).decode()
    assert f"https://boards.example.com/invitations/{inv['token']}" in text
    assert "as admin" in text
    # The emailed token works like the one in the answer.
    user = await create_user(email="teammate@company.com")
    res = await mailing_client.post(f"/api/invitations/{inv['token']}/accept", headers=_h(user))
    assert res.status_code == 200 and res.json()["myRole"] == "admin"


async def _mail_to(handler: _Inbox, address: str) -> email.message.Message:
    for _ in range(100):
        for envelope, message in handler.messages:
            if envelope.rcpt_tos == [address]:
                return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"no email to {address}")


async def test_adding_by_email_mails_an_invitation_or_a_notice_alike(
    mailing_client: httpx.AsyncClient, inbox: tuple[_Inbox, int]
) -> None:
    """An address without an account is invited by email, through a link that works;
    an account that was added directly is told so by email. The admin sees one answer."""
    handler, _ = inbox
    board = await create_board()
    await create_user(email="kim@acme.com")
    url = f"/api/organizations/{board.org.slug}/members"
    for address in ("kim@acme.com", "ghost@acme.com"):
        res = await mailing_client.post(
            url, json={"email": address, "role": "member"}, headers=_h(board.owner)
        )
        assert res.status_code == 201
        assert res.json() == {"email": address, "role": "member"}
    notice = await _mail_to(handler, "kim@acme.com")
    assert board.org.name in notice["Subject"]
    assert f"/api/organizations/{board.org.slug}/members/me" in notice.get_payload()
    invitation = await _mail_to(handler, "ghost@acme.com")
    assert board.org.name in invitation["Subject"]
    text = invitation.get_payload(decode=True).decode()
    link = next(w for w in text.split() if w.startswith("https://boards.example.com/invitations/"))
    token = link.rsplit("/", 1)[1]
    ghost = await create_user(email="ghost@acme.com")
    accepted = await mailing_client.post(f"/api/invitations/{token}/accept", headers=_h(ghost))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["organizationSlug"] == board.org.slug
    orgs = (await mailing_client.get("/api/organizations", headers=_h(ghost))).json()
    assert [(o["slug"], o["myRole"]) for o in orgs] == [(board.org.slug, "member")]


async def test_an_unreachable_smtp_server_keeps_the_invitation(
    client: httpx.AsyncClient,
) -> None:
    mailer.configure(smtp=mailer.SmtpSettings(host="127.0.0.1", port=_free_port()))
    try:
        board = await create_board()
        inv = await _invite(client, board, "x@company.com")
    finally:
        mailer.configure(smtp=None)
    assert inv["emailSent"] is False
    listed = await client.get(_ws(board) + "/invitations", headers=_h(board.owner))
    assert [i["id"] for i in listed.json()] == [inv["id"]]


async def _roles(board: Board) -> dict[str, Headers]:
    member, admin = await create_user(), await create_user()
    await add_member(board, member)
    await add_member(board, admin, ws_role="admin")
    return {
        "anonymous": {},
        "stranger": _h(await create_user()),
        "member": _h(member),
        "admin": _h(admin),
        "owner": _h(board.owner),
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("stranger", 404), ("member", 403), ("admin", 201), ("owner", 201)],
)
async def test_who_may_invite_list_and_revoke(
    client: httpx.AsyncClient, who: str, status: int
) -> None:
    board = await create_board()
    headers = (await _roles(board))[who]
    res = await client.post(
        _ws(board) + "/members/invite", json={"email": "n@example.com"}, headers=headers
    )
    assert res.status_code == status, res.text
    read_status = 200 if status == 201 else status
    listed = await client.get(_ws(board) + "/invitations", headers=headers)
    assert listed.status_code == read_status
    pending = await _invite(client, board, "other@example.com")
    res = await client.delete(f"{_ws(board)}/invitations/{pending['id']}", headers=headers)
    assert res.status_code == read_status, res.text
    if read_status == 200:
        assert res.json() == {"ok": True}
        emails = [
            i["email"]
            for i in (await client.get(_ws(board) + "/invitations", headers=headers)).json()
        ]
        assert emails == ["n@example.com"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "not-an-address"},
        {"email": "a@b"},
        {"email": "x@example.com", "role": "owner"},
        {"email": "x@example.com", "extra": True},
        {"email": 12},
        {"email": "x" * 250 + "@example.com"},
    ],
)
async def test_invite_refuses_bad_input(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    board = await create_board()
    res = await client.post(_ws(board) + "/members/invite", json=body, headers=_h(board.owner))
    assert res.status_code == 400, res.text
    assert res.json()["error"] == "Bad Request"


async def test_inviting_a_member_is_409_and_re_inviting_replaces(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    res = await client.post(
        _ws(board) + "/members/invite", json={"email": board.owner.email}, headers=_h(board.owner)
    )
    assert res.json() == _error(409, "This person is already a member of the workspace", "Conflict")
    first = await _invite(client, board, "again@example.com")
    second = await _invite(client, board, "again@example.com", "admin")
    listed = (await client.get(_ws(board) + "/invitations", headers=_h(board.owner))).json()
    assert [(i["id"], i["role"]) for i in listed] == [(second["id"], "admin")]
    assert all("token" not in i for i in listed)
    user = await create_user(email="again@example.com")
    res = await client.post(f"/api/invitations/{first['token']}/accept", headers=_h(user))
    assert res.json() == _error(404, "Invitation not found", "Not Found")


async def test_accepting_joins_the_workspace_and_the_organization(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    inv = await _invite(client, board, "new@example.com")
    register = await client.post(
        "/api/auth/register", json={"email": "new@example.com", "password": "secure-pass-123"}
    )
    headers = bearer(register.json()["access_token"])
    res = await client.post(f"/api/invitations/{inv['token']}/accept", headers=headers)
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["id"], body["organizationSlug"], body["myRole"], body["myPilotageRole"]) == (
        str(board.workspace.id),
        board.org.slug,
        "member",
        "viewer",
    )
    orgs = (await client.get("/api/organizations", headers=headers)).json()
    assert {(o["slug"], o["myRole"]) for o in orgs} == {
        (board.org.slug, "member"),
        ("new", "owner"),
    }
    assert (await client.get(_ws(board), headers=headers)).status_code == 200
    again = await client.post(f"/api/invitations/{inv['token']}/accept", headers=headers)
    assert again.json() == _error(409, "Invitation has already been accepted", "Conflict")
    listed = (await client.get(_ws(board) + "/invitations", headers=_h(board.owner))).json()
    assert listed == []
    gone = await client.delete(f"{_ws(board)}/invitations/{inv['id']}", headers=_h(board.owner))
    assert gone.json() == _error(409, "Invitation has already been accepted", "Conflict")


async def test_accept_refusals(client: httpx.AsyncClient) -> None:
    board = await create_board()
    invited = await create_user(email="invited@example.com")
    inv = await _invite(client, board, "invited@example.com")
    url = f"/api/invitations/{inv['token']}/accept"
    assert (await client.post(url)).status_code == 401
    wrong = await client.post(url, headers=_h(await create_user()))
    assert wrong.json() == _error(
        403, "This invitation was sent to another email address", "Forbidden"
    )
    reader = await pat(invited, "projects:read")
    assert (await client.post(url, headers=reader)).status_code == 403
    await Invitation.filter(id=inv["id"]).update(expires_at=datetime.now(UTC) - timedelta(1))
    expired = await client.post(url, headers=_h(invited))
    assert expired.json() == _error(409, "Invitation has expired", "Conflict")
    listed = (await client.get(_ws(board) + "/invitations", headers=_h(board.owner))).json()
    assert [i["status"] for i in listed] == ["expired"]
    fresh = await _invite(client, board, "invited@example.com")
    await client.delete(f"{_ws(board)}/invitations/{fresh['id']}", headers=_h(board.owner))
    for token in (fresh["token"], "rti_nonsense", "x" * 300):
        res = await client.post(f"/api/invitations/{token}/accept", headers=_h(invited))
        assert res.json() == _error(404, "Invitation not found", "Not Found")


async def test_revoking_someone_elses_or_a_bad_id_is_404(client: httpx.AsyncClient) -> None:
    board, other = await create_board(), await create_board()
    theirs = await _invite(client, other, "x@example.com")
    for inv_id in (theirs["id"], "not-a-uuid"):
        res = await client.delete(f"{_ws(board)}/invitations/{inv_id}", headers=_h(board.owner))
        assert res.json() == _error(404, "Invitation not found", "Not Found")


async def test_a_read_only_token_cannot_invite(client: httpx.AsyncClient) -> None:
    board = await create_board()
    reader = await pat(board.owner, "projects:read")
    res = await client.post(
        _ws(board) + "/members/invite", json={"email": "x@example.com"}, headers=reader
    )
    assert res.json() == _error(403, "This token lacks the 'projects:write' scope", "Forbidden")
    assert (await client.get(_ws(board) + "/invitations", headers=reader)).status_code == 200
