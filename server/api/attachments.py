"""REST for files attached to cards (seed 001): multipart upload, list, download, delete."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.responses import FileResponse

from server.api.card_extras import CARD, Ok, project_ref
from server.api.routing import Api, Call
from server.api.schemas import CamelOutput
from server.api.uploads import receive_file
from services.boards import attachments
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("attachments")

ATTACHMENT = CARD + "/attachments/{attachment_id}"


class AttachmentPublic(CamelOutput):
    id: uuid.UUID
    card_id: uuid.UUID
    uploaded_by: uuid.UUID | None
    original_name: str
    mime_type: str
    size: int
    created_at: datetime


def content_disposition(name: str) -> str:
    """Always a download, with an ASCII fallback name and the exact name in UTF-8."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _attachment(call: Call) -> dict[str, Any]:
    return {
        "ref": project_ref(call),
        "card_id": call.path["card_id"],
        "attachment_id": call.path["attachment_id"],
    }


@api.route(
    "GET",
    CARD + "/attachments",
    summary="List a card's attachments",
    response=list[AttachmentPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_attachments(call: Call) -> Any:
    return await attachments.list_attachments(
        actor=call.user, ref=project_ref(call), card_id=call.path["card_id"]
    )


@api.route(
    "POST",
    CARD + "/attachments",
    summary="Upload a file (multipart/form-data, field 'file', at most 10 MB)",
    response=AttachmentPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(400, 404, 413),
    upload="file",
)
async def upload_attachment(call: Call) -> Any:
    ref, card_id = project_ref(call), call.path["card_id"]
    await attachments.check_upload(actor=call.user, ref=ref, card_id=card_id)
    with attachments.staged_upload() as staged:
        part = await receive_file(
            call.request, field="file", sink=staged.write, max_size=attachments.MAX_SIZE
        )
        return await attachments.add_attachment(
            actor=call.user,
            ref=ref,
            card_id=card_id,
            staged=staged,
            filename=part.filename,
            content_type=part.content_type,
        )


@api.route(
    "GET",
    ATTACHMENT,
    summary="Download an attachment with its MIME type and original name",
    scope=PROJECTS_READ,
    errors=(404,),
)
async def download_attachment(call: Call) -> Any:
    meta, path = await attachments.open_attachment(actor=call.user, **_attachment(call))
    return FileResponse(
        path,
        media_type=meta["mimeType"],
        headers={
            "Content-Disposition": content_disposition(meta["originalName"]),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@api.route(
    "DELETE",
    ATTACHMENT,
    summary="Delete an attachment and its file",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def delete_attachment(call: Call) -> Any:
    await attachments.delete_attachment(actor=call.user, **_attachment(call))
    return {"ok": True}
