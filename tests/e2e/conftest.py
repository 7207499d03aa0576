"""A real Chromium against the live server: people are browser contexts, each with its
own fresh localStorage. A test fails when one of its pages throws an uncaught error,
logs an error to the console, or gets a failed request (a 4xx or 5xx answer, 404s
included, or a request that never got one), unless the test provokes that on purpose
and says so with `Person.allow`.

The suite runs once, on SQLite with in-process pub/sub: what the browser does is the
same on either stack, and the realtime suites already cover both.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Request,
    Response,
    async_playwright,
    expect,
)

from models import User
from tests.factories import jwt_for
from tests.realtime.clients import LiveServer
from tests.realtime.conftest import live_server  # noqa: F401  (the e2e suite's own server)
from tests.support import ROOT, require

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
SESSION_KEY = "roundtable.session"
# Every wait is bounded: actions and navigations, and each `expect`.
TIMEOUT_MS = 10_000
expect.set_options(timeout=10_000)

E2E_DIR = Path(__file__).resolve().parent
PAGE_ERRORS = pytest.StashKey[list[str]]()
PEOPLE = pytest.StashKey[list["Person"]]()

# Keeps every Socket.IO socket the page opens in window.rtSockets, so a test can wait
# for a live connection whichever view opened it.
TRACK_SOCKETS = """(() => {
  let io;
  window.rtSockets = [];
  Object.defineProperty(window, "io", {
    configurable: true,
    get: () => io,
    set(value) {
      io = typeof value !== "function" ? value : new Proxy(value, {
        apply(target, self, args) {
          const socket = Reflect.apply(target, self, args);
          window.rtSockets.push(socket);
          return socket;
        },
      });
    },
  });
})();"""


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    """Browser tests need Chromium, and run on the SQLite stack only: the PostgreSQL
    variant is deselected rather than skipped."""
    keep, drop = [], []
    for item in items:
        if not item.path.is_relative_to(E2E_DIR):
            keep.append(item)
            continue
        item.add_marker(pytest.mark.browser)
        params = getattr(item, "callspec", None)
        on_postgres = params is not None and params.params.get("database") == "postgres"
        (drop if on_postgres else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """A test whose pages threw an uncaught error, logged a console error or got a failed
    request fails, even when its asserts held."""
    result = yield
    errors = item.stash.get(PAGE_ERRORS, [])
    if errors:
        pytest.fail("uncaught errors in the page:\n" + "\n".join(errors), pytrace=False)
    problems = [line for person in item.stash.get(PEOPLE, []) for line in person.unexpected()]
    if problems:
        pytest.fail(
            "console errors or failed requests in the page:\n" + "\n".join(problems),
            pytrace=False,
        )
    return result


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    require("chromium")
    pw = await async_playwright().start()
    try:
        yield pw
    finally:
        await pw.stop()


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    """Debian's Chromium, headless; nothing is downloaded."""
    browser = await playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
    )
    try:
        yield browser
    finally:
        await browser.close()


@dataclass
class Person:
    """One person at their own browser: a context (cookies, localStorage) and a page."""

    name: str
    context: BrowserContext
    page: Page
    live: LiveServer
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    # Console errors and failed requests, each as one line; any not allowed fails the test.
    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, *patterns: str) -> None:
        """Console errors or failed requests this test provokes on purpose (a refused
        change, a dropped network): lines matching any of these regexes are let through."""
        self.allowed += [re.compile(p) for p in patterns]

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(a.search(p) for a in self.allowed)]

    async def goto(self, path: str) -> None:
        await self.page.goto(path)

    async def sign_in(self, user: User, token: str | None = None) -> None:
        await sign_in(self.page, self.live, user, token)

    async def set_offline(self, offline: bool) -> None:
        await self.context.set_offline(offline)

    async def track_sockets(self) -> None:
        """From the next load on, record the page's Socket.IO sockets."""
        await self.context.add_init_script(TRACK_SOCKETS)

    async def wait_for_live_socket(self) -> None:
        """Wait until a socket recorded by `track_sockets` is connected."""
        await self.page.wait_for_function(
            "() => (window.rtSockets || []).some((socket) => socket.connected)"
        )


async def sign_in(page: Page, live: LiveServer, user: User, token: str | None = None) -> None:
    """Sign `page` in as `user` the way the app remembers it: {token, user} in
    localStorage. The page's next load (or route change) sees the signed-in user."""
    if not page.url.startswith(live.url):
        # localStorage belongs to an origin: stand on the server's before writing it.
        await page.goto("/api/health")
    value = {
        "token": token or jwt_for(user),
        "user": {"id": str(user.id), "email": user.email, "name": user.name},
    }
    await page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)", [SESSION_KEY, json.dumps(value)]
    )


async def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the whole page to tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=path, full_page=True)
    return path


_WIDER_THAN_THE_WINDOW = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className}`);
}"""


async def fits_the_width(page: Page, within: float = 10.0) -> None:
    """Wait until the page needs no sideways scrolling; on failure, name what sticks out."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        overflow = await page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow <= 0:
            return
        if asyncio.get_running_loop().time() > deadline:
            wide = await page.evaluate(_WIDER_THAN_THE_WINDOW)
            raise AssertionError(f"the page is {overflow}px too wide: {wide}")
        await asyncio.sleep(0.1)


People = Callable[[], Awaitable[Person]]


@pytest.fixture
async def people(
    browser: Browser,
    live_server: LiveServer,  # noqa: F811
    request: pytest.FixtureRequest,
) -> AsyncIterator[People]:
    """Opens a new person (browser context and page) per call; all are closed after."""
    opened: list[Person] = []
    errors = request.node.stash.setdefault(PAGE_ERRORS, [])

    async def open_person() -> Person:
        name = f"person {len(opened) + 1}"
        context = await browser.new_context(base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        page = await context.new_page()
        person = Person(name=name, context=context, page=page, live=live_server)

        def on_page_error(error: Error) -> None:
            line = f"{name}: {error.name}: {error.message}\n{error.stack or ''}".rstrip()
            person.errors.append(line)
            errors.append(line)

        def on_console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                person.console.append(f"{name} [{message.type}] {message.text}")
            if message.type == "error":
                where = message.location.get("url", "")
                person.problems.append(f"{name}: console error: {message.text} ({where})")

        def on_response(response: Response) -> None:
            if response.status >= 400:
                method = response.request.method
                person.problems.append(f"{name}: {response.status} {method} {response.url}")

        def on_request_failed(request: Request) -> None:
            # A fetch still on its way when the page navigates or closes is dropped by
            # the browser (net::ERR_ABORTED): nothing failed, the answer is just unread.
            if request.failure and "ERR_ABORTED" in request.failure:
                return
            person.problems.append(
                f"{name}: request failed: {request.method} {request.url}: {request.failure}"
            )

        page.on("pageerror", on_page_error)
        page.on("console", on_console)
        page.on("response", on_response)
        page.on("requestfailed", on_request_failed)
        opened.append(person)
        request.node.stash.setdefault(PEOPLE, []).append(person)
        return person

    yield open_person
    lines = [line for person in opened for line in person.console + person.errors]
    if lines:
        request.node.add_report_section("teardown", "browser console", "\n".join(lines))
    for person in opened:
        await person.context.close()


@pytest.fixture
async def two_people(people: People) -> tuple[Person, Person]:
    return await people(), await people()


@pytest.fixture
async def person(people: People) -> Person:
    return await people()
