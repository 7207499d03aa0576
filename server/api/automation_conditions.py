"""The conditions language of automation rules, as a schema: each test is one (field,
operator) pair with the value that pair takes, and groups (all, any, not) are declared
level by level, so the schema itself bounds how deep they nest and how much they hold.
A condition that is not in the language is refused with what is wrong with it."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    create_model,
)
from pydantic_core import PydanticCustomError

from server.api.card_schemas import Priority, When
from server.api.schemas import Input, NoNul, StrictInt
from services.automations import conditions as language

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# An id, compared in its canonical lower-case form.
Id = Annotated[str, StringConstraints(pattern=UUID_PATTERN), AfterValidator(str.lower)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul]

# Conditions: the tests


class ColumnIs(Input):
    field: Literal["column"]
    op: Literal["eq", "ne"]
    value: Id


class ColumnIn(Input):
    field: Literal["column"]
    op: Literal["in", "not_in"]
    value: Annotated[list[Id], Field(min_length=1, max_length=language.MAX_CHOICES)]


class LabelHas(Input):
    field: Literal["label"]
    op: Literal["has", "lacks"]
    value: Id


class AssigneeIs(Input):
    field: Literal["assignee"]
    op: Literal["eq", "ne"]
    value: Id


class PriorityIs(Input):
    field: Literal["priority"]
    op: Literal["eq", "ne"]
    value: Priority


class PriorityIn(Input):
    field: Literal["priority"]
    op: Literal["in", "not_in"]
    value: Annotated[list[Priority], Field(min_length=1, max_length=3)]


class TextTest(Input):
    """Compared without regard to case."""

    field: Literal["title", "description"]
    op: Literal["eq", "ne", "contains", "not_contains"]
    value: Text


class DateTest(Input):
    field: Literal["dueDate", "startDate"]
    op: Literal["before", "after"]
    value: When


class EstimateIs(Input):
    field: Literal["estimate"]
    op: Literal["eq", "ne"]
    value: Annotated[str, StringConstraints(min_length=1, max_length=20), NoNul]


class ProgressTest(Input):
    """The card's checklist progress, a whole percent."""

    field: Literal["checklistProgress"]
    op: Literal["eq", "ne", "gt", "gte", "lt", "lte"]
    value: Annotated[StrictInt, Field(ge=0, le=100)]


class PresenceTest(Input):
    """Whether the card has the field (a label, for `label`) at all."""

    field: Literal[
        "assignee",
        "priority",
        "description",
        "dueDate",
        "startDate",
        "estimate",
        "checklistProgress",
        "label",
    ]
    op: Literal["is_set", "is_empty"]


_TESTS: list[type[Input]] = [
    ColumnIs,
    ColumnIn,
    LabelHas,
    AssigneeIs,
    PriorityIs,
    PriorityIn,
    TextTest,
    DateTest,
    EstimateIs,
    ProgressTest,
    PresenceTest,
]


def _literals(model: type[Input], name: str) -> tuple[str, ...]:
    return tuple(model.model_fields[name].annotation.__args__)  # type: ignore[union-attr]


# (field, op) -> the test that pair is.
_TEST_OF: dict[tuple[str, str], str] = {
    (f, o): model.__name__
    for model in _TESTS
    for f in _literals(model, "field")
    for o in _literals(model, "op")
}
assert {f: {o for (g, o) in _TEST_OF if g == f} for f, _ in _TEST_OF} == {
    f: set(ops) for f, ops in language.FIELDS.items()
}


def _tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):  # serializing what was parsed
        name = type(value).__name__
        for group in language.GROUPS:
            if name.startswith("Condition" + group.capitalize()):
                return group
        return name
    if not isinstance(value, dict):
        return None
    for group in language.GROUPS:
        if group in value:
            return group
    return _TEST_OF.get((value.get("field"), value.get("op")))  # type: ignore[arg-type]


def _precheck(level: int) -> Any:
    """Say plainly what is wrong with a condition before pydantic picks its shape."""

    def check(value: Any) -> Any:
        if not isinstance(value, dict):
            raise PydanticCustomError(
                "condition", "must be an object: a test, or a group (all, any or not)"
            )
        groups = [g for g in language.GROUPS if g in value]
        if groups:
            if len(value) != 1:
                raise PydanticCustomError("condition", "a group has exactly one key")
            if level == 1:
                raise PydanticCustomError(
                    "condition", f"groups nest at most {language.MAX_DEPTH - 1} deep"
                )
            return value
        field, op = value.get("field"), value.get("op")
        if field not in language.FIELDS:
            names = ", ".join(language.FIELDS)
            raise PydanticCustomError(
                "condition",
                "unknown field {field}; the fields are {names}",
                {"field": repr(field), "names": names},
            )
        if op not in language.FIELDS[field]:
            raise PydanticCustomError(
                "condition",
                "{field} takes the operators {ops}",
                {"field": field, "ops": ", ".join(language.FIELDS[field])},
            )
        return value

    return BeforeValidator(check)


def _level(level: int) -> Any:
    members: list[Any] = [Annotated[model, Tag(model.__name__)] for model in _TESTS]
    if level > 1:
        inner = _level(level - 1)
        items = Annotated[list[inner], Field(min_length=1, max_length=language.MAX_ITEMS)]  # type: ignore[valid-type]
        every = create_model(f"ConditionAll{level}", __base__=Input, all=(items, ...))
        some = create_model(f"ConditionAny{level}", __base__=Input, any=(items, ...))
        negated = create_model(
            f"ConditionNot{level}", __base__=Input, not_=(inner, Field(alias="not"))
        )
        members += [
            Annotated[every, Tag("all")],
            Annotated[some, Tag("any")],
            Annotated[negated, Tag("not")],
        ]
    union = Union[tuple(members)]  # type: ignore[valid-type]  # noqa: UP007
    return Annotated[Annotated[union, Discriminator(_tag)], _precheck(level)]


Conditions = _level(language.MAX_DEPTH)
