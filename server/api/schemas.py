"""Base classes for request and response schemas."""

from __future__ import annotations

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


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
        raise ValueError("must not contain NUL characters")
    return value


# For Annotated text fields: a string with a NUL character is refused as invalid input.
NoNul = AfterValidator(_no_nul)
