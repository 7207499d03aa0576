"""Request and response schemas of automation rules (seed 001 shapes, camelCase): a
trigger with its options, conditions (server/api/automation_conditions.py), actions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)

from server.api.automation_conditions import UUID_PATTERN, Conditions, Id
from server.api.card_schemas import Priority, unchanged
from server.api.schemas import CamelInput, CamelOutput, Input, NoNul, StrictInt
from server.api.webhook_schemas import Url
from services.automations.actions import MAX_ACTIONS
from services.automations.triggers import STATUSES

Status = Literal["open", "done", "archived"]
assert STATUSES == ("open", "done", "archived")
Name = Annotated[str, StringConstraints(min_length=1, max_length=100), NoNul]

# Triggers, told apart by `type`; an option left out (or null) accepts anything.


class TaskMoved(CamelInput):
    type: Literal["task_moved"]
    from_column_id: Id | None = Field(default=None, description="Only moves out of this column")
    to_column_id: Id | None = Field(default=None, description="Only moves into this column")


class TaskCreated(CamelInput):
    type: Literal["task_created"]
    column_id: Id | None = Field(default=None, description="Only cards created in this column")


class TaskAddedToBoard(CamelInput):
    """A card appears on the board: created, or restored from the trash."""

    type: Literal["task_added_to_board"]
    column_id: Id | None = None


class ChecklistComplete(CamelInput):
    """The last open checklist item of a card is ticked (or removed)."""

    type: Literal["checklist_complete"]


class DueDateReached(CamelInput):
    """A card's due date comes round (once per card and due date)."""

    type: Literal["due_date_reached"]


class TaskStatusChanged(CamelInput):
    """open, done (in the project's last column) or archived (in the trash)."""

    type: Literal["task_status_changed"]
    from_: Status | None = Field(default=None, alias="from")
    to: Status | None = None


class TaskAssigned(CamelInput):
    type: Literal["task_assigned"]
    user_id: Id | None = Field(default=None, description="Only assignments to this member")


Trigger = Annotated[
    TaskMoved
    | TaskCreated
    | TaskAddedToBoard
    | ChecklistComplete
    | DueDateReached
    | TaskStatusChanged
    | TaskAssigned,
    Field(discriminator="type"),
]

# Actions, told apart by `type`


class MoveToColumn(CamelInput):
    """To the bottom of the column."""

    type: Literal["move_to_column"]
    column_id: Id


class Assign(CamelInput):
    type: Literal["assign"]
    user_id: Id | None = Field(description="A project member, or null to unassign")


class AddLabel(CamelInput):
    type: Literal["add_label"]
    label_id: Id


class RemoveLabel(CamelInput):
    type: Literal["remove_label"]
    label_id: Id


class SetPriority(CamelInput):
    type: Literal["set_priority"]
    priority: Priority | None = Field(description="null clears it")


class SetDueDate(CamelInput):
    type: Literal["set_due_date"]
    in_days: Annotated[StrictInt, Field(ge=0, le=3650)] | None = Field(
        description="Midnight UTC this many days after the rule runs; null clears it"
    )


class AddComment(CamelInput):
    type: Literal["add_comment"]
    text: Annotated[str, StringConstraints(min_length=1, max_length=2000), NoNul]


Recipient = Annotated[
    str,
    StringConstraints(pattern=r"^(assignee|creator|" + UUID_PATTERN[1:-1] + ")$"),
    AfterValidator(str.lower),
]


class Notify(CamelInput):
    """A notification to the card's assignee, its creator, or project members by id."""

    type: Literal["notify"]
    to: Annotated[list[Recipient], Field(min_length=1, max_length=20)]
    message: Annotated[str, StringConstraints(min_length=1, max_length=500), NoNul]


class CallWebhook(CamelInput):
    """A signed JSON POST, as webhooks send them, under the rule's signing secret."""

    type: Literal["call_webhook"]
    url: Url = Field(
        description="http or https; a host resolving to a private address is refused"
        " unless WEBHOOKS_ALLOW_PRIVATE is set"
    )


Action = Annotated[
    MoveToColumn
    | Assign
    | AddLabel
    | RemoveLabel
    | SetPriority
    | SetDueDate
    | AddComment
    | Notify
    | CallWebhook,
    Field(discriminator="type"),
]
Actions = Annotated[list[Action], Field(min_length=1, max_length=MAX_ACTIONS)]


class RuleCreate(CamelInput):
    """At most 50 rules per project; project admins only."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Welcome new cards",
                    "trigger": {"type": "task_created"},
                    "conditions": {"not": {"field": "assignee", "op": "is_set"}},
                    "actions": [{"type": "add_comment", "text": "Who picks this up?"}],
                }
            ]
        }
    )

    name: Name
    enabled: StrictBool = True
    trigger: Trigger
    conditions: Conditions | None = Field(
        default=None, description="Tests on the card; none: always"
    )
    actions: Actions

    def fields(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", by_alias=True)
        return {
            "name": data["name"],
            "enabled": data["enabled"],
            "trigger": data["trigger"],
            "conditions_tree": data["conditions"],
            "actions": data["actions"],
        }


class RuleUpdate(CamelInput):
    """Only the fields sent change; `conditions: null` removes them."""

    name: Name = unchanged()
    enabled: StrictBool = unchanged()
    trigger: Trigger = unchanged()
    conditions: Conditions | None = None
    actions: Actions = unchanged()
    rotate_secret: StrictBool = unchanged()

    def changes(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", by_alias=True, exclude_unset=True)
        renamed = {"rotateSecret": "rotate_secret"}
        return {renamed.get(k, k): v for k, v in data.items()}


class RuleToggle(CamelInput):
    """`enabled` turns the rule on or off; left out, the rule flips."""

    enabled: StrictBool = unchanged()


class TraceQuery(Input):
    limit: int = Field(default=50, ge=1, le=100, description="How many, newest first")
    before: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="Only traces older than this id"
    )


# Responses


class RulePublic(CamelOutput):
    id: str
    project_id: str
    name: str
    enabled: bool
    trigger: dict[str, Any]
    conditions: dict[str, Any] | None
    actions: list[dict[str, Any]]
    owner_id: str | None = Field(description="Who last saved it: the rule acts with their rights")
    created_at: str
    updated_at: str


class RuleWithSecret(RulePublic):
    signing_secret: str | None = Field(
        description="Signs the rule's webhook calls: only when created or rotated"
    )


class TraceActor(CamelOutput):
    id: str | None
    name: str
    kind: str


class TraceStep(CamelOutput):
    type: str
    result: Literal["success", "failure", "skipped"]
    detail: str | None = None
    error: str | None = None


class TracePublic(CamelOutput):
    id: int
    rule_id: str
    rule_name: str
    trigger: str
    event: dict[str, Any] = Field(description="What set it off: the change or the due date")
    actor: TraceActor = Field(description="The rule, as the board shows it")
    triggered_by: TraceActor | None = Field(description="Who made the change")
    card_id: str | None
    card_title: str
    result: Literal["success", "failure", "skipped"]
    reason: str | None = Field(description="Why it was skipped")
    error: str | None
    actions: list[TraceStep]
    depth: int = Field(description="Its place in a chain of rules (1: a person's change)")
    duration_ms: int
    created_at: str
