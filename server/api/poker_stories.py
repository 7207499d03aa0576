"""REST for changing a story's text: the moderator's edit, and how a suggestion of the
assistant (an improved story, drafted criteria) is accepted."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from server.api.poker_schemas import LongText, StoryResponse, StoryTitle, unchanged
from server.api.routing import Api, Call
from server.api.schemas import Input
from services.poker import story_edits
from services.scopes import POKER_WRITE

api = Api("poker-stories")


def _at_least_one(schema: dict[str, Any]) -> None:
    schema["minProperties"] = 1


class StoryUpdate(Input):
    """Only the fields sent change; a story's votes and result stay as they are."""

    model_config = {**Input.model_config, "json_schema_extra": _at_least_one}

    title: StoryTitle = unchanged()
    description: LongText = unchanged()
    acceptance_criteria: LongText = unchanged()

    @model_validator(mode="after")
    def _something(self) -> StoryUpdate:
        if not self.model_fields_set:
            raise PydanticCustomError(
                "value_error", "send title, description or acceptance_criteria"
            )
        return self


@api.route(
    "PATCH",
    "/stories/{story}",
    summary="Change a story's title, description or acceptance criteria (moderator)",
    body=StoryUpdate,
    response=StoryResponse,
    auth="any",
    scope=POKER_WRITE,
    errors=(404, 409),
)
async def update_story(call: Call) -> Any:
    body: StoryUpdate = call.body
    story = await story_edits.update_story(
        actor=call.user, story_id=call.path["story"], changes=body.model_dump(exclude_unset=True)
    )
    return {"success": True, "story": story}
