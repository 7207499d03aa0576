"""REST for imports and estimate sync: the providers, a dry-run preview, the confirmed
import into a session, and the estimates sent back (or downloaded as CSV)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from server.api.integration_schemas import (
    ImportConfirm,
    ImportPreview,
    ImportResponse,
    PreviewResponse,
    ProvidersResponse,
    SyncRequest,
    SyncResponse,
)
from server.api.routing import Api, Call
from server.api.sessions import code_checked
from server.responses import json_response
from services.poker import imports
from services.poker.imports import sync
from services.scopes import POKER_READ, POKER_WRITE

api = Api("poker-integrations")

SYNC = "/sessions/{code}/integrations/sync-estimates"
# A 5 MB file travels as base64 (a third more); a confirm carries up to 1,000 stories.
PREVIEW_MAX_BODY = 8 * 1024 * 1024
CONFIRM_MAX_BODY = 12 * 1024 * 1024


@api.route(
    "GET",
    "/integrations/providers",
    summary="Where stories can be imported from, and what each provider needs",
    response=ProvidersResponse,
    scope=POKER_READ,
)
async def list_providers(call: Call) -> Any:
    return {"success": True, "providers": imports.providers()}


@api.route(
    "POST",
    "/integrations/import-preview",
    summary="Dry run of an import: the stories it would add, per-row errors, and which "
    "ones the session has already",
    body=ImportPreview,
    response=PreviewResponse,
    scope=POKER_WRITE,
    max_body=PREVIEW_MAX_BODY,
    errors=(404, 413, 502),
)
@code_checked
async def preview(call: Call) -> Any:
    body: ImportPreview = call.body
    fields = body.root.model_dump(exclude_none=True)
    provider = fields.pop("provider")
    code = fields.pop("session_code", None)
    result = await imports.preview(
        actor=call.user, provider=provider, source=fields, session_code=code
    )
    return {"success": True, "preview": result}


@api.route(
    "POST",
    "/sessions/{code}/integrations/import-confirm",
    summary="Import the previewed stories into the session (owner or moderator); "
    "the same import confirmed again adds nothing and answers 200",
    body=ImportConfirm,
    response=ImportResponse,
    status=201,
    scope=POKER_WRITE,
    max_body=CONFIRM_MAX_BODY,
    errors=(404, 409),
)
@code_checked
async def confirm(call: Call) -> Any:
    body: ImportConfirm = call.body
    result = await imports.confirm(
        actor=call.user,
        code=call.path["code"],
        provider=body.root.provider,
        origin=body.root.origin.model_dump(exclude_none=True),
        stories=[s.model_dump() for s in body.root.stories],
    )
    answer = {"success": True, "result": result}
    return json_response(answer, 200) if result["already_imported"] else answer


@api.route(
    "POST",
    SYNC,
    summary="Send revealed estimates back to Jira or GitHub, one queued job per story "
    "(owner or moderator)",
    body=SyncRequest,
    response=SyncResponse,
    status=202,
    scope=POKER_WRITE,
    errors=(404, 409),
)
@code_checked
async def sync_estimates(call: Call) -> Any:
    body: SyncRequest = call.body
    syncs = await sync.sync_estimates(
        actor=call.user,
        code=call.path["code"],
        provider=body.root.provider,
        credentials=body.root.credentials(),
        options=body.root.options(),
        story_ids=body.root.story_ids,
    )
    return {"success": True, "syncs": syncs}


@api.route(
    "GET",
    "/sessions/{code}/integrations/estimates.csv",
    summary="Download every story's estimate as CSV (owner or moderator): key, title, "
    "estimate, status, link; how estimates of stories from a file go back",
    scope=POKER_READ,
    errors=(404,),
)
@code_checked
async def estimates_csv(call: Call) -> Any:
    text, filename = await sync.estimates_csv(actor=call.user, code=call.path["code"])
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@api.route(
    "GET",
    SYNC,
    summary="Each synced story's status: pending, done, or failed with the provider's message",
    response=SyncResponse,
    scope=POKER_READ,
    errors=(404,),
)
@code_checked
async def sync_status(call: Call) -> Any:
    syncs = await sync.sync_status(actor=call.user, code=call.path["code"])
    return {"success": True, "syncs": syncs}
