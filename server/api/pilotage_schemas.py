"""Request and response schemas of the pilotage API (seed 001, "Pilotage")."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    StrictBool,
    StringConstraints,
    Tag,
    create_model,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from server.api.card_schemas import not_null, unchanged
from server.api.schemas import CamelInput, CamelOutput, NoNul
from services.pilotage import actions, items, state
from services.pilotage.catalog import ACTION_TYPES

Objective = Annotated[str, StringConstraints(min_length=1, max_length=500), NoNul]
Module = Annotated[str, StringConstraints(min_length=1, max_length=100), NoNul]
BlockedReason = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul]
Label = Annotated[str, StringConstraints(min_length=1, max_length=500), NoNul]
PriorityLabel = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul]
Title = Annotated[str, StringConstraints(min_length=1, max_length=300), NoNul]
Impact = Annotated[str, StringConstraints(min_length=1, max_length=2000), NoNul]
Owner = Annotated[str, StringConstraints(min_length=1, max_length=100), NoNul]
Explanation = Annotated[str, StringConstraints(min_length=1, max_length=500), NoNul]
ReviewReason = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=64), NoNul]
URL_PATTERN = r"^https?://[^\s\x00]+$"


def _as_sent(value: Any) -> Any:
    # Bodies are stripped before their patterns are checked: a URL with spaces around
    # it must be refused as the schema's pattern says, not stripped into one.
    if isinstance(value, str) and value != value.strip():
        raise PydanticCustomError(
            "string_pattern_mismatch",
            "String should match pattern '{pattern}'",
            {"pattern": URL_PATTERN},
        )
    return value


Url = Annotated[
    str,
    StringConstraints(min_length=8, max_length=2000, pattern=URL_PATTERN),
    BeforeValidator(_as_sent),
]
MissionStatus = Literal["to_launch", "in_progress", "blocked", "done"]
TodoStatus = Literal["todo", "in_progress", "blocked", "done"]
SourceType = Literal["product", "tech", "sprint", "ops"]
ActionStatus = Literal["suggested", "approved", "rejected", "applied"]

assert set(get_args(MissionStatus)) == set(items.MISSION_STATUSES)
assert set(get_args(TodoStatus)) == set(items.TODO_STATUSES)
assert set(get_args(SourceType)) == set(items.SOURCE_TYPES)
assert set(get_args(ActionStatus)) == set(actions.STATUSES)


class _Changes(CamelInput):
    @model_validator(mode="after")
    def _not_null(self) -> Any:
        for name in self.model_fields_set:
            if (
                getattr(self, name) is None
                and type(self).model_fields[name].json_schema_extra is not_null
            ):
                raise ValueError(f"{to_camel(name)} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """What was sent, as the services name it: absent is unchanged, null clears."""
        return self.model_dump(exclude_unset=True)


class MissionCreate(_Changes):
    objective: Objective = Field(description="Mission objective, 1-500 characters")
    module: Module | None = Field(default=None, description="Module name, up to 100 characters")


class MissionUpdate(_Changes):
    objective: Objective | None = unchanged()
    module: Module | None = None
    status: MissionStatus | None = unchanged()
    blocked_reason: BlockedReason | None = Field(
        default=None, description="Max 200 chars, or null to clear; a blocked mission needs one"
    )


class PriorityCreate(_Changes):
    label: PriorityLabel
    module: Module | None = None


class PriorityUpdate(_Changes):
    label: PriorityLabel | None = unchanged()
    module: Module | None = None
    active: StrictBool | None = unchanged()


class TodoCreate(_Changes):
    label: Label
    mission_id: Ref | None = Field(default=None, description="A mission of this workspace")
    priority_id: Ref | None = Field(default=None, description="A priority of this workspace")


class TodoUpdate(_Changes):
    label: Label | None = unchanged()
    status: TodoStatus | None = unchanged()
    mission_id: Ref | None = Field(default=None, description="null unlinks it")
    priority_id: Ref | None = Field(default=None, description="null unlinks it")


class DecisionCreate(_Changes):
    title: Title
    impact: Impact | None = None


class DecisionUpdate(_Changes):
    title: Title | None = unchanged()
    impact: Impact | None = None


class DocCreate(_Changes):
    title: Title
    owner: Owner | None = None
    source_type: SourceType | None = None
    url: Url | None = None


class DocUpdate(_Changes):
    title: Title | None = unchanged()
    owner: Owner | None = None
    source_type: SourceType | None = None
    url: Url | None = None


class MissionPublic(CamelOutput):
    id: str
    objective: str
    module: str | None
    status: MissionStatus
    blocked_reason: str | None
    created_at: str
    updated_at: str


class PriorityPublic(CamelOutput):
    id: str
    label: str
    module: str | None
    active: bool
    created_at: str
    updated_at: str


class TodoPublic(CamelOutput):
    id: str
    label: str
    mission_id: str | None
    priority_id: str | None
    status: TodoStatus
    created_at: str
    updated_at: str


class DecisionPublic(CamelOutput):
    id: str
    title: str
    impact: str | None
    created_at: str
    updated_at: str


class DocPublic(CamelOutput):
    id: str
    title: str
    owner: str | None
    source_type: SourceType | None
    url: str | None
    created_at: str
    updated_at: str


# The state


class StateQuery(CamelInput):
    profile: Literal["pilotage", "execution", "revue"] = "pilotage"
    intent: (
        Literal["weekly_review", "daily_execution", "sprint_planning", "context_only"] | None
    ) = None
    detail_level: Literal["minimal", "standard", "detailed"] = "standard"


assert get_args(StateQuery.model_fields["profile"].annotation) == state.PROFILES


class UsageContext(CamelOutput):
    profile: str
    role: Literal["viewer", "reviewer", "owner"]
    intent: str | None


# Items in the state: which fields each has depends on the detail level (docs/pilotage.md).
_Item = dict[str, Any]


class PilotageState(CamelOutput):
    cycle: str = Field(description='"v" and the count of the workspace\'s pilotage changes')
    contract_version: int = Field(description="The version of this response's shape")
    missions: list[_Item]
    active_priorities: list[_Item]
    todos: list[_Item]
    decisions: list[_Item]
    active_docs: list[_Item]
    usage_context: UsageContext
    pending_actions: list[_Item] | None = Field(
        default=None, description="detailLevel=detailed only: actions awaiting review or apply"
    )


# Proposed actions


def _proposal(name: str, payload: type[BaseModel]) -> type[BaseModel]:
    title = "".join(part.title() for part in name.split("_"))
    return create_model(
        f"Propose{title}",
        __base__=CamelInput,
        action_type=(Literal[name], Field(description="Max 100 chars")),  # type: ignore[arg-type]
        explanation=(Explanation, Field(description="Max 500 chars")),
        payload=(payload, Field(description=ACTION_TYPES[name].description)),
    )


def _tag(value: Any) -> str | None:
    """The action type a body names, which picks the shape of the rest."""
    if isinstance(value, dict):
        named = value.get("actionType")
        return named if isinstance(named, str) else None
    return getattr(value, "action_type", None)


_Proposal: Any = Annotated[
    Union[  # noqa: UP007
        tuple(Annotated[_proposal(n, t.payload), Tag(n)] for n, t in ACTION_TYPES.items())
    ],
    Discriminator(
        _tag,
        custom_error_type="action_type",
        custom_error_message="actionType must be one of " + ", ".join(ACTION_TYPES),
    ),
]


class ActionPropose(RootModel[_Proposal]):
    """The action to propose; `actionType` picks its payload's shape."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "actionType": "create_todo",
                    "explanation": "The billing spec needs its tests",
                    "payload": {"label": "Write the Stripe integration tests"},
                }
            ]
        }
    )


class ActionReview(CamelInput):
    approved: StrictBool = Field(description="true to approve, false to reject")
    reason: ReviewReason | None = Field(default=None, description="Optional, max 200 chars")


class ActionQuery(CamelInput):
    status: ActionStatus | None = None


class ActionPublic(CamelOutput):
    id: str
    action_type: str
    explanation: str
    status: ActionStatus
    payload: dict[str, Any]
    proposed_by: str | None
    review_reason: str | None
    reviewed_at: str | None
    applied_at: str | None
    result: dict[str, Any] | None
    last_error: str | None
    created_at: str
    updated_at: str


class TrailActor(CamelOutput):
    id: str | None
    name: str
    kind: str


class TrailStep(CamelOutput):
    step: Literal["proposed", "approved", "rejected", "applied", "failed"]
    actor: TrailActor
    reason: str | None
    result: dict[str, Any] | None
    at: str


class ActionDetail(ActionPublic):
    trail: list[TrailStep]
