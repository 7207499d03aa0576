"""Files attached to cards: stored under a random key, never under the uploader's name.

An upload is written to a staging file while it streams in and is counted byte by byte;
only a complete upload within the limit is renamed to its key and gets a row.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tortoise.queryset import QuerySet

from models import Attachment, Card
from services.actors import Actor
from services.auth import require_user
from services.boards.access import find_in
from services.boards.locate import ProjectRef, board_access, card_in, locked_project, room_of
from services.errors import NotFound, TooLarge
from services.events import unit_of_work
from services.timefmt import iso

log = logging.getLogger("roundtable.attachments")

MAX_SIZE = 10 * 1024 * 1024
NAME_MAX = 255
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$")
_DEFAULT_MIME = "application/octet-stream"

_directory = Path("data") / "attachments"


def configure(directory: Path) -> None:
    """Where files live; the app passes settings.attachments_dir at start-up."""
    global _directory
    _directory = Path(directory)


def directory() -> Path:
    return _directory


def attachment_public(a: Attachment) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "cardId": str(a.card_id),
        "uploadedBy": str(a.uploaded_by_id) if a.uploaded_by_id else None,
        "originalName": a.original_name,
        "mimeType": a.mime_type,
        "size": a.size,
        "createdAt": iso(a.created_at),
    }


def clean_name(raw: str | None) -> str:
    """The uploader's file name without any directory part or control characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in ("", ".", ".."):
        return "file"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (
            name[:NAME_MAX]
            if not dot or len(ext) > 16
            else stem[: NAME_MAX - len(ext) - 1] + dot + ext
        )
    return name


def guess_mime(content_type: str | None, name: str) -> str:
    """The upload's declared type when it is a plain type, else a guess from the name."""
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared and declared != _DEFAULT_MIME and _MIME.match(declared):
        return declared
    return mimetypes.guess_type(name)[0] or _DEFAULT_MIME


@dataclass
class StagedUpload:
    """An upload being received; `write` refuses the byte past MAX_SIZE."""

    path: Path
    file: IO[bytes]
    size: int = 0
    limit: int = MAX_SIZE
    kept: bool = field(default=False)

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise TooLarge(f"Attachments are at most {self.limit // (1024 * 1024)} MB")
        self.file.write(chunk)


@contextmanager
def staged_upload() -> Iterator[StagedUpload]:
    """A staging file that is removed on the way out unless the upload was kept."""
    _directory.mkdir(parents=True, exist_ok=True)
    path = _directory / f".incoming-{secrets.token_hex(16)}"
    fh = open(path, "xb")  # noqa: SIM115 - closed below, whatever happens
    staged = StagedUpload(path=path, file=fh)
    try:
        yield staged
    finally:
        fh.close()
        if not staged.kept:
            path.unlink(missing_ok=True)


async def check_upload(*, actor: Actor, ref: ProjectRef, card_id: Any) -> None:
    """Refuse early (before any byte is read) a caller who could not attach to this card."""
    access = await board_access(actor, ref)
    await card_in(access.project.id, card_id)


async def add_attachment(
    *,
    actor: Actor,
    ref: ProjectRef,
    card_id: Any,
    staged: StagedUpload,
    filename: str | None,
    content_type: str | None,
) -> dict[str, Any]:
    uploader = require_user(actor)
    staged.file.flush()
    name = clean_name(filename)
    key = secrets.token_hex(16)
    final = _directory / key
    try:
        async with unit_of_work() as uow:
            access = await locked_project(uow, actor, ref)
            card = await card_in(access.project.id, card_id)
            row = await Attachment.create(
                card_id=card.id,
                uploaded_by_id=uploader,
                original_name=name,
                mime_type=guess_mime(content_type, name)[:127],
                size=staged.size,
                storage_key=key,
            )
            os.replace(staged.path, final)
            staged.kept = True
            public = attachment_public(row)
            await uow.emit(
                room_of(access),
                "attachment_added",
                {"attachment": public, "cardId": str(card.id)},
                actor,
            )
    except BaseException:
        if staged.kept:
            final.unlink(missing_ok=True)
        raise
    return public


async def _attachment_in(card: Card, attachment_id: Any) -> Attachment:
    return await find_in(Attachment, "Attachment", attachment_id, card_id=card.id)


async def list_attachments(*, actor: Actor, ref: ProjectRef, card_id: Any) -> list[dict[str, Any]]:
    access = await board_access(actor, ref)
    card = await card_in(access.project.id, card_id)
    rows = await Attachment.filter(card_id=card.id).order_by("created_at", "id")
    return [attachment_public(a) for a in rows]


async def open_attachment(
    *, actor: Actor, ref: ProjectRef, card_id: Any, attachment_id: Any
) -> tuple[dict[str, Any], Path]:
    """The attachment and the path of its file, for the edge to stream."""
    access = await board_access(actor, ref)
    card = await card_in(access.project.id, card_id)
    row = await _attachment_in(card, attachment_id)
    path = _directory / row.storage_key
    if not path.is_file():
        log.warning("attachment %s has no file on disk", row.id)
        raise NotFound("Attachment file is missing")
    return attachment_public(row), path


async def delete_attachment(
    *, actor: Actor, ref: ProjectRef, card_id: Any, attachment_id: Any
) -> None:
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        card = await card_in(access.project.id, card_id)
        row = await _attachment_in(card, attachment_id)
        await row.delete()
        await uow.emit(
            room_of(access),
            "attachment_deleted",
            {"attachment": attachment_public(row), "cardId": str(card.id)},
            actor,
        )
    discard_files([row.storage_key])


async def storage_keys_of_cards(card_ids: Iterable[Any]) -> list[str]:
    """Read before deleting cards, so their files can be removed after the commit."""
    ids = list(card_ids)
    return await _storage_keys(Attachment.filter(card_id__in=ids)) if ids else []


async def storage_keys_of_projects(project_ids: Iterable[Any]) -> list[str]:
    """The same for every card of whole projects about to be deleted."""
    ids = list(project_ids)
    return await _storage_keys(Attachment.filter(card__project_id__in=ids)) if ids else []


async def _storage_keys(rows: QuerySet[Attachment]) -> list[str]:
    return [str(k) for k in await rows.values_list("storage_key", flat=True)]


def discard_files(keys: Iterable[str]) -> None:
    """Remove stored files whose rows are gone; a missing file is not an error."""
    for key in keys:
        try:
            (_directory / key).unlink(missing_ok=True)
        except OSError:
            log.exception("could not remove attachment file %s", key)
