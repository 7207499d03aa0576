"""Schemathesis over /api/openapi.json, signed in, on real ids: no request may answer 5xx.

Every operation is fuzzed a few times with the ids of things its caller really owns
(so most requests reach the service, not the 404 at the door), a few times with broken
bodies and queries through a personal access token, and a few times with made-up ids.
Only a 5xx fails the run. The app runs in this event loop,
the one Tortoise is bound to; Hypothesis runs in a worker thread and hands each request
back to the loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
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
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup

from services import tokens
from services.poker.folders import create_folder
from services.poker.stories import add_story
from tests.factories import bearer, guest, jwt_for, poker_room, user_actor
from tests.matrix import build_world

BASE_URL = "http://testserver"
# Examples per operation and per kind of run, bounded so that both backends take well
# under a minute and a half; SCHEMA_FUZZ_SCALE=10 digs deeper by hand.
_SCALE = int(os.environ.get("SCHEMA_FUZZ_SCALE", "1"))
REAL_IDS = 3 * _SCALE
BROKEN_INPUT = 3 * _SCALE
MADE_UP_IDS = 1 * _SCALE
# Run just before the deletes: one can close the poker session the others play in, the
# other sign the owner out.
CLOSING = {"PATCH /api/sessions/{code}", "POST /api/auth/change-password"}
# The run proves little if the seeded ids stop matching the paths: most operations
# must succeed at least once.
MIN_SUCCESSFUL_SHARE = 0.8


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
    path = {
        "id": str(spare.id),
        "code": code,
        "participant_id": str(participant_id),
        "story": str(story["id"]),
        "folder_id": str(folder["id"]),
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
            case.validate_response(response, checks=[not_a_server_error])
        except FailureGroup as exc:
            trace = "\n".join(self.tracebacks.records[logged:])
            self.report.failures.append(f"{label}\n{exc}\n{trace}")

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
            self._fuzz(label, operation, GenerationMode.POSITIVE, REAL_IDS, real, by_jwt)
            if operation.body or operation.query:
                self._fuzz(label, operation, GenerationMode.NEGATIVE, BROKEN_INPUT, real, by_pat)
            if names:
                self._fuzz(label, operation, GenerationMode.POSITIVE, MADE_UP_IDS, {}, by_jwt)
        return self.report

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
async def raw_client(app: Any, db: str) -> AsyncIterator[httpx.AsyncClient]:
    """Like `client`, but a crash comes back as the 500 a browser would get."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
        yield c


async def test_no_request_answers_a_server_error(
    raw_client: httpx.AsyncClient, store: Path
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
