"""Base classes for request and response schemas."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from services.boards.access import SLUG_PATTERN


class Input(BaseModel):
    """A request body or query: unknown fields are refused, so typos surface."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CamelInput(Input):
    """Seed 001 bodies use camelCase names."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, alias_generator=to_camel, populate_by_name=True
    )


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CamelOutput(Output):
    model_config = ConfigDict(from_attributes=True, alias_generator=to_camel, populate_by_name=True)


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refusing it here keeps both backends alike.
    if "\x00" in value:
        raise PydanticCustomError("value_error", "must not contain NUL characters")
    return value


# What the schema says of request strings. Requests are stripped of surrounding
# whitespace before their lengths are checked, so a string that must not be empty must
# hold something besides whitespace; and NUL is refused where NoNul says so.
NOT_BLANK = r"\S"
NO_NUL = r"^[^\x00]*$"
NOT_BLANK_NO_NUL = r"^[^\x00]*[^\s\x00][^\x00]*$"


class _NoNul:
    """For Annotated text fields: a string with a NUL character is refused as invalid
    input, and the schema's pattern says so."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        inner = handler(source)
        schema = core_schema.no_info_after_validator_function(_no_nul, inner)
        longest = inner.get("max_length") if inner.get("type") == "str" else None
        if longest is None:
            return schema

        def as_sent(value: Any) -> Any:
            # The schema's maxLength holds for the string as sent, before it is stripped.
            if isinstance(value, str) and len(value) > longest:
                raise PydanticCustomError(
                    "string_too_long",
                    "String should have at most {max_length} characters",
                    {"max_length": longest},
                )
            return value

        return core_schema.no_info_before_validator_function(as_sent, schema)

    def __get_pydantic_json_schema__(
        self, schema: Any, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        if target.get("pattern") in (None, NOT_BLANK):
            target["pattern"] = NOT_BLANK_NO_NUL if target.get("minLength", 0) else NO_NUL
        return json_schema


NoNul = _NoNul()


# An integer, never "2", 2.5 or true. JSON has one kind of number, so 2.0 is 2: the body
# parser reads a whole number written with a fraction or an exponent as an integer.
StrictInt = Annotated[int, Strict()]


def _email(value: str) -> str:
    # Syntax only: a self-hosted team may well use an internal or a test domain.
    try:
        checked = validate_email(
            value, check_deliverability=False, globally_deliverable=False, test_environment=True
        )
    except EmailNotValidError as exc:
        raise PydanticCustomError(
            "value_error", "value is not a valid email address: {reason}", {"reason": str(exc)}
        ) from None
    return checked.normalized


EMAIL_MAX = 254
Email = Annotated[
    str,
    StringConstraints(max_length=EMAIL_MAX),
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": EMAIL_MAX}),
]


# An organization's or a workspace's slug, as the services check it.
Slug = Annotated[str, StringConstraints(min_length=2, max_length=60, pattern=SLUG_PATTERN)]


def _iso_day(value: Any) -> Any:
    # "0" or 1700000000 would be read as a Unix time: a day is written YYYY-MM-DD.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date_from_datetime_parsing", "must be a date, YYYY-MM-DD")
    if not isinstance(value, str | date):
        raise PydanticCustomError("date_type", "must be a date, YYYY-MM-DD")
    return value


# A calendar day, as the schema's `format: date` says.
Day = Annotated[date, BeforeValidator(_iso_day)]
