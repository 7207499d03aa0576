"""Command line: `python -m server [--host H] [--port P]`, `python -m server migrate`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.config import Settings

DESCRIPTION = """Roundtable: real-time planning poker and kanban boards.

Environment: HOST, PORT, DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_ORIGINS,
RATE_LIMIT, SOCKETIO_SERIALIZER (msgpack|json),
SOCKETIO_TRANSPORTS (polling,websocket), SMTP_*, PUBLIC_URL, ATTACHMENTS_DIR, LOG_LEVEL,
LOG_FORMAT (json|console; console at a terminal, JSON lines otherwise),
REGISTER_RATE_LIMIT (sign-ups per client IP, default 30/hour),
JWT_EXPIRES_IN (lifetime of a signed-in session's JWT: seconds, or a number with
s, m, h, d or w such as 1h or 7d; default 7d; JWT_TTL_SECONDS is its older name),
HTTP_KEEPALIVE_SECONDS (how long an idle HTTP connection stays open, default 75;
keep it above your reverse proxy's idle timeout),
SOCKET_RECHECK_SECONDS (how often an open socket's token is read again, default 10;
revocations, kicks and password changes close sockets at once regardless),
PRESENCE_TTL_SECONDS (with Redis: how long the people of a worker that died without a
word stay listed as present, default 15; each worker renews its own every third of it),
INTEGRATIONS_ALLOW_PRIVATE (true lets imports and estimate sync reach private, loopback
and plain-http addresses, such as a Jira inside the network; default false),
JOBS_ENABLED (run the background job runner in this worker, default true),
JOBS_POLL_SECONDS (how often the runner looks for due jobs, default 1),
JOBS_BACKOFF_SECONDS (first retry delay of a failed job, doubling, default 2),
HISTORY_RETENTION (how long finished jobs and webhook deliveries are kept, default 30d),
WEBHOOKS_ALLOW_PRIVATE (true lets webhooks reach loopback, private and link-local
addresses, such as a receiver inside the network; default false),
MCP_RATE_LIMIT (tool calls per personal access token on /mcp, default 120/minute),
AI_MODEL, AI_BASE_URL, AI_API_KEY (an OpenAI-compatible chat-completions model for the
AI helpers, such as Ollama at http://localhost:11434/v1; without AI_MODEL the built-in
rules answer, with no network), AI_TIMEOUT_SECONDS (default 30), AI_MAX_TOKENS (default
1500), AI_FALLBACK (builtin: the rules answer when the model fails, the default; error:
the request fails with 502).

FORWARDED_ALLOW_IPS: the reverse proxies (comma-separated IPs or networks, such as
127.0.0.1 for an nginx on the same host) whose X-Forwarded-For and X-Forwarded-Proto
are believed. Unset trusts no one: the client is the peer of the TCP connection, so
nobody picks their own address for the rate limits."""


GRACEFUL_SHUTDOWN_SECONDS = 10


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m server",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", help="interface to bind (default: $HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to bind (default: $PORT or 8000)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--migrate", action="store_true", help="apply pending migrations before serving"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("serve", help="serve HTTP and sockets (the default)")
    sub.add_parser("migrate", help="apply pending database migrations, then exit")
    return parser


def forwarded_allow_ips() -> list[str]:
    """FORWARDED_ALLOW_IPS as a list; empty (trust no proxy) when unset."""
    raw = os.environ.get("FORWARDED_ALLOW_IPS", "")
    return [ip.strip() for ip in raw.split(",") if ip.strip()]


def _migrate() -> None:
    from server.config import Settings
    from server.db import migrate

    settings = Settings.from_env()
    asyncio.run(migrate(settings.database_url))
    print(f"migrations applied to {settings.database_url.split('://')[0]} database")


def protocol_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn speaks HTTP and websockets for Roundtable: an HTTP protocol that lets
    go of itself after an upgrade, our lean websocket protocol, no per-message deflate,
    no websocket pings (Engine.IO has its own), and idle HTTP connections kept as long
    as the settings say."""
    from server.http_protocol import LeanHttpProtocol
    from server.websocket import LeanWebSocketProtocol

    return {
        "http": LeanHttpProtocol,
        "ws": LeanWebSocketProtocol,
        "ws_per_message_deflate": False,
        "ws_ping_interval": None,
        "timeout_keep_alive": settings.http_keepalive_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "migrate":
        _migrate()
        return 0
    if args.migrate:
        _migrate()

    import uvicorn

    from server import logs
    from server.config import Settings

    settings = Settings.from_env(host=args.host, port=args.port)
    # uvicorn's own lines in the server's format (see server/logs.py): it sets up no
    # logging of its own (`log_config=None`), and its records reach this one.
    logs.configure(settings.log_level, settings.log_format)
    # Workers re-read the environment, so pin what the flags chose.
    os.environ["HOST"], os.environ["PORT"] = settings.host, str(settings.port)
    # uvicorn would believe X-Forwarded-For from 127.0.0.1 unless told otherwise, letting
    # anyone on the host choose the address the rate limits count against.
    trusted = forwarded_allow_ips()
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=args.workers,
        **protocol_options(settings),
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted,
        log_config=None,
        log_level=settings.log_level,
        access_log=False,
        # Open sockets and long-polls are closed after this long on SIGTERM, so a
        # rolling restart never hangs on one client.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
