"""How a delivery is signed: HMAC-SHA256 of "<timestamp>.<body>" under the webhook's
secret, sent as `X-Roundtable-Signature: sha256=<hex>` beside
`X-Roundtable-Timestamp: <unix seconds>`."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"
SIGNATURE_HEADER = "X-Roundtable-Signature"
TIMESTAMP_HEADER = "X-Roundtable-Timestamp"
EVENT_HEADER = "X-Roundtable-Event"
DELIVERY_HEADER = "X-Roundtable-Delivery"
# How old a timestamp a receiver should still accept, as the docs advise.
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signed: str, *, now: float | None = None
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError:
        return False
    expected = signature(secret, timestamp, body)
    return age <= TOLERANCE_SECONDS and hmac.compare_digest(expected, signed)
