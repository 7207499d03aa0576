"""Builds /api/openapi.json from the endpoint declarations and their pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.json_schema import GenerateJsonSchema

from server.api.routing import Api, Endpoint, openapi_path
from server.api.schemas import NOT_BLANK
from server.errors import is_poker_path, seed_001_status

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


class _Generator(GenerateJsonSchema):
    """Request strings are stripped before their length is checked: one that must not be
    empty must hold more than whitespace, and the schema says so."""

    def str_schema(self, schema: Any) -> Any:
        json_schema = super().str_schema(schema)
        if self.mode == "validation" and json_schema.get("minLength", 0):
            json_schema.setdefault("pattern", NOT_BLANK)
        return json_schema


class _Schemas:
    """Every model's schema, generated in one pass so that two models of the same name
    (a boards and a poker `WorkspacePublic`) get distinct names instead of one
    overwriting the other. `of` hands out a placeholder that `resolve` fills in."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}
        self._wanted: list[tuple[int, str, TypeAdapter[Any], dict[str, Any]]] = []

    def of(self, tp: Any, mode: str) -> dict[str, Any]:
        placeholder: dict[str, Any] = {}
        self._wanted.append((len(self._wanted), mode, TypeAdapter(tp), placeholder))
        return placeholder

    def resolve(self) -> None:
        inputs = [(key, mode, adapter) for key, mode, adapter, _ in self._wanted]
        schemas, defs = TypeAdapter.json_schemas(
            inputs,  # type: ignore[arg-type]
            by_alias=True,
            ref_template=_REF,
            schema_generator=_Generator,
        )
        self.defs.update(defs.get("$defs", {}))
        for key, mode, _, placeholder in self._wanted:
            placeholder.update(schemas[(key, mode)])  # type: ignore[index]


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """One parameter per field, with the field's own constraints (bounds, enums)."""
    schema = model.model_json_schema(
        by_alias=True, ref_template=_REF, mode="validation", schema_generator=_Generator
    )
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in prop.items() if k not in ("title", "description")},
            "description": prop.get("description", ""),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


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
        params += _query_parameters(ep.query)
    if params:
        op["parameters"] = params
    if ep.body is not None:
        # No body reads as `{}`: one is needed only when `{}` will not do.
        try:
            ep.body.model_validate({})
            needed = False
        except ValidationError:
            needed = True
        op["requestBody"] = {
            "required": needed,
            "content": {"application/json": {"schema": schemas.of(ep.body, "validation")}},
        }
    if ep.upload is not None:
        op["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": [ep.upload],
                        "properties": {ep.upload: {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    ok: dict[str, Any] = {"description": "Success"}
    if ep.response is not None:
        ok["content"] = {"application/json": {"schema": schemas.of(ep.response, "serialization")}}
    responses: dict[str, Any] = {str(ep.status): ok}
    codes = set(ep.errors) | {429}
    if ep.body is not None or ep.query is not None:
        codes |= {400, 422}
    if ep.body is not None or ep.upload is not None:
        codes.add(413)
    if ep.auth in ("any", "user"):
        codes |= {401, 403}
    if not is_poker_path("/api" + ep.path):
        codes = {seed_001_status(code) for code in codes}
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
    schemas.resolve()
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
