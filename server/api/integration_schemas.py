"""Request and response schemas of imports and estimate sync (seed 000's integrations).

A preview, a confirm and a sync are each one shape of a union picked by `provider`, so
each lists exactly the fields that provider takes. Tokens are accepted here and never
appear in an answer.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError

from server.api.integration_patterns import BASE64, CSV_NAME, SITE_URL
from server.api.poker_schemas import Envelope, LongText, StoryTitle, unchanged
from server.api.schemas import Email, Input, NoNul, Output
from services.poker.imports.items import ESTIMATE_MAX, KEY_MAX, MAX_ROWS, URL_MAX


def _c(low: int, high: int, pattern: str | None = None) -> StringConstraints:
    return StringConstraints(min_length=low, max_length=high, pattern=pattern)


Code = Annotated[str, _c(6, 6, r"^[A-Za-z0-9]{6}$"), NoNul]
Column = Annotated[str, _c(0, 200), NoNul]
SiteUrl = Annotated[str, _c(8, 300, SITE_URL), NoNul]
Token = Annotated[str, _c(1, 1000), NoNul]
Jql = Annotated[str, _c(1, 2000), NoNul]
PointsField = Annotated[str, _c(1, 100, r"^[A-Za-z0-9_]+$"), NoNul]
Repository = Annotated[str, _c(3, 200, r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"), NoNul]
Label = Annotated[str, _c(1, 50), NoNul]
Milestone = Annotated[str, _c(1, 100), NoNul]


def _csv_name(value: Any, handler: Any) -> Any:
    try:
        return handler(value)
    except ValidationError as exc:
        if any(e["type"] == "string_pattern_mismatch" for e in exc.errors()):
            raise PydanticCustomError(
                "string_pattern_mismatch", "must end in .csv, .tsv or .txt: export the sheet as CSV"
            ) from None
        raise


FileName = Annotated[str, _c(5, 255, CSV_NAME), NoNul, WrapValidator(_csv_name)]
CsvText = Annotated[str, StringConstraints(min_length=1), NoNul]
Base64 = Annotated[str, StringConstraints(min_length=4, pattern=BASE64)]
ExternalKey = Annotated[str, _c(1, KEY_MAX), NoNul]
ExternalUrl = Annotated[str, _c(8, URL_MAX, r"^https?://[^\x00]*$"), NoNul]
Estimate = Annotated[str, _c(1, ESTIMATE_MAX), NoNul]
LabelPrefix = Annotated[str, _c(1, 40), NoNul]
_CODE_HINT = "A session to check for stories it has already (by their key)"
_FILE = "The CSV: pasted text in `content`, or the file's bytes in `content_base64`; 5 MB at most"


class ColumnMapping(Input):
    """The column holding each field, by its header; a field left out is found by its
    header name, an empty string leaves it unmapped."""

    title: Column | None = None
    description: Column | None = None
    acceptance_criteria: Column | None = None
    key: Column | None = None
    estimate: Column | None = None
    url: Column | None = None


def _one_file(schema: dict[str, Any]) -> None:
    schema["oneOf"] = [{"required": ["content"]}, {"required": ["content_base64"]}]


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class _FilePreview(Input):
    """The file travels as pasted text or as its bytes, one of the two."""

    model_config = ConfigDict(json_schema_extra=_one_file)

    session_code: Code | None = Field(default=None, description=_CODE_HINT)
    # Left out, not null: the schema's oneOf counts which of the two were sent.
    content: CsvText = unchanged(_FILE)
    content_base64: Base64 = Field(
        default=None,
        validate_default=True,
        description="The file's bytes, base64: UTF-8 (BOM or not) or UTF-16",
        json_schema_extra=_drop_default,
    )
    filename: FileName | None = Field(default=None, description="Ends in .csv, .tsv or .txt")
    mapping: ColumnMapping | None = None

    @field_validator("content_base64", mode="wrap")
    @classmethod
    def _one_of_the_two(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> str | None:
        sent = info.data.get("content") is not None
        if value is None:
            if not sent:
                raise PydanticCustomError(
                    "missing", "send the file as content_base64, or paste it as content"
                )
            return None
        if sent:
            raise PydanticCustomError("extra_forbidden", "send content or content_base64, not both")
        checked: str = handler(value)
        return checked


class CsvPreview(_FilePreview):
    provider: Literal["csv"]


class JiraCsvPreview(_FilePreview):
    provider: Literal["jira_csv"]
    site_url: SiteUrl | None = Field(
        default=None, description="Your Jira site: issues link there, and estimates sync to it"
    )


class JiraPreview(Input):
    provider: Literal["jira"]
    session_code: Code | None = Field(default=None, description=_CODE_HINT)
    site_url: SiteUrl = Field(description="https://your-team.atlassian.net")
    email: Email
    api_token: Token
    jql: Jql
    story_points_field: PointsField | None = None


class GithubPreview(Input):
    provider: Literal["github"]
    session_code: Code | None = Field(default=None, description=_CODE_HINT)
    repository: Repository = Field(description="owner/name")
    token: Token
    labels: Annotated[list[Label], Field(max_length=10)] | None = None
    milestone: Milestone | None = Field(default=None, description="Its title or number")
    api_url: SiteUrl | None = Field(default=None, description="https://api.github.com")


class ImportPreview(
    RootModel[
        Annotated[
            CsvPreview | JiraCsvPreview | JiraPreview | GithubPreview,
            Field(discriminator="provider"),
        ]
    ]
):
    """What to import from; `provider` picks the shape."""


class ImportedStory(Input):
    title: StoryTitle
    description: LongText = ""
    acceptance_criteria: LongText = ""
    external_key: ExternalKey | None = None
    external_url: ExternalUrl | None = None
    estimate: Estimate | None = None


Stories = Annotated[list[ImportedStory], Field(min_length=1, max_length=MAX_ROWS)]


class NoOrigin(Input):
    """A file's stories link nowhere."""


class JiraCsvOrigin(Input):
    site_url: SiteUrl | None = Field(default=None, description="Where its issues live")


class JiraOrigin(Input):
    site_url: SiteUrl


class GithubOrigin(Input):
    repository: Repository
    api_url: SiteUrl | None = Field(default=None, description="https://api.github.com")


class CsvConfirm(Input):
    provider: Literal["csv"]
    origin: NoOrigin = Field(default_factory=NoOrigin)
    stories: Stories


class JiraCsvConfirm(Input):
    provider: Literal["jira_csv"]
    origin: JiraCsvOrigin = Field(default_factory=JiraCsvOrigin)
    stories: Stories


class JiraConfirm(Input):
    provider: Literal["jira"]
    origin: JiraOrigin
    stories: Stories


class GithubConfirm(Input):
    provider: Literal["github"]
    origin: GithubOrigin
    stories: Stories


class ImportConfirm(
    RootModel[
        Annotated[
            CsvConfirm | JiraCsvConfirm | JiraConfirm | GithubConfirm,
            Field(discriminator="provider"),
        ]
    ]
):
    """The `confirm` part of a preview's answer, sent back as it came."""


StoryIds = Annotated[list[uuid.UUID], Field(min_length=1, max_length=MAX_ROWS)]


class JiraSync(Input):
    provider: Literal["jira"]
    email: Email
    api_token: Token
    story_points_field: PointsField | None = None
    story_ids: StoryIds | None = Field(default=None, description="Left out: every one")

    def credentials(self) -> dict[str, str]:
        return {"email": self.email, "api_token": self.api_token}

    def options(self) -> dict[str, str]:
        field = self.story_points_field
        return {"story_points_field": field} if field else {}


class GithubSync(Input):
    provider: Literal["github"]
    token: Token
    mode: Literal["label", "comment"] = "label"
    label_prefix: LabelPrefix = "estimate: "
    story_ids: StoryIds | None = Field(default=None, description="Left out: every one")

    def credentials(self) -> dict[str, str]:
        return {"token": self.token}

    def options(self) -> dict[str, str]:
        return {"mode": self.mode, "label_prefix": self.label_prefix}


class SyncRequest(RootModel[Annotated[JiraSync | GithubSync, Field(discriminator="provider")]]):
    """Where to send the revealed estimates back to; `provider` picks the shape."""


# Responses


class ProviderField(Output):
    name: str
    required: bool
    secret: bool
    hint: str


class ProviderPublic(Output):
    id: Literal["csv", "jira_csv", "jira", "github"]
    name: str
    description: str
    kind: Literal["file", "api"]
    fields: list[ProviderField]
    sync: Literal["download", "jira", "github"]


class ProvidersResponse(Envelope):
    providers: list[ProviderPublic]


class PreviewStory(Output):
    row: int = Field(description="The row in the sheet (its header is row 1), or the place")
    title: str
    description: str
    acceptance_criteria: str
    external_key: str | None
    external_url: str | None
    estimate: str | None
    exists: bool = Field(description="The session has a story with this key already")


class RowErrorPublic(Output):
    row: int
    reason: str


class ConfirmBody(Output):
    provider: str
    origin: dict[str, str]
    stories: list[dict[str, str | None]]


class PreviewPublic(Output):
    provider: str
    link: Literal["csv", "jira", "github"]
    session_code: str | None
    columns: list[str]
    mapping: dict[str, str | None]
    stories: list[PreviewStory]
    errors: list[RowErrorPublic]
    total: int
    importable: int
    existing: int
    confirm: ConfirmBody = Field(description="The body for import-confirm")
    import_id: str


class PreviewResponse(Envelope):
    preview: PreviewPublic


class ImportedPublic(Output):
    id: uuid.UUID
    title: str
    status: str
    position: int
    external_key: str | None
    external_url: str | None


class SkippedPublic(Output):
    external_key: str
    reason: str


class ImportPublic(Output):
    import_id: str
    already_imported: bool
    imported: int
    skipped: list[SkippedPublic]
    stories: list[ImportedPublic]


class ImportResponse(Envelope):
    result: ImportPublic


class SyncStatus(Output):
    story_id: uuid.UUID
    title: str
    external_key: str | None
    external_url: str | None
    provider: Literal["jira", "github"]
    estimate: str | None
    status: Literal["pending", "done", "failed"]
    message: str | None = Field(description="The provider's message when it failed")
    attempts: int
    updated_at: datetime | None


class SyncResponse(Envelope):
    syncs: list[SyncStatus]
