"""Schemathesis over /api/openapi.json, signed in, on real ids: the schema is the contract.

Every operation gets schemathesis's coverage cases (each boundary of its schema, just
inside and just outside), and is fuzzed a few times with the ids of things its caller
really owns (so most requests reach the service, not the 404 at the door), a few times
with broken bodies and queries through a personal access token, and a few times with
made-up ids.
The run fails on a 5xx, on an answer its response schema does not describe, on a request
the schema allows that is refused as malformed (400/422), and on one it forbids that is
accepted. The few refusals a JSON Schema cannot state (a rule across fields, a
reference to data, the clock) are listed in SCHEMA_CANNOT_SAY, each with its reason.
The app runs in this event loop, the one Tortoise is bound to; Hypothesis runs in a
worker thread and hands each request back to the loop.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    CONTENT_TYPE_PROBES,
    coverage_scenario,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_schema_conformance,
)
from schemathesis.errors import FailureGroup
from schemathesis.openapi.checks import RejectedPositiveData

from models import CardLabel, WebhookDelivery
from services import tokens
from services.poker.folders import create_folder
from services.poker.imports import http as provider_http
from services.poker.imports.http import ProviderError
from services.poker.stories import add_story
from services.poker.templates import create_template
from services.webhooks.subscriptions import create_webhook
from tests.factories import bearer, guest, jwt_for, poker_room, user_actor
from tests.matrix import build_world
from tests.server import rows_agents, rows_pilotage, rows_project_drafts
from tests.server.rows_automations import seeded_rule

BASE_URL = "http://testserver"
# A public address given as a literal: saving a webhook to it resolves nothing.
WEBHOOK_URL = "https://93.184.215.14/hooks/roundtable"
# Examples per operation and per kind of run, bounded so that both backends take well
# under a minute and a half; SCHEMA_FUZZ_SCALE=10 digs deeper by hand.
_SCALE = int(os.environ.get("SCHEMA_FUZZ_SCALE", "1"))
REAL_IDS = 3 * _SCALE
BROKEN_INPUT = 3 * _SCALE
MADE_UP_IDS = 1 * _SCALE
# Schemathesis's coverage cases per operation: each boundary of the schema (lengths,
# bounds, enums, required fields, a missing body), just inside and just outside.
COVERAGE = 40 * _SCALE
# Run just before the deletes: one can close the poker session the others play in, the
# other sign the owner out.
CLOSING = {"PATCH /api/sessions/{code}", "POST /api/auth/change-password"}
# The run proves little if the seeded ids stop matching the paths: most operations
# must succeed at least once.
MIN_SUCCESSFUL_SHARE = 0.8
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]
# Refusals of schema-valid requests that no JSON Schema can state: (the operation, or
# "*" for any, and a regex the server's message starts with). Each is a 400/422 with that
# message, so a client hears exactly what was wrong.
SCHEMA_CANNOT_SAY: list[tuple[str, str]] = [
    # A rule across two fields of one body.
    ("*", "startDate must not be after dueDate"),
    ("GET /api/analytics", "from must not be after to"),
    ("POST /api/auth/change-password", "newPassword: must differ from the current password"),
    # Rules across fields that also read what is stored: a deck's cards and name go with
    # a custom deck, whether the request or the saved settings name it; a field's options
    # go with its type, sent or stored.
    ("*", "custom_deck_values: only a custom deck takes its own cards"),
    ("*", "custom_deck_name: only a custom deck has a name"),
    ("*", "A custom deck needs custom_deck_values"),
    ("*", "options: a select field needs"),
    ("*", "options: a multi-select field needs"),
    ("*", "options: only select and multi-select fields have options"),
    # Whether a value names something that exists: a member, a column of the import.
    ("*", "assigneeId must be a member of the project"),
    ("POST /api/orgs/{org_slug}/workspaces/{ws_slug}/projects/import", r"cards\."),
    ("POST /api/orgs/{org_slug}/workspaces/{ws_slug}/projects/import", r"customFields\."),
    ("POST /api/orgs/{org_slug}/workspaces/{ws_slug}/projects/import", r"labels\."),
    ("POST /api/sessions/{code}/vote", r"'.*' is not a card in this session's deck"),
    # A document's TipTap content, checked node by node below its top; where a document
    # lives (a project or scope of this workspace, named as its level requires); a parent
    # in its own scope and not below itself; a reviewer who may review it.
    ("POST /api/orgs/{org_slug}/workspaces/{ws_slug}/documents", r"content[.:]"),
    ("PATCH /api/orgs/{org_slug}/workspaces/{ws_slug}/documents/{document_id}", r"content[.:]"),
    ("*", r"(projectId|scopeId): (only|a project|a scope|must be the project)"),
    ("*", "parentId: (the parent must be|a document cannot be placed|documents nest)"),
    ("*", "reviewerId: must be someone other than the author"),
    # A blocked mission needs a reason, whether the request or the mission holds it.
    ("*", "blockedReason: a blocked mission needs a reason"),
    # A scope's settings are free JSON, stored with orjson, whose integers have 64 bits.
    ("*", "settings: numbers must fit in 64 bits"),
    # The clock.
    ("POST /api/api-tokens", "expiresAt: must be in the future"),
    # Whether an automation rule's ids name this project's columns, labels and members,
    # and what DNS says of its webhook's host.
    ("*", r"(trigger|conditions|actions)[\w.]*: names no (column|label|member) of this project"),
    ("*", r"actions\.\d+\.url: "),
    # What DNS says: a webhook's host must resolve, and only to public addresses.
    ("POST /api/webhooks", "url: "),
    ("PATCH /api/webhooks/{webhook}", "url: "),
    # The same for a Jira site or a GitHub API address, and plain http only where the
    # server allows private addresses (INTEGRATIONS_ALLOW_PRIVATE), which is its setting.
    ("POST /api/integrations/import-preview", r"(site_url|api_url): "),
    ("POST /api/sessions/{code}/integrations/import-confirm", r"origin\.(site_url|api_url): "),
    # What the file holds: CSV text in a known encoding, a header row, at most 1,000 rows,
    # a title column, and the columns its mapping names.
    ("POST /api/integrations/import-preview", "file: "),
    ("POST /api/integrations/import-preview", "No title column"),
    ("POST /api/integrations/import-preview", r"mapping\.\w+: there is no column named"),
    # What the provider answers: a refusal of the credentials, the query or the
    # repository, a milestone it does not have, more issues than one import takes.
    ("POST /api/integrations/import-preview", r"(Jira|GitHub) refused the request: "),
    ("POST /api/integrations/import-preview", "milestone: the repository has no milestone"),
    ("POST /api/integrations/import-preview", "The search finds more than"),
    ("POST /api/integrations/import-preview", "More than 1,000 issues match"),
]


@dataclass
class Seed:
    """Real ids for every path parameter, and the owner's credentials."""

    path: dict[str, str]
    jwt: str
    pat: str


async def _seed(client: httpx.AsyncClient) -> Seed:
    world = await build_world("fz-")
    owner, board = world.owner, world.board
    actor = user_actor(owner)
    teammate = await world.teammate()
    card = await world.card()
    other = await world.card("Review it")
    # A labelled card, so every card answer shows its labels' schema holds.
    await CardLabel.create(card_id=card, label_id=await world.label("triage"))
    upload = await client.post(
        f"{board.base}/cards/{card}/attachments",
        files={"file": ("spec.txt", b"the spec", "text/plain")},
        headers=bearer(jwt_for(owner)),
    )
    assert upload.status_code == 201, upload.text
    invitation = await world.invitation("newcomer@example.com")
    _, pat = await tokens.create_token(actor=actor, name="fuzz")
    spare, _ = await tokens.create_token(actor=actor, name="spare")
    _, _, session = await poker_room(owner, name="Fuzz sprint")
    code = session["code"]
    story = await add_story(actor=actor, code=code, title="Login page")
    _, participant_id, _ = await guest(code, "Gus")
    folder = await create_folder(actor=actor, name="Team A")
    template = await create_template(actor=actor, name="Refinement", stories=[{"title": "Login"}])
    hook, _ = await create_webhook(actor=actor, url=WEBHOOK_URL, events=["story_revealed"])
    delivery = await WebhookDelivery.create(
        webhook_id=hook["id"], event_id=uuid.uuid4(), event="story_revealed", payload={}
    )
    path = {
        "id": str(spare.id),
        "code": code,
        "participant_id": str(participant_id),
        "story": str(story["id"]),
        "folder_id": str(folder["id"]),
        "template": str(template["id"]),
        "webhook": str(hook["id"]),
        "delivery": str(delivery.id),
        "org_slug": board.org.slug,
        "ws_slug": board.workspace.slug,
        "user_id": str(teammate.id),
        "invitation_id": str(invitation["id"]),
        "token": invitation["token"],
        "project_id": str(board.project.id),
        "card_id": card,
        "column_id": await world.empty_column(),
        "comment_id": await world.comment(card),
        "attachment_id": upload.json()["id"],
        "label_id": await world.label(),
        "field_id": await world.custom_field(),
        "relation_id": await world.relation(card, other),
        "item_id": await world.checklist_item(card),
        "scope_id": await world.scope(),
        "notification_id": await world.notification(owner),
        "rule_id": await seeded_rule(world),
        "document_id": await world.document(),
        "version_number": "1",
        **await rows_pilotage.seed(world),
        **await rows_project_drafts.seed(world),
        **await rows_agents.seed(world),
    }
    return Seed(path=path, jwt=jwt_for(owner), pat=pat)


class _Tracebacks(logging.Handler):
    """What the server's error handler logged: the traceback behind a 500."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.setFormatter(logging.Formatter("%(message)s"))
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))


@dataclass
class Report:
    sent: int = 0
    failures: list[str] = field(default_factory=list)
    succeeded: set[str] = field(default_factory=set)
    operations: list[str] = field(default_factory=list)


class _Fuzzer:
    """Sends each generated case to the app on the test's event loop and checks it."""

    def __init__(
        self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop, seed: Seed
    ) -> None:
        self.client = client
        self.loop = loop
        self.seed = seed
        self.report = Report()
        self.tracebacks = _Tracebacks()

    def _send(self, case: schemathesis.Case[Any]) -> httpx.Response:
        kwargs = case.as_transport_kwargs(base_url=BASE_URL)
        prepared = requests.Request(
            method=kwargs["method"],
            url=kwargs["url"],
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
            cookies=kwargs.get("cookies"),
            json=kwargs.get("json"),
            data=kwargs.get("data"),
            files=kwargs.get("files"),
        ).prepare()
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        assert body is None or isinstance(body, bytes)
        headers = [
            (name, value if isinstance(value, str) else value.decode("latin-1"))
            for name, value in prepared.headers.items()
        ]
        request = self.client.request(
            prepared.method or "GET", prepared.url or BASE_URL, headers=headers, content=body
        )
        return asyncio.run_coroutine_threadsafe(request, self.loop).result(timeout=60)

    def _check(self, label: str, case: schemathesis.Case[Any]) -> None:
        logged = len(self.tracebacks.records)
        response = self._send(case)
        self.report.sent += 1
        if response.status_code < 300:
            self.report.succeeded.add(label)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as exc:
            failures = [f for f in exc.exceptions if not _unsayable(label, f, response)]
            if failures:
                trace = "\n".join(self.tracebacks.records[logged:])
                sent = (
                    f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"
                )
                answer = f"{response.status_code} {response.text[:500]}"
                told = "\n".join(str(f) for f in failures)
                self.report.failures.append(f"{label}\n{sent}\n{answer}\n{told}\n{trace}")

    def run(self, schema: Any, only: set[str] | None = None) -> Report:
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in sorted(operations, key=_destructive_last):
            label = operation.label
            if only is not None and label not in only:
                continue
            self.report.operations.append(label)
            names = {p.name for p in operation.path_parameters}
            real = {name: self.seed.path[name] for name in names}
            by_jwt = {"Authorization": f"Bearer {self.seed.jwt}"}
            by_pat = {"Authorization": f"Bearer {self.seed.pat}"}
            self._cover(label, schema, operation, real, by_jwt)
            self._fuzz(label, operation, GenerationMode.POSITIVE, REAL_IDS, real, by_jwt)
            if operation.body or operation.query:
                self._fuzz(label, operation, GenerationMode.NEGATIVE, BROKEN_INPUT, real, by_pat)
            if names:
                self._fuzz(label, operation, GenerationMode.POSITIVE, MADE_UP_IDS, {}, by_jwt)
        return self.report

    def _cover(
        self,
        label: str,
        schema: Any,
        operation: Any,
        path: dict[str, str],
        headers: dict[str, str],
    ) -> None:
        cases = schema.iter_coverage_cases(
            operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=schema.config.generation_for(operation=operation),
        )
        for case in itertools.islice(cases, COVERAGE):
            if coverage_scenario(case) in CONTENT_TYPE_PROBES:
                continue  # on a 5xx their check sends a request of its own, past this app
            if case.path_parameters is not None:
                case.path_parameters.update(path)
            case.headers = {**(case.headers or {}), **headers}
            self._check(label, case)

    def _fuzz(
        self,
        label: str,
        operation: Any,
        mode: GenerationMode,
        examples: int,
        path: dict[str, str],
        headers: dict[str, str],
    ) -> None:
        strategy = operation.as_strategy(
            generation_mode=mode, path_parameters=path or None, headers=headers
        )

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def fuzz(case: schemathesis.Case[Any]) -> None:
            self._check(label, case)

        fuzz()


def _unsayable(label: str, failure: Exception, response: httpx.Response) -> bool:
    """A schema-valid request refused for a reason SCHEMA_CANNOT_SAY lists."""
    if not isinstance(failure, RejectedPositiveData):
        return False
    try:
        message = str(response.json().get("message", ""))
    except ValueError:
        return False
    return any(op in ("*", label) and re.match(start, message) for op, start in SCHEMA_CANNOT_SAY)


def _destructive_last(operation: Any) -> tuple[int, int]:
    """Deletes run after everything else, leaves before their parents, so the seeded
    ids stay alive for every other operation."""
    if operation.method.upper() == "DELETE":
        return (2, -operation.path.count("/"))
    return (1 if operation.label in CLOSING else 0, 0)


async def _fuzz(client: httpx.AsyncClient, seed: Seed, only: set[str] | None = None) -> Report:
    raw = (await client.get("/api/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(raw)
    fuzzer = _Fuzzer(client, asyncio.get_running_loop(), seed)
    errors = logging.getLogger("roundtable.http")
    errors.addHandler(fuzzer.tracebacks)
    try:
        return await asyncio.to_thread(fuzzer.run, schema, only)
    finally:
        errors.removeHandler(fuzzer.tracebacks)


@pytest.fixture
def offline_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A preview whose host resolves to a public address would call it: here every
    provider refuses the made-up credentials instead, without leaving the machine."""

    async def refuse(*args: Any) -> httpx.Response:
        raise ProviderError("401 Unauthorized", status=401)

    monkeypatch.setattr(provider_http, "_send", refuse)


@pytest.fixture
async def raw_client(app: Any, db: str) -> AsyncIterator[httpx.AsyncClient]:
    """Like `client`, but a crash comes back as the 500 a browser would get."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
        yield c


async def test_no_request_answers_a_server_error(
    raw_client: httpx.AsyncClient, store: Path, offline_providers: None
) -> None:
    seed = await _seed(raw_client)
    report = await _fuzz(raw_client, seed)
    assert not report.failures, "\n\n".join(report.failures)
    missed = sorted(set(report.operations) - report.succeeded)
    share = len(report.succeeded) / len(report.operations)
    assert share >= MIN_SUCCESSFUL_SHARE, f"never succeeded: {missed}"


async def test_a_crash_is_reported_with_its_traceback(
    raw_client: httpx.AsyncClient, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.boards import notifications

    async def crash(**kwargs: Any) -> int:
        raise RuntimeError("counter exploded")

    monkeypatch.setattr(notifications, "unread_count", crash)
    seed = await _seed(raw_client)
    report = await _fuzz(raw_client, seed, only={"GET /api/notifications/count"})
    assert report.sent >= 1
    assert report.failures
    assert "Server error" in report.failures[0]
    assert "RuntimeError: counter exploded" in report.failures[0]


async def test_an_answer_the_schema_does_not_describe_is_reported(
    raw_client: httpx.AsyncClient, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.boards import notifications

    async def wordy(**kwargs: Any) -> str:
        return "seven"

    monkeypatch.setattr(notifications, "unread_count", wordy)
    seed = await _seed(raw_client)
    report = await _fuzz(raw_client, seed, only={"GET /api/notifications/count"})
    assert report.failures
    assert "Response violates schema" in report.failures[0]


async def test_a_valid_request_refused_as_malformed_is_reported(
    raw_client: httpx.AsyncClient, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.boards import labels
    from services.errors import invalid_field

    async def picky(**kwargs: Any) -> Any:
        raise invalid_field("name", "is not to my taste")

    monkeypatch.setattr(labels, "create_label", picky)
    seed = await _seed(raw_client)
    only = {"POST /api/orgs/{org_slug}/workspaces/{ws_slug}/projects/{project_id}/labels"}
    report = await _fuzz(raw_client, seed, only=only)
    assert report.failures
    assert "Valid data should have been accepted" in report.failures[0]
