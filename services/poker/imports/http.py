"""The one HTTP client for the providers' APIs: timeouts, a few quick retries, the
provider's own error message, and a guard against reaching private addresses."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from services.addresses import Refused, resolve_public
from services.errors import invalid_field

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
TRIES = 3
_RETRY_STATUSES = {429, 500, 502, 503, 504}


class _Settings:
    allow_private = False


def configure(*, allow_private: bool) -> None:
    """`allow_private`: reach loopback, private and link-local addresses too (a Jira or
    GitHub Enterprise inside the network, or the tests' local servers)."""
    _Settings.allow_private = allow_private


class ProviderError(Exception):
    """The provider refused or failed; `retry` when trying later may succeed."""

    def __init__(self, message: str, *, status: int | None = None, retry: bool = False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry = retry


class _Retryable(Exception):
    def __init__(self, error: ProviderError) -> None:
        super().__init__(error.message)
        self.error = error


async def check_base_url(url: str, field: str) -> str:
    """`url` without its trailing slash, once it is an https URL (http only where
    private addresses are allowed) whose host resolves to public addresses. Its syntax
    (a host, no credentials, query or fragment) is the request schema's to check."""
    parts = urlsplit(url.strip())
    allowed = ("https", "http") if _Settings.allow_private else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise invalid_field(field, "must be an https:// URL")
    if not _Settings.allow_private:
        await _refuse_private(parts.hostname, parts.port or 443, field)
    return url.strip().rstrip("/")


async def _refuse_private(host: str, port: int, field: str) -> None:
    try:
        await resolve_public(host, port, allow_private=False)
    except Refused as exc:
        raise invalid_field(field, str(exc)) from None


def _message(res: httpx.Response) -> str:
    """The provider's own words: Jira's errorMessages/errors, GitHub's message."""
    try:
        body = res.json()
    except ValueError:
        body = None
    parts: list[str] = []
    if isinstance(body, dict):
        if isinstance(body.get("message"), str):
            parts.append(body["message"])
        messages = body.get("errorMessages")
        if isinstance(messages, list):
            parts += [str(m) for m in messages]
        errors = body.get("errors")
        if isinstance(errors, dict):
            parts += [f"{k}: {v}" for k, v in errors.items()]
    text = "; ".join(parts) or res.reason_phrase or "no message"
    return f"{res.status_code} {text}"[:500]


async def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    params: Any = None,
    json: Any = None,
) -> httpx.Response:
    """Send one request, trying again on a network error, 429 or 5xx (three tries in
    all, a second or so apart); ProviderError when it still fails or is refused."""
    async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(TRIES),
                wait=wait_exponential_jitter(multiplier=0.2, max=2.0),
                retry=retry_if_exception_type(_Retryable),
                reraise=True,
            ):
                with attempt:
                    return await _send(client, method, url, headers, auth, params, json)
        except _Retryable as exc:
            raise exc.error from None
    raise AssertionError("unreachable")  # pragma: no cover


async def _send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: dict[str, str] | None,
    auth: tuple[str, str] | None,
    params: Any,
    json: Any,
) -> httpx.Response:
    try:
        res = await client.request(
            method, url, headers=headers, auth=auth, params=params, json=json
        )
    except httpx.TimeoutException:
        raise _Retryable(ProviderError("timed out", retry=True)) from None
    except httpx.TransportError as exc:
        message = f"could not connect: {type(exc).__name__}"
        raise _Retryable(ProviderError(message, retry=True)) from None
    if res.status_code in _RETRY_STATUSES:
        raise _Retryable(ProviderError(_message(res), status=res.status_code, retry=True))
    if res.status_code >= 300:
        raise ProviderError(_message(res), status=res.status_code)
    return res
