"""Small local HTTP servers that speak the few Jira Cloud and GitHub REST endpoints the
imports and estimate sync use, so those run offline against real HTTP. Each records
what it was asked, checks credentials as the real one does, and can be told to fail.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JIRA_EMAIL, JIRA_TOKEN = "pm@example.com", "jira-secret-token-123"
GITHUB_TOKEN = "ghp_fakesecrettoken456"
POINTS = "customfield_10016"


@dataclass
class Fake:
    """What every fake shares: its URL, the requests it saw, failures to answer next."""

    url: str = ""
    seen: list[tuple[str, str]] = field(default_factory=list)
    # (status, body) answered, in order, before a write is handled as usual.
    fail_writes: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    writes: int = 0

    def failure(self) -> web.Response | None:
        if self.fail_writes:
            status, body = self.fail_writes.pop(0)
            return web.json_response(body, status=status)
        return None


@dataclass
class FakeJira(Fake):
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 2

    def add(self, key: str, summary: str, description: str = "", points: Any = None) -> None:
        adf = {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": description}]}],
        }
        self.issues[key] = {
            "summary": summary,
            "description": adf if description else None,
            POINTS: points,
        }

    def _authorized(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{JIRA_EMAIL}:{JIRA_TOKEN}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    async def search(self, request: web.Request) -> web.Response:
        self.seen.append(("GET", request.path_qs))
        if not self._authorized(request):
            return web.json_response(
                {"errorMessages": ["Client must be authenticated"]}, status=401
            )
        jql = request.query.get("jql", "")
        if "invalid" in jql:
            return web.json_response(
                {"errorMessages": ["Error in the JQL Query: 'invalid' is not a field"]}, status=400
            )
        keys = sorted(self.issues, key=lambda k: int(k.split("-")[1]))
        start = int(request.query.get("nextPageToken", "0") or 0)
        size = min(int(request.query.get("maxResults", "50")), self.page_size)
        page = keys[start : start + size]
        body: dict[str, Any] = {
            "issues": [
                {"id": str(i), "key": k, "fields": self.issues[k]} for i, k in enumerate(page)
            ],
            "isLast": start + size >= len(keys),
        }
        if not body["isLast"]:
            body["nextPageToken"] = str(start + size)
        return web.json_response(body)

    async def edit(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        self.seen.append(("PUT", request.path))
        if not self._authorized(request):
            return web.json_response(
                {"errorMessages": ["Client must be authenticated"]}, status=401
            )
        failed = self.failure()
        if failed is not None:
            return failed
        if key not in self.issues:
            return web.json_response({"errorMessages": ["Issue does not exist"]}, status=404)
        fields = (await request.json()).get("fields", {})
        for name in fields:
            if name != POINTS:
                return web.json_response(
                    {"errors": {name: f"Field '{name}' cannot be set."}}, status=400
                )
        self.issues[key].update(fields)
        self.writes += 1
        return web.Response(status=204)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/rest/api/3/search/jql", self.search)
        app.router.add_put("/rest/api/3/issue/{key}", self.edit)
        return app


@dataclass
class FakeGitHub(Fake):
    repository: str = "acme/shop"
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    milestones: dict[int, str] = field(default_factory=lambda: {1: "Sprint 12"})
    comments: dict[int, list[str]] = field(default_factory=dict)
    page_size: int = 2

    def add(
        self,
        number: int,
        title: str,
        *,
        body: str = "",
        labels: tuple[str, ...] = (),
        milestone: int | None = None,
        pull_request: bool = False,
    ) -> None:
        self.issues[number] = {
            "number": number,
            "title": title,
            "body": body,
            "labels": [{"name": n} for n in labels],
            "milestone": {"number": milestone} if milestone else None,
            "html_url": f"https://github.com/{self.repository}/issues/{number}",
            **({"pull_request": {"url": "x"}} if pull_request else {}),
        }

    def _refused(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {GITHUB_TOKEN}":
            return web.json_response({"message": "Bad credentials"}, status=401)
        info = request.match_info
        if f"{info.get('owner')}/{info.get('name')}" != self.repository:
            return web.json_response({"message": "Not Found"}, status=404)
        return None

    async def list_issues(self, request: web.Request) -> web.Response:
        self.seen.append(("GET", request.path_qs))
        refused = self._refused(request)
        if refused is not None:
            return refused
        found = sorted(self.issues.values(), key=lambda i: i["number"])
        wanted = [n for n in request.query.get("labels", "").split(",") if n]
        if wanted:
            found = [i for i in found if set(wanted) <= {lb["name"] for lb in i["labels"]}]
        milestone = request.query.get("milestone")
        if milestone:
            found = [i for i in found if (i["milestone"] or {}).get("number") == int(milestone)]
        page = int(request.query.get("page", "1"))
        size = min(int(request.query.get("per_page", "30")), self.page_size)
        chunk = found[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(found):
            headers["Link"] = (
                f'<{self.url}/repos/{self.repository}/issues?page={page + 1}>; rel="next"'
            )
        return web.json_response(chunk, headers=headers)

    async def list_milestones(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        return web.json_response([{"number": n, "title": t} for n, t in self.milestones.items()])

    def _issue(self, request: web.Request) -> dict[str, Any] | None:
        return self.issues.get(int(request.match_info["number"]))

    async def get_issue(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        issue = self._issue(request)
        if issue is None:
            return web.json_response({"message": "Not Found"}, status=404)
        return web.json_response(issue)

    async def update_issue(self, request: web.Request) -> web.Response:
        self.seen.append(("PATCH", request.path))
        refused = self._refused(request) or self.failure()
        if refused is not None:
            return refused
        issue = self._issue(request)
        if issue is None:
            return web.json_response({"message": "Not Found"}, status=404)
        body = await request.json()
        if "labels" in body:
            issue["labels"] = [{"name": n} for n in body["labels"]]
        self.writes += 1
        return web.json_response(issue)

    async def comment(self, request: web.Request) -> web.Response:
        self.seen.append(("POST", request.path))
        refused = self._refused(request) or self.failure()
        if refused is not None:
            return refused
        number = int(request.match_info["number"])
        if number not in self.issues:
            return web.json_response({"message": "Not Found"}, status=404)
        self.comments.setdefault(number, []).append((await request.json())["body"])
        self.writes += 1
        return web.json_response({"id": 1}, status=201)

    def labels_of(self, number: int) -> list[str]:
        return [lb["name"] for lb in self.issues[number]["labels"]]

    def app(self) -> web.Application:
        app = web.Application()
        base = "/repos/{owner}/{name}"
        app.router.add_get(base + "/issues", self.list_issues)
        app.router.add_get(base + "/milestones", self.list_milestones)
        app.router.add_get(base + "/issues/{number}", self.get_issue)
        app.router.add_patch(base + "/issues/{number}", self.update_issue)
        app.router.add_post(base + "/issues/{number}/comments", self.comment)
        return app


@asynccontextmanager
async def serving(fake: Fake, app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on a free local port until the block ends; its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake.url
    finally:
        await runner.cleanup()


@asynccontextmanager
async def fake_jira() -> AsyncIterator[FakeJira]:
    jira = FakeJira()
    async with serving(jira, jira.app()):
        yield jira


@asynccontextmanager
async def fake_github() -> AsyncIterator[FakeGitHub]:
    github = FakeGitHub()
    async with serving(github, github.app()):
        yield github
