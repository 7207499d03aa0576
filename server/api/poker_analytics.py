"""REST for analytics: how a session's estimates went, story by story; an owner's
estimates across sessions; and a story's reference stories."""

from __future__ import annotations

from typing import Any

from server.api.poker_analytics_schemas import (
    AnalyticsResponse,
    OwnerAnalyticsQuery,
    OwnerAnalyticsResponse,
    ReferenceQuery,
    ReferenceStoriesResponse,
)
from server.api.routing import Api, Call
from server.api.sessions import code_checked
from services.poker import analytics, reference, trends
from services.scopes import POKER_READ

api = Api("poker-analytics")


@api.route(
    "GET",
    "/sessions/{code}/analytics",
    summary=(
        "A session's estimate distribution, agreement trend, outliers, re-votes and time "
        "per story (its owner and participants); values of unrevealed stories stay hidden"
    ),
    response=AnalyticsResponse,
    auth="any",
    scope=POKER_READ,
    errors=(401, 403, 404),
)
@code_checked
async def session_analytics(call: Call) -> Any:
    result = await analytics.session_analytics(actor=call.user, code=call.path["code"])
    return {"success": True, "analytics": result}


@api.route(
    "GET",
    "/analytics",
    summary=(
        "Your estimates across your sessions: per folder (sprint), and the stories whose "
        "revealed estimate changed in a later round"
    ),
    query=OwnerAnalyticsQuery,
    response=OwnerAnalyticsResponse,
    scope=POKER_READ,
    errors=(401, 403, 404, 422),
)
async def owner_analytics(call: Call) -> Any:
    query: OwnerAnalyticsQuery = call.query
    result = await trends.owner_analytics(
        actor=call.user, folder_id=query.folder_id, since=query.since, until=query.until
    )
    return {"success": True, "analytics": result}


@api.route(
    "GET",
    "/sessions/{code}/reference-stories",
    summary=(
        "For the current story, the owner's earlier revealed stories most alike in text, "
        "with their final estimates (its owner and participants)"
    ),
    query=ReferenceQuery,
    response=ReferenceStoriesResponse,
    auth="any",
    scope=POKER_READ,
    errors=(401, 403, 404, 422),
)
@code_checked
async def reference_stories(call: Call) -> Any:
    query: ReferenceQuery = call.query
    result = await reference.reference_stories(
        actor=call.user, code=call.path["code"], limit=query.limit
    )
    return {"success": True, "reference_stories": result}
