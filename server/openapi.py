"""Builds /api/openapi.json from the endpoint declarations and their pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema

from server.api.routing import Api, Endpoint, openapi_path

_REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"{(\w+)}")

_ERROR_TEXT = {
    400: "Malformed request",
    401: "Missing, invalid, expired or revoked token",
    403: "Not allowed for this caller",
    404: "Not found, or not visible to this caller",
    409: "Conflict with the current state",
    413: "Body too large",
    422: "Validation failed",
    429: "Rate limit exceeded",
}


class _Schemas:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def of(self, tp: Any, mode: str) -> dict[str, Any]:
        adapter = TypeAdapter(tp)
        schema = adapter.json_schema(
            by_alias=True,
            ref_template=_REF,
            mode=mode,  # type: ignore[arg-type]
            schema_generator=GenerateJsonSchema,
        )
        self.defs.update(schema.pop("$defs", {}))
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            name = tp.__name__
            self.defs[name] = schema
            return {"$ref": _REF.format(model=name)}
        return schema


def _operation(ep: Endpoint, schemas: _Schemas) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": f"{ep.tag}_{ep.name}",
        "summary": ep.summary,
        "tags": [ep.tag],
    }
    params: list[dict[str, Any]] = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
        for p in _PATH_PARAM.findall(openapi_path(ep.path))
    ]
    if ep.query is not None:
        for name, f in ep.query.model_fields.items():
            prop = TypeAdapter(f.annotation or Any).json_schema(ref_template=_REF)
            params.append(
                {
                    "name": f.alias or name,
                    "in": "query",
                    "required": f.is_required(),
                    "schema": prop,
                    "description": f.description or "",
                }
            )
    if params:
        op["parameters"] = params
    if ep.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schemas.of(ep.body, "validation")}},
        }
    ok: dict[str, Any] = {"description": "Success"}
    if ep.response is not None:
        ok["content"] = {"application/json": {"schema": schemas.of(ep.response, "serialization")}}
    responses: dict[str, Any] = {str(ep.status): ok}
    codes = set(ep.errors) | {429}
    if ep.body is not None or ep.query is not None:
        codes |= {400, 422}
    if ep.body is not None:
        codes.add(413)
    if ep.auth in ("any", "user"):
        codes |= {401, 403}
    for code in sorted(codes):
        responses[str(code)] = {"description": _ERROR_TEXT.get(code, "Error")}
    op["responses"] = responses
    if ep.auth != "none":
        op["security"] = [{"bearer": []}]
    return op


def build_openapi(apis: list[Api], *, version: str) -> dict[str, Any]:
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for api in apis:
        for ep in api.endpoints:
            paths.setdefault("/api" + openapi_path(ep.path), {})[ep.method.lower()] = _operation(
                ep, schemas
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Roundtable API",
            "version": version,
            "description": (
                "Planning poker (seed 000 shapes, `{success: ...}` envelope) and accounts, "
                "tokens and boards (seed 001 shapes). Authenticate with "
                "`Authorization: Bearer <JWT | personal access token | guest token>`."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas.defs,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
