"""Attachment rules: staging, the byte cap, clean names and MIME guesses."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import Attachment
from services.boards import attachments
from services.boards.locate import ProjectRef
from services.errors import NotFound, TooLarge
from tests.card_details import make_card
from tests.factories import create_board, user_actor


def _listing(store: Path) -> list[Path]:
    return list(store.iterdir())


def test_names_lose_paths_and_control_characters() -> None:
    assert attachments.clean_name("../../etc/passwd") == "passwd"
    assert attachments.clean_name("C:\\Users\\me\\report.pdf") == "report.pdf"
    assert attachments.clean_name("a\x00b\nc.txt") == "abc.txt"
    assert attachments.clean_name("..") == "file"
    assert attachments.clean_name(None) == "file"
    long = attachments.clean_name("x" * 300 + ".tar.gz")
    assert len(long) == 255 and long.endswith(".gz")


def test_mime_comes_from_the_upload_then_the_name() -> None:
    assert attachments.guess_mime("image/png", "a.bin") == "image/png"
    assert attachments.guess_mime("application/octet-stream", "a.pdf") == "application/pdf"
    assert attachments.guess_mime("text/html; charset=utf-8", "a") == "text/html"
    assert attachments.guess_mime("not a type", "a.unknownext") == "application/octet-stream"
    assert attachments.guess_mime(None, "a.json") == "application/json"


async def test_staged_files_vanish_unless_kept(db: str, store: Path) -> None:
    board = await create_board()
    card = await make_card(board)
    with pytest.raises(TooLarge), attachments.staged_upload() as staged:
        staged.write(b"x" * attachments.MAX_SIZE)
        staged.write(b"x")
    assert _listing(store) == []
    with attachments.staged_upload() as staged:
        staged.write(b"hello")
        result = await attachments.add_attachment(
            actor=user_actor(board.owner),
            ref=ProjectRef(board.project.id),
            card_id=card.id,
            staged=staged,
            filename="hi.txt",
            content_type=None,
        )
    [stored] = _listing(store)
    assert stored.read_bytes() == b"hello" and stored.name != "hi.txt"
    assert result["mimeType"] == "text/plain"


async def test_a_failed_insert_leaves_no_file(db: str, store: Path) -> None:
    board, other = await create_board(), await create_board()
    foreign = await make_card(other)
    with pytest.raises(NotFound), attachments.staged_upload() as staged:
        staged.write(b"hello")
        await attachments.add_attachment(
            actor=user_actor(board.owner),
            ref=ProjectRef(board.project.id),
            card_id=foreign.id,
            staged=staged,
            filename="hi.txt",
            content_type=None,
        )
    assert _listing(store) == []
    assert await Attachment.all().count() == 0
