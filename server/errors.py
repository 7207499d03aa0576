"""Renders the one error tree in each API's own format.

Poker paths (seed 000) answer `{"success": false, "message", "code", "errors"?}`
and report invalid input as 422. Every other path (seed 001) answers
`{"statusCode", "message", "error"}`; its error table has no 422, so invalid input
there, of any kind (a body of the wrong shape or a value a rule refuses), is 400.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.responses import json_response
from services.availability import is_outage
from services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)

log = logging.getLogger("roundtable.http")

POKER_PREFIXES = (
    "/api/sessions",
    "/api/stories",
    "/api/folders",
    "/api/workspace",
    "/api/integrations",
    "/api/webhooks",
    "/api/analytics",
)


def is_poker_path(path: str) -> bool:
    return path.startswith(POKER_PREFIXES)


def validation_failed(exc: ValidationError, *, prefix: str = "") -> ValidationFailed:
    """Turn pydantic's report into one error with a field -> messages map."""
    errors: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in (prefix, *err["loc"]) if p != "") or "body"
        errors.setdefault(field, []).append(err["msg"])
    field, messages = next(iter(errors.items()))
    return ValidationFailed(f"{field}: {messages[0]}", details={"errors": errors})


def seed_001_status(status: int) -> int:
    """The boards API's status for an error: 400 where the poker API says 422."""
    return 400 if status == 422 else status


def render(path: str, exc: DomainError, headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any]
    status = exc.status
    if is_poker_path(path):
        body = {"success": False, "message": exc.message, "code": exc.code}
    else:
        status = seed_001_status(status)
        body = {"statusCode": status, "message": exc.message, "error": HTTPStatus(status).phrase}
    if "errors" in exc.details:
        body["errors"] = exc.details["errors"]
    if "current" in exc.details:
        # A stale write's conflict carries the thing as it is now, so the client can merge.
        body["current"] = exc.details["current"]
    return json_response(body, status, headers)


async def domain_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return render(request.url.path, exc)


_BY_STATUS: dict[int, type[DomainError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
}


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status == 404:
        message = "No such endpoint"
    elif status == 405:
        message = f"Method {request.method} is not allowed here"
    else:
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    error = _BY_STATUS.get(status, Invalid)(message)
    error.status = status
    return render(request.url.path, error, dict(exc.headers or {}))


async def outage_handler(request: Request, exc: Exception) -> Response:
    """A database outage answers 503 with one log line; any other error of these kinds
    is a bug and goes on to the 500 handler."""
    if not is_outage(exc):
        raise exc
    log.warning(
        "database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    return render(request.url.path, Unavailable(), {"Retry-After": "2"})


async def server_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return render(request.url.path, DomainError("Internal server error"))
