"""Settings read from the environment, with the defaults the README documents."""

from __future__ import annotations

import math
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(os.environ.get("ROUNDTABLE_DATA_DIR", "data"))
_MIN_SECRET_BYTES = 32


def _secret_key(data_dir: Path) -> str:
    """Read SECRET_KEY, or create one once in the data directory with mode 0600."""
    key = os.environ.get("SECRET_KEY")
    if key:
        if len(key.encode()) < _MIN_SECRET_BYTES:
            raise SystemExit(f"SECRET_KEY must be at least {_MIN_SECRET_BYTES} bytes long")
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _origins(raw: str | None, host: str, port: int) -> list[str]:
    if raw:
        return [o.strip().rstrip("/") for o in raw.split(",") if o.strip()]
    hosts = {host, "localhost", "127.0.0.1"} if host in ("127.0.0.1", "localhost") else {host}
    return sorted(f"http://{h}:{port}" for h in hosts)


def _register_limit(text: str) -> str:
    return _limit("REGISTER_RATE_LIMIT", text)


def _limit(name: str, text: str) -> str:
    from limits import parse

    try:
        parse(text)
    except ValueError:
        raise SystemExit(f"{name} must look like 30/hour, not {text!r}") from None
    return text


def _log_format(text: str | None) -> str | None:
    if not text:
        return None
    if text not in ("json", "console"):
        raise SystemExit("LOG_FORMAT must be 'json' or 'console'")
    return text


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DEFAULT_JWT_TTL = 7 * 86400
_MAX_JWT_TTL = 366 * 86400


def _duration(name: str, text: str) -> int:
    """Seconds in `3600`, `90s`, `30m`, `1h`, `7d` or `2w`; anything else stops the server."""
    raw = text.strip().lower()
    unit = raw[-1:] if raw[-1:] in _DURATION_UNITS else "s"
    number = raw[:-1] if raw[-1:] in _DURATION_UNITS else raw
    if not number.isdigit():
        raise SystemExit(
            f"{name} must be a whole number of seconds or a number with a unit "
            f"(s, m, h, d, w), such as 3600, 1h or 7d; not {text!r}"
        )
    seconds = int(number) * _DURATION_UNITS[unit]
    if not 0 < seconds <= _MAX_JWT_TTL:
        raise SystemExit(f"{name} must be between 1 second and 366 days, not {text!r}")
    return seconds


def _jwt_ttl(env: Any) -> int:
    """JWT_EXPIRES_IN (the boards API's name), or the older JWT_TTL_SECONDS; 7 days."""
    new, old = env.get("JWT_EXPIRES_IN") or None, env.get("JWT_TTL_SECONDS") or None
    seconds = _duration("JWT_EXPIRES_IN", new) if new else None
    legacy = _duration("JWT_TTL_SECONDS", old) if old else None
    if seconds is not None and legacy is not None and seconds != legacy:
        raise SystemExit("JWT_EXPIRES_IN and JWT_TTL_SECONDS disagree; set only JWT_EXPIRES_IN")
    return seconds or legacy or _DEFAULT_JWT_TTL


def _positive(env: Any, name: str, default: float) -> float:
    text = env.get(name)
    if text is None or text == "":
        return default
    try:
        value = float(text)
    except ValueError:
        raise SystemExit(f"{name} must be a number of seconds, not {text!r}") from None
    if not 0 < value <= 3600:
        raise SystemExit(f"{name} must be between 0 and 3600 seconds")
    return value


def _flag(env: Any, name: str) -> bool:
    return str(env.get(name, "")).lower() in ("1", "true", "yes", "on")


def _ai_model(env: Any) -> str | None:
    """AI_MODEL turns the OpenAI-compatible provider on; its address or key alone is a
    mistake worth stopping for, since the built-in rules would answer unnoticed."""
    model = env.get("AI_MODEL") or None
    if model is None and (env.get("AI_BASE_URL") or env.get("AI_API_KEY")):
        raise SystemExit("AI_BASE_URL and AI_API_KEY need AI_MODEL, the model to ask")
    return model


def _ai_max_tokens(env: Any) -> int:
    text = env.get("AI_MAX_TOKENS") or "1500"
    if not text.isdigit() or not 64 <= int(text) <= 65536:
        raise SystemExit(f"AI_MAX_TOKENS must be a whole number from 64 to 65536, not {text!r}")
    return int(text)


def _ai_fallback(env: Any) -> str:
    text = env.get("AI_FALLBACK") or "builtin"
    if text not in ("builtin", "error"):
        raise SystemExit("AI_FALLBACK must be 'builtin' or 'error'")
    return text


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = "sqlite://data/roundtable.sqlite3"
    redis_url: str | None = None
    secret_key: str = field(default="", repr=False)
    allowed_origins: list[str] = field(default_factory=list)
    rate_limit: str = "60/minute"
    # Sign-ups per client IP: register's 409 says whether an address has an account.
    register_rate_limit: str = "30/hour"
    serializer: str = "msgpack"
    # How long a socket acts on the identity it was admitted with before it is read
    # again; revocations reach open sockets sooner, as events.
    socket_recheck_seconds: float = 10.0
    # With Redis: how long a worker that died without a word (kill -9, a lost machine)
    # keeps its people listed as present; each worker renews its own three times as often.
    presence_ttl_seconds: float = 15.0
    # How long an idle HTTP connection is kept open for its next request. Longer than a
    # reverse proxy's own idle timeout (nginx's upstream keepalive_timeout is 60 s), so
    # that the proxy, not the server, closes it: a request sent on a connection the
    # server is closing at that moment fails.
    http_keepalive_seconds: int = 75
    # Several workers without sticky sessions need websocket-only transport.
    transports: tuple[str, ...] = ("polling", "websocket")
    jwt_ttl_seconds: int = _DEFAULT_JWT_TTL
    data_dir: Path = DATA_DIR
    log_level: str = "info"
    # "json" or "console"; None picks console at a terminal and JSON lines otherwise.
    log_format: str | None = None
    # Outgoing email (invitations); off while smtp_host is unset.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "roundtable@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = False
    # The address people reach the app at, for links in emails; defaults to the first
    # allowed origin.
    public_url: str = ""
    # Where card attachments are stored; defaults to <data_dir>/attachments.
    attachments_dir: Path | None = None
    # Imports and estimate sync may reach loopback, private and link-local addresses (a
    # Jira inside the network); off, only public https sites are called.
    integrations_allow_private: bool = False
    # The background job runner: one per worker, polling for due jobs.
    jobs_enabled: bool = True
    jobs_poll_seconds: float = 1.0
    jobs_backoff_seconds: float = 2.0
    # Finished jobs and webhook deliveries are deleted once older than this.
    history_retention_seconds: int = 30 * 86400
    # Webhooks may be sent to loopback, private and link-local addresses; off, a URL
    # whose host resolves to one is refused when saved and at every try.
    webhooks_allow_private: bool = False
    # Tool calls per personal access token on the MCP endpoint, shared by the workers.
    mcp_rate_limit: str = "120/minute"
    # An OpenAI-compatible model for the AI helpers; without AI_MODEL the built-in rules
    # answer. AI_FALLBACK: "builtin" answers with the rules when the model fails, "error"
    # answers 502.
    ai_base_url: str | None = None
    ai_api_key: str | None = field(default=None, repr=False)
    ai_model: str | None = None
    ai_timeout_seconds: float = 30.0
    ai_max_tokens: int = 1500
    ai_fallback: str = "builtin"

    @classmethod
    def from_env(cls, *, host: str | None = None, port: int | None = None) -> Settings:
        env = os.environ
        host = host or env.get("HOST", "127.0.0.1")
        port = port or int(env.get("PORT", "8000"))
        data_dir = Path(env.get("ROUNDTABLE_DATA_DIR", str(DATA_DIR)))
        serializer = env.get("SOCKETIO_SERIALIZER", "msgpack")
        if serializer not in ("msgpack", "json"):
            raise SystemExit("SOCKETIO_SERIALIZER must be 'msgpack' or 'json'")
        transports = tuple(
            t.strip() for t in env.get("SOCKETIO_TRANSPORTS", "polling,websocket").split(",")
        )
        if not transports or not set(transports) <= {"polling", "websocket"}:
            raise SystemExit("SOCKETIO_TRANSPORTS lists 'polling' and/or 'websocket'")
        return cls(
            host=host,
            port=port,
            database_url=env.get("DATABASE_URL", f"sqlite://{data_dir}/roundtable.sqlite3"),
            redis_url=env.get("REDIS_URL") or None,
            secret_key=_secret_key(data_dir),
            allowed_origins=_origins(env.get("ALLOWED_ORIGINS"), host, port),
            rate_limit=env.get("RATE_LIMIT", "60/minute"),
            register_rate_limit=_register_limit(env.get("REGISTER_RATE_LIMIT", "30/hour")),
            serializer=serializer,
            socket_recheck_seconds=_positive(env, "SOCKET_RECHECK_SECONDS", 10.0),
            presence_ttl_seconds=_positive(env, "PRESENCE_TTL_SECONDS", 15.0),
            http_keepalive_seconds=math.ceil(_positive(env, "HTTP_KEEPALIVE_SECONDS", 75)),
            transports=transports,
            jwt_ttl_seconds=_jwt_ttl(env),
            data_dir=data_dir,
            log_level=env.get("LOG_LEVEL", "info"),
            log_format=_log_format(env.get("LOG_FORMAT")),
            smtp_host=env.get("SMTP_HOST") or None,
            smtp_port=int(env.get("SMTP_PORT", "25")),
            smtp_from=env.get("SMTP_FROM", "roundtable@localhost"),
            smtp_user=env.get("SMTP_USER") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_starttls=env.get("SMTP_STARTTLS", "").lower() in ("1", "true", "yes", "on"),
            public_url=env.get("PUBLIC_URL", "").rstrip("/"),
            attachments_dir=Path(env["ATTACHMENTS_DIR"]) if env.get("ATTACHMENTS_DIR") else None,
            integrations_allow_private=_flag(env, "INTEGRATIONS_ALLOW_PRIVATE"),
            jobs_enabled=env.get("JOBS_ENABLED", "true").lower() not in ("0", "false", "no", "off"),
            jobs_poll_seconds=_positive(env, "JOBS_POLL_SECONDS", 1.0),
            jobs_backoff_seconds=_positive(env, "JOBS_BACKOFF_SECONDS", 2.0),
            history_retention_seconds=_duration(
                "HISTORY_RETENTION", env.get("HISTORY_RETENTION") or "30d"
            ),
            webhooks_allow_private=_flag(env, "WEBHOOKS_ALLOW_PRIVATE"),
            mcp_rate_limit=_limit("MCP_RATE_LIMIT", env.get("MCP_RATE_LIMIT", "120/minute")),
            ai_base_url=env.get("AI_BASE_URL") or None,
            ai_api_key=env.get("AI_API_KEY") or None,
            ai_model=_ai_model(env),
            ai_timeout_seconds=_positive(env, "AI_TIMEOUT_SECONDS", 30.0),
            ai_max_tokens=_ai_max_tokens(env),
            ai_fallback=_ai_fallback(env),
        )
