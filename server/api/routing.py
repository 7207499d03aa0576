"""Declarative REST endpoints: one declaration validates, authenticates and documents.

An endpoint names its body, query and response models; the same models parse the
request and feed /api/openapi.json, so the schema cannot drift from the code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from server.errors import render, validation_failed
from server.responses import json_response
from services.actors import Actor
from services.auth import authenticate
from services.errors import BadRequest, DomainError, Forbidden, TooLarge, ValidationFailed
from services.scopes import Needed, require

AuthMode = Literal["none", "optional", "any", "user"]
DEFAULT_MAX_BODY = 64 * 1024


@dataclass
class Call:
    """What a handler receives: the parsed request and the caller."""

    request: Request
    actor: Actor | None
    body: Any
    query: Any
    path: dict[str, str]

    @property
    def user(self) -> Actor:
        assert self.actor is not None
        return self.actor


Handler = Callable[[Call], Awaitable[Any]]


@dataclass
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    auth: AuthMode = "user"
    # What a personal access token needs to call it; every route but an open one names it.
    scope: Needed | None = None
    max_body: int = DEFAULT_MAX_BODY
    errors: tuple[int, ...] = ()
    name: str = field(default="")
    # A multipart/form-data body with one file in this field, read by the handler.
    upload: str | None = None


class Api:
    """A group of endpoints for one area of the API."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.endpoints: list[Endpoint] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        auth: AuthMode = "user",
        scope: Needed | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        errors: tuple[int, ...] = (),
        upload: str | None = None,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(
                    method=method,
                    path=path,
                    handler=handler,
                    summary=summary,
                    tag=self.tag,
                    body=body,
                    query=query,
                    response=response,
                    status=status,
                    auth=auth,
                    scope=scope,
                    max_body=max_body,
                    errors=errors,
                    name=handler.__name__,
                    upload=upload,
                )
            )
            return handler

        return register


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"Request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"Request body is larger than {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        # Nobody is left to answer; the request's log line says 400, with no traceback.
        raise BadRequest("The client closed the connection before sending the whole body") from None
    return b"".join(chunks)


def _number(text: str) -> float | int:
    value = float(text)
    # Beyond 64 bits a whole number stays a float: no integer field takes one that large.
    return int(value) if value.is_integer() and abs(value) < 2**63 else value


def _whole_numbers(raw: bytes) -> bytes | str:
    """The body with every whole number written as an integer: JSON has one kind of
    number, and JSON Schema counts 2.0 as an integer, so a client following the schema
    may send it. Bodies that are not JSON go on as they are, to be refused as such."""
    if b"." not in raw and b"e" not in raw and b"E" not in raw:
        return raw
    try:
        data = json.loads(raw, parse_float=_number)
    except (ValueError, RecursionError):
        # Nested past what Python's parser follows: left to pydantic's, which refuses it.
        return raw
    return json.dumps(data, allow_nan=True)


async def _parse_body(request: Request, model: type[BaseModel], limit: int) -> BaseModel:
    raw = await _read_body(request, limit)
    content_type = request.headers.get("content-type", "application/json").split(";")[0]
    if raw.strip() and content_type.strip().lower() not in ("application/json", ""):
        raise BadRequest("Send the body as application/json")
    try:
        return model.model_validate_json(_whole_numbers(raw or b"{}"))
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise BadRequest("Malformed JSON body") from None
        if any(e["type"] == "model_type" and not e["loc"] for e in exc.errors()):
            raise ValidationFailed(
                "The body must be a JSON object", details={"errors": {"body": ["not an object"]}}
            ) from None
        raise validation_failed(exc) from None


def _parse_query(request: Request, model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise validation_failed(exc, prefix="query") from None


async def _authenticate(request: Request, ep: Endpoint) -> Actor | None:
    if ep.auth == "none":
        return None
    token = bearer_token(request)
    if token is None and ep.auth == "optional":
        return None
    actor = await authenticate(token)
    if ep.auth == "user" and not actor.is_user:
        raise Forbidden("This needs a signed-in account, not a guest token")
    if ep.scope is not None:
        require(actor, ep.scope)
    return actor


def render_result(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json", by_alias=True)
    return json_response(result, status)


def _endpoint_app(ep: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        try:
            actor = await _authenticate(request, ep)
            body = await _parse_body(request, ep.body, ep.max_body) if ep.body else None
            query = _parse_query(request, ep.query) if ep.query else None
            call = Call(request, actor, body, query, dict(request.path_params))
            return render_result(await ep.handler(call), ep.status)
        except DomainError as exc:
            return render(request.url.path, exc)

    run.__name__ = ep.name
    return run


_PARAM = re.compile(r"{(\w+)(:\w+)?}")


def openapi_path(path: str) -> str:
    return _PARAM.sub(r"{\1}", path)


def build_routes(apis: list[Api]) -> list[Route]:
    """Starlette routes for every endpoint; methods sharing a path share one Route."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for api in apis:
        for ep in api.endpoints:
            by_path.setdefault(ep.path, {})[ep.method] = ep
    routes = []
    # Starlette takes the first match: a literal segment (`projects/portfolio`) must come
    # before a parameter in the same place (`projects/{project_id}`), whatever the order
    # the areas were registered in.
    for path in sorted(by_path, key=lambda p: [s.startswith("{") for s in p.split("/")]):
        methods = by_path[path]
        apps = {m: _endpoint_app(ep) for m, ep in methods.items()}

        async def dispatch(request: Request, _apps: dict[str, Any] = apps) -> Response:
            handler = _apps.get(request.method) or _apps["GET"]  # HEAD answers as GET
            response: Response = await handler(request)
            return response

        routes.append(Route(path, dispatch, methods=list(methods)))
    return routes
