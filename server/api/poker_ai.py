"""REST for the room's assistant: review-first suggestions for the current story and
the session. Nothing changes here; a suggestion is accepted through the ordinary
endpoints (POST /sessions/{code}/stories, PATCH /stories/{story})."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from server.api.poker_ai_schemas import (
    AnalysisResponse,
    AssistRequest,
    CriteriaResponse,
    DraftRequest,
    DraftsResponse,
    EstimateResponse,
    ImprovementResponse,
    ReportResponse,
    SplitResponse,
    SummaryResponse,
)
from server.api.routing import Api, Call
from server.api.sessions import code_checked
from services.actors import Actor
from services.poker import assist
from services.scopes import POKER_READ

api = Api("poker-ai")

_WHO = " (its owner and participants, signed in; values stay hidden until the reveal)"
# 409: no current story; 502: the model failed and AI_FALLBACK is "error".
_STORY_ERRORS = (401, 403, 404, 409, 502)
_SESSION_ERRORS = (401, 403, 404, 502)

Helper = Callable[..., Awaitable[dict[str, Any]]]
Errors = tuple[int, ...]


def _helper(path: str, summary: str, response: Any, helper: Helper, errors: Errors) -> None:
    """A helper that takes no input: the session's current story or its numbers."""

    async def run(call: Call) -> Any:
        actor: Actor = call.user
        return {"success": True, **await helper(actor=actor, code=call.path["code"])}

    run.__name__ = run.__qualname__ = path.replace("-", "_")
    api.route(
        "POST",
        f"/sessions/{{code}}/ai/{path}",
        summary=summary + _WHO,
        body=AssistRequest,
        response=response,
        scope=POKER_READ,
        errors=errors,
    )(code_checked(run))


def _story_helper(path: str, summary: str, response: Any, helper: Helper) -> None:
    _helper(path, summary, response, helper, _STORY_ERRORS)


_story_helper(
    "analyze-current-story",
    "INVEST checks, issues and questions for the current story, with similar earlier stories",
    AnalysisResponse,
    assist.analyze_story,
)
_story_helper(
    "improve-current-story",
    "A clearer version of the current story, to accept with PATCH /stories/{story}",
    ImprovementResponse,
    assist.improve_story,
)
_story_helper(
    "generate-acceptance-criteria",
    "Given/When/Then acceptance criteria for the current story, drawn from its text",
    CriteriaResponse,
    assist.acceptance_criteria,
)
_story_helper(
    "split-current-story",
    "Smaller stories the current one could split into, shaped like the add-story body",
    SplitResponse,
    assist.split_story,
)
_story_helper(
    "estimate-assistant",
    "A suggested range of cards for the current story, from similar earlier stories and, "
    "once revealed, its votes",
    EstimateResponse,
    assist.estimate_story,
)


def _session_helper(path: str, summary: str, response: Any, helper: Helper) -> None:
    _helper(path, summary, response, helper, _SESSION_ERRORS)


_session_helper(
    "summary",
    "A summary of the session from its numbers: headline, highlights, stories needing "
    "attention, next steps",
    SummaryResponse,
    assist.summary,
)
_session_helper(
    "estimation-report",
    "How the session's estimation went: consensus, re-votes, outliers, recommendations",
    ReportResponse,
    assist.estimation_report,
)


@api.route(
    "POST",
    "/sessions/{code}/ai/draft-stories",
    summary="Draft stories from a goal or pasted notes, shaped like the add-story body" + _WHO,
    body=DraftRequest,
    response=DraftsResponse,
    scope=POKER_READ,
    errors=_SESSION_ERRORS,
)
@code_checked
async def draft_stories(call: Call) -> Any:
    body: DraftRequest = call.body
    result = await assist.draft_stories(
        actor=call.user,
        code=call.path["code"],
        goal=body.goal,
        notes=body.notes,
        max_stories=body.max_stories,
    )
    return {"success": True, **result}
