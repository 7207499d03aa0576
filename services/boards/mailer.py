"""Outgoing email, for invitations. Off unless SMTP_HOST is set; a failed send is logged
and reported, never raised, so the change that asked for it stands."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

log = logging.getLogger("roundtable.mail")

SEND_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "roundtable@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False


class _Config:
    smtp: SmtpSettings | None = None
    # Prefix that turns "/invitations/<token>" into a link that works from a mailbox.
    public_url: str = ""


def configure(*, smtp: SmtpSettings | None, public_url: str = "") -> None:
    """Called once at start-up with the server's settings."""
    _Config.smtp = smtp
    _Config.public_url = public_url.rstrip("/")


def is_configured() -> bool:
    return _Config.smtp is not None


def absolute(path: str) -> str:
    return _Config.public_url + path


def _send(settings: SmtpSettings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=SEND_TIMEOUT_SECONDS) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message)


async def send(*, to: str, subject: str, text: str) -> bool:
    """Send a plain-text email; True once the SMTP server has accepted it."""
    settings = _Config.smtp
    if settings is None:
        return False
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    try:
        # smtplib blocks; keep it off the event loop.
        await asyncio.to_thread(_send, settings, message)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send email to %s via %s:%s", to, settings.host, settings.port)
        return False
    return True
