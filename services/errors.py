"""The one error tree. Each edge renders a DomainError in its own format."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "internal"
    status = 500
    default_message = "Internal error"

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None):
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(self.message)


class Invalid(DomainError):
    code, status, default_message = "invalid", 422, "Validation failed"


class ValidationFailed(Invalid):
    """Input whose shape is wrong: a missing field, a wrong type, a string too long."""


class BadRequest(Invalid):
    """Input that cannot even be parsed (malformed JSON or msgpack)."""

    status, default_message = 400, "Malformed request body"


class Unauthorized(DomainError):
    code, status, default_message = "unauthorized", 401, "Missing or invalid token"


class Forbidden(DomainError):
    code, status, default_message = "forbidden", 403, "You are not allowed to do this"


class NotFound(DomainError):
    code, status, default_message = "not_found", 404, "Not found"


class Conflict(DomainError):
    code, status, default_message = "conflict", 409, "Conflict"


class TooLarge(Invalid):
    status, default_message = 413, "Payload too large"


class RateLimited(DomainError):
    code, status, default_message = "rate_limited", 429, "Too many requests"


class UpstreamFailed(DomainError):
    """A service we called for the caller (Jira, GitHub) could not be reached or failed;
    nothing was changed here."""

    code, status, default_message = "upstream", 502, "The remote service did not answer"


class Unavailable(DomainError):
    """The database cannot be reached; nothing was written, and the same call can be
    made again once it is back."""

    code, status = "unavailable", 503
    default_message = "The service is briefly unavailable; try again in a few seconds"


def invalid_field(field: str, message: str) -> ValidationFailed:
    """A refused field, listed under `details.errors` as request validation lists it."""
    return ValidationFailed(f"{field}: {message}", details={"errors": {field: [message]}})
