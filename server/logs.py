"""Logging set-up: one structured line per request or socket command, and every
library's lines in the same format."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import sys
import time
import weakref
from collections.abc import Callable
from typing import Any, BinaryIO

import orjson
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _OneLine(logging.Filter):
    """Folds a library's traceback into its message: during a database restart asyncpg
    logs one per reconnect attempt, and the error's name says all there is to say."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {type(exc).__name__}: {exc}"
            record.args = None
            record.exc_info = None
        return True


class TickFlushedLogger(structlog.BytesLogger):
    """structlog's bytes logger, writing once per turn of the event loop instead of once
    per line: under load the lines of a turn (a batch of votes, say) leave in one write
    and one flush, whether or not the output is buffered (`PYTHONUNBUFFERED` is common
    in containers). A line is written before the loop goes back to waiting, so it is
    never held longer than the turn it was written in; with no loop running (a command,
    a thread), at once; and at exit, whatever is left."""

    def __init__(self, file: BinaryIO | None = None) -> None:
        super().__init__(file)
        self._lines: list[bytes] = []
        # The loop whose next turn will write the lines, if one is due.
        self._due: asyncio.AbstractEventLoop | None = None
        _live.add(self)

    def msg(self, message: bytes) -> None:
        with self._lock:
            self._lines.append(message)
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self._write_lines()
                return
            if self._due is not loop:
                self._due = loop
                loop.call_soon(self._flush_now)

    def msg_now(self, message: bytes) -> None:
        """Write `message` at once, after the lines still waiting for their turn's end."""
        with self._lock:
            self._lines.append(message)
            self._write_lines()

    def _flush_now(self) -> None:
        with self._lock:
            self._due = None
            self._write_lines()

    def _write_lines(self) -> None:
        if not self._lines:
            return
        lines, self._lines = self._lines, []
        lines.append(b"")
        self._write(b"\n".join(lines))
        self._flush()

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg


_live: weakref.WeakSet[TickFlushedLogger] = weakref.WeakSet()


@atexit.register
def _write_what_is_left() -> None:
    for logger in list(_live):
        # An output closed already has nowhere left to write to.
        with contextlib.suppress(OSError, ValueError):
            logger._flush_now()


class _TickFlushedLoggerFactory:
    """One logger for standard output as it is when asked: lines share its flushes."""

    def __init__(self) -> None:
        self._logger: TickFlushedLogger | None = None

    def __call__(self, *args: Any) -> TickFlushedLogger:
        out = sys.stdout.buffer
        if self._logger is None or self._logger._file is not out:
            self._logger = TickFlushedLogger(out)
        return self._logger

    def write(self, line: str) -> None:
        """A line rendered elsewhere (see `_Rendered`), written at once with the lines
        before it. These are few (start-up, shutdown, warnings), and the last ones come
        as the process ends: uvicorn ends a process stopped by a signal with the same
        signal, so no later turn, and no exit hook, would write them."""
        self().msg_now(line.encode())


class _Rendered(logging.Handler):
    """The standard library's records (uvicorn's, Tortoise's, asyncpg's, and this
    project's modules that log with `logging`) rendered as structlog renders its own
    lines, with their level, logger and time, and written to the same output: one
    format and one stream, in order. A traceback becomes the line's `exception`."""

    def __init__(self, level: int, fmt: str, write: Callable[[str], None]) -> None:
        super().__init__(level)
        last: list[Any] = (
            [structlog.dev.ConsoleRenderer(colors=False)]
            if fmt == "console"
            else [
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(serializer=_json_text),
            ]
        )
        self.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                foreign_pre_chain=[structlog.stdlib.add_logger_name, *_common()],
                processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *last],
            )
        )
        self._write = write

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self._write(line)


def _json_text(obj: Any, **kwargs: Any) -> str:
    return orjson.dumps(obj, **kwargs).decode()


def _common() -> list[Any]:
    return [
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def _print(line: str) -> None:
    print(line, flush=True)


def configure(level: str = "info", fmt: str | None = None) -> None:
    """`fmt` is "json" (one JSON object per line, the default when the output is not a
    terminal) or "console" (aligned key=value text, for a person at a terminal). JSON
    lines cost about a quarter of the console's rendering, and log shippers read them.
    The standard library's loggers write through the same renderer to standard output
    (see `_Rendered`); called again, the set-up is replaced, not added to."""
    number = logging.getLevelName(level.upper())
    fmt = fmt or ("console" if sys.stdout.isatty() else "json")
    if fmt == "console":
        renderer: Any = structlog.dev.ConsoleRenderer(colors=False)
        factory: Any = structlog.PrintLoggerFactory()
        write: Callable[[str], None] = _print
    else:
        renderer = structlog.processors.JSONRenderer(serializer=orjson.dumps)
        factory = _TickFlushedLoggerFactory()
        write = factory.write
    root = logging.getLogger()
    for replaced in [h for h in root.handlers if isinstance(h, _Rendered)]:
        root.removeHandler(replaced)
    root.addHandler(_Rendered(number, fmt, write))
    root.setLevel(number)
    # Each websocket's accept, open and close (see server/websocket.py).
    quiet = logging.DEBUG if level.lower() == "debug" else logging.WARNING
    logging.getLogger("roundtable.websocket").setLevel(quiet)
    pool_log = logging.getLogger("asyncpg.pool")
    if not any(isinstance(f, _OneLine) for f in pool_log.filters):
        pool_log.addFilter(_OneLine())
    structlog.configure(
        processors=[*_common(), renderer],
        wrapper_class=structlog.make_filtering_bound_logger(number),
        logger_factory=factory,
        cache_logger_on_first_use=True,
    )


log = structlog.get_logger("roundtable")


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            log.info(
                "http",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - start) * 1000, 1),
            )
