"""Where the server may connect on a user's behalf (webhooks, Jira, GitHub): hosts that
resolve to public addresses only, unless private ones are allowed, so that a URL a user
typed cannot reach the server's own network."""

from __future__ import annotations

import asyncio
import ipaddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """A host that may not be called; the message says why."""


async def resolve_public(host: str, port: int, *, allow_private: bool) -> list[Address]:
    """The addresses `host` resolves to, every one of them public unless `allow_private`;
    Refused when it cannot be resolved (an unknown name, or one IDNA cannot encode) or
    points to a loopback, private or link-local address."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port)
    except (OSError, UnicodeError, ValueError):
        raise Refused(f"its host {host} cannot be resolved") from None
    found: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not allow_private and not address.is_global:
            raise Refused("must not point to a loopback, private or link-local address")
        found.append(address)
    if not found:
        raise Refused(f"its host {host} cannot be resolved")
    return found
