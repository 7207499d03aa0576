"""Where a webhook may send: http or https URLs whose host resolves to public addresses
only, checked when the webhook is saved and again, after DNS resolution, at every try;
a try connects to the very address that was checked."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from services.addresses import Address, Refused, resolve_public
from services.errors import invalid_field

URL_MAX = 2000


class _Settings:
    allow_private = False


def configure(*, allow_private: bool) -> None:
    """`allow_private`: let webhooks reach loopback, private and link-local addresses
    (a receiver inside the network, or the tests' own)."""
    _Settings.allow_private = allow_private


def private_allowed() -> bool:
    return _Settings.allow_private


@dataclass(frozen=True)
class Target:
    """A URL with its host pinned to one checked address."""

    url: str  # the URL with the address in place of the host name
    host: str  # the Host header
    server_name: str | None  # for TLS: the certificate's name


def _parts(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
    except ValueError:
        raise Refused("is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("must be an http:// or https:// URL")
    if not parts.hostname:
        raise Refused("must name a host")
    if parts.username is not None or parts.password is not None:
        raise Refused("must not carry credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused("has an invalid port") from None
    return parts.scheme, parts.hostname, port


async def _addresses(host: str, port: int) -> list[Address]:
    return await resolve_public(host, port, allow_private=private_allowed())


async def check_url(url: str, *, field: str = "url") -> str:
    """`url` once it may be saved: an http(s) URL whose host resolves to public addresses
    (any address where private ones are allowed); invalid input otherwise."""
    url = url.strip()
    if len(url) > URL_MAX:
        raise invalid_field(field, f"must be at most {URL_MAX} characters")
    try:
        _, host, port = _parts(url)
        await _addresses(host, port)
    except Refused as exc:
        raise invalid_field(field, str(exc)) from None
    return url


async def resolve(url: str) -> Target:
    """The address a try connects to, checked now; Refused when it may not be called."""
    scheme, host, port = _parts(url)
    address = (await _addresses(host, port))[0]
    parts = urlsplit(url)
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    pinned = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return Target(url=pinned, host=host_header, server_name=host if scheme == "https" else None)
