"""Settings read from the environment, with the defaults the README documents."""

from __future__ import annotations

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
    from limits import parse

    try:
        parse(text)
    except ValueError:
        raise SystemExit(f"REGISTER_RATE_LIMIT must look like 30/hour, not {text!r}") from None
    return text


def _log_format(text: str | None) -> str | None:
    if not text:
        return None
    if text not in ("json", "console"):
        raise SystemExit("LOG_FORMAT must be 'json' or 'console'")
    return text


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
    # Several workers without sticky sessions need websocket-only transport.
    transports: tuple[str, ...] = ("polling", "websocket")
    jwt_ttl_seconds: int = 7 * 24 * 3600
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
            transports=transports,
            jwt_ttl_seconds=int(env.get("JWT_TTL_SECONDS", str(7 * 24 * 3600))),
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
        )
