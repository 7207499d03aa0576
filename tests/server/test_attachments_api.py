"""Attachments over REST: streamed multipart uploads with a hard 10 MB cap, downloads."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from models import Attachment, Card
from services.boards import attachments
from tests.card_details import captured, make_card, of_type, pat_headers
from tests.factories import Board, bearer, create_board, jwt_for


def _files(store: Path) -> list[Path]:
    return [p for p in store.rglob("*") if p.is_file()] if store.exists() else []


async def test_upload_list_download_delete(client: httpx.AsyncClient, store: Path) -> None:
    board = await create_board()
    card = await make_card(board)
    headers = bearer(jwt_for(board.owner))
    url = f"{board.base}/cards/{card.id}/attachments"
    payload = b"%PDF-1.4 spec" * 100
    with captured() as seen:
        res = await client.post(
            url,
            files={"file": ("../../etc/api spec.pdf", payload, "application/pdf")},
            headers=headers,
        )
    assert res.status_code == 201, res.text
    body = res.json()
    assert set(body) == {
        "id",
        "cardId",
        "uploadedBy",
        "originalName",
        "mimeType",
        "size",
        "createdAt",
    }
    assert body["originalName"] == "api spec.pdf"
    assert body["mimeType"] == "application/pdf"
    assert body["size"] == len(payload)
    assert body["uploadedBy"] == str(board.owner.id)
    assert of_type(seen, "attachment_added") == [{"attachment": body, "cardId": str(card.id)}]
    [stored] = _files(store)
    assert "spec" not in stored.name and stored.read_bytes() == payload

    listed = await client.get(url, headers=headers)
    assert listed.json() == [body]
    got = await client.get(f"{url}/{body['id']}", headers=headers)
    assert got.status_code == 200
    assert got.content == payload
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"api spec.pdf\"; filename*=UTF-8''api%20spec.pdf"
    )
    assert got.headers["x-content-type-options"] == "nosniff"

    with captured() as seen:
        res = await client.delete(f"{url}/{body['id']}", headers=headers)
    assert res.json() == {"ok": True}
    assert of_type(seen, "attachment_deleted")[0]["attachment"]["id"] == body["id"]
    assert _files(store) == []
    assert (await client.get(f"{url}/{body['id']}", headers=headers)).status_code == 404


async def test_mime_is_guessed_when_the_upload_does_not_say(
    client: httpx.AsyncClient, store: Path
) -> None:
    board = await create_board()
    card = await make_card(board)
    url = f"{board.base}/cards/{card.id}/attachments"
    res = await client.post(
        url,
        files={"file": ("résumé;v2.txt", b"hello", "application/octet-stream")},
        headers=bearer(jwt_for(board.owner)),
    )
    assert res.status_code == 201
    assert res.json()["mimeType"] == "text/plain"
    got = await client.get(f"{url}/{res.json()['id']}", headers=bearer(jwt_for(board.owner)))
    disposition = got.headers["content-disposition"]
    assert res.json()["originalName"] == "résumé;v2.txt"
    assert (
        disposition
        == "attachment; filename=\"r_sum__v2.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%3Bv2.txt"
    )


async def test_over_ten_megabytes_is_refused_and_leaves_nothing(
    client: httpx.AsyncClient, store: Path
) -> None:
    board = await create_board()
    card = await make_card(board)
    url = f"{board.base}/cards/{card.id}/attachments"
    big = b"x" * (attachments.MAX_SIZE + 1)
    res = await client.post(
        url,
        files={"file": ("big.bin", big, "application/octet-stream")},
        headers=bearer(jwt_for(board.owner)),
    )
    assert res.status_code == 413
    assert res.json() == {
        "statusCode": 413,
        "message": "Attachments are at most 10 MB",
        "error": "Request Entity Too Large",
    }
    assert _files(store) == []
    assert await Attachment.all().count() == 0
    exact = await client.post(
        url,
        files={"file": ("ok.bin", big[:-1], "application/octet-stream")},
        headers=bearer(jwt_for(board.owner)),
    )
    assert exact.status_code == 201
    assert exact.json()["size"] == attachments.MAX_SIZE


async def test_a_chunked_upload_without_length_is_counted_while_streaming(
    client: httpx.AsyncClient, store: Path
) -> None:
    board = await create_board()
    card = await make_card(board)
    boundary = "xyzzy"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()

    async def body():  # type: ignore[no-untyped-def]
        yield head
        for _ in range(11):
            yield b"y" * (1024 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    res = await client.post(
        f"{board.base}/cards/{card.id}/attachments",
        content=body(),
        headers=bearer(jwt_for(board.owner))
        | {"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert res.status_code == 413
    assert _files(store) == []
    assert await Attachment.all().count() == 0


@pytest.mark.parametrize(
    "ending",
    [b"", b"\r\n", b"\r\n--xyz", b"\r\n--xyzzy", b"\r\n--xyzzy-"],
    ids=["no-boundary", "crlf", "part-of-boundary", "boundary-without-dashes", "one-dash"],
)
async def test_an_upload_cut_before_its_closing_boundary_is_refused_and_leaves_nothing(
    client: httpx.AsyncClient, store: Path, ending: bytes
) -> None:
    board = await create_board()
    card = await make_card(board)
    body = (
        b'--xyzzy\r\nContent-Disposition: form-data; name="file"; filename="half.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + b"z" * 5000 + ending
    )
    res = await client.post(
        f"{board.base}/cards/{card.id}/attachments",
        content=body,
        headers=bearer(jwt_for(board.owner))
        | {"content-type": "multipart/form-data; boundary=xyzzy"},
    )
    assert res.status_code == 400, res.text
    assert res.json() == {
        "statusCode": 400,
        "message": "The multipart body ended before its closing boundary",
        "error": "Bad Request",
    }
    assert _files(store) == []
    assert await Attachment.all().count() == 0
    listed = await client.get(
        f"{board.base}/cards/{card.id}/attachments", headers=bearer(jwt_for(board.owner))
    )
    assert listed.json() == []


async def test_a_complete_upload_with_its_closing_boundary_is_kept(
    client: httpx.AsyncClient, store: Path
) -> None:
    board = await create_board()
    card = await make_card(board)
    body = (
        b'--xyzzy\r\nContent-Disposition: form-data; name="file"; filename="whole.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + b"z" * 5000 + b"\r\n--xyzzy--"
    )
    res = await client.post(
        f"{board.base}/cards/{card.id}/attachments",
        content=body,
        headers=bearer(jwt_for(board.owner))
        | {"content-type": "multipart/form-data; boundary=xyzzy"},
    )
    assert res.status_code == 201, res.text
    assert res.json()["size"] == 5000
    [stored] = _files(store)
    assert stored.read_bytes() == b"z" * 5000


async def test_bad_uploads(client: httpx.AsyncClient, store: Path) -> None:
    board = await create_board()
    card = await make_card(board)
    url = f"{board.base}/cards/{card.id}/attachments"
    headers = bearer(jwt_for(board.owner))
    assert (await client.post(url, json={"file": "x"}, headers=headers)).status_code == 400
    wrong_field = await client.post(url, files={"upload": ("a.txt", b"a")}, headers=headers)
    assert wrong_field.status_code == 400
    assert wrong_field.json()["message"] == "file: is required"
    text_field = await client.post(url, data={"file": "not a file"}, headers=headers)
    assert text_field.status_code == 400
    assert _files(store) == []


async def test_permissions(client: httpx.AsyncClient, store: Path) -> None:
    board, other = await create_board(), await create_board()
    card, foreign = await make_card(board), await make_card(other)
    url = f"{board.base}/cards/{card.id}/attachments"
    files = {"file": ("a.txt", b"a", "text/plain")}
    assert (await client.post(url, files=files)).status_code == 401
    reader = await pat_headers(board.owner, "projects:read")
    assert (await client.post(url, files=files, headers=reader)).status_code == 403
    assert (await client.get(url, headers=reader)).status_code == 200
    stranger = bearer(jwt_for(other.owner))
    assert (await client.post(url, files=files, headers=stranger)).status_code == 404
    owner = bearer(jwt_for(board.owner))
    res = await client.post(
        f"{board.base}/cards/{foreign.id}/attachments", files=files, headers=owner
    )
    assert res.status_code == 404
    created = await client.post(url, files=files, headers=owner)
    att = created.json()["id"]
    assert (await client.get(f"{url}/{att}", headers=stranger)).status_code == 404
    other_card = await make_card(board)
    wrong_card = f"{board.base}/cards/{other_card.id}/attachments/{att}"
    assert (await client.get(wrong_card, headers=owner)).status_code == 404
    assert (await client.delete(f"{url}/{att}", headers=reader)).status_code == 403
    assert len(_files(store)) == 1


async def _upload(client: httpx.AsyncClient, board: Board, card: Card, body: bytes) -> Path:
    """Attach `body` to `card` and return where its file landed."""
    res = await client.post(
        f"{board.base}/cards/{card.id}/attachments",
        files={"file": ("notes.txt", body, "text/plain")},
        headers=bearer(jwt_for(board.owner)),
    )
    assert res.status_code == 201, res.text
    row = await Attachment.get(id=res.json()["id"])
    path = attachments.directory() / row.storage_key
    assert path.read_bytes() == body
    return path


async def test_deleting_a_card_removes_its_files(client: httpx.AsyncClient, store: Path) -> None:
    board = await create_board()
    doomed, kept = await make_card(board), await make_card(board, "Keep me")
    first = await _upload(client, board, doomed, b"one")
    second = await _upload(client, board, doomed, b"two")
    other = await _upload(client, board, kept, b"three")
    res = await client.delete(
        f"{board.base}/cards/{doomed.id}", headers=bearer(jwt_for(board.owner))
    )
    assert res.json() == {"ok": True}
    assert not first.exists() and not second.exists()
    assert _files(store) == [other]


async def test_deleting_a_project_removes_its_files(client: httpx.AsyncClient, store: Path) -> None:
    board, neighbour = await create_board(), await create_board()
    gone = await _upload(client, board, await make_card(board), b"mine")
    kept = await _upload(client, neighbour, await make_card(neighbour), b"theirs")
    res = await client.delete(board.base, headers=bearer(jwt_for(board.owner)))
    assert res.status_code == 200, res.text
    assert not gone.exists()
    assert _files(store) == [kept]


async def test_deleting_a_workspace_or_an_organization_removes_their_files(
    client: httpx.AsyncClient, store: Path
) -> None:
    in_ws, in_org = await create_board(), await create_board()
    ws_file = await _upload(client, in_ws, await make_card(in_ws), b"workspace")
    org_file = await _upload(client, in_org, await make_card(in_org), b"organization")
    res = await client.delete(
        f"/api/orgs/{in_ws.org.slug}/workspaces/{in_ws.workspace.slug}",
        headers=bearer(jwt_for(in_ws.owner)),
    )
    assert res.status_code == 200, res.text
    assert _files(store) == [org_file] and not ws_file.exists()
    res = await client.delete(
        f"/api/organizations/{in_org.org.slug}", headers=bearer(jwt_for(in_org.owner))
    )
    assert res.status_code == 200, res.text
    assert _files(store) == []
