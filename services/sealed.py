"""Credentials sealed for storage: Fernet (AES-128-CBC with HMAC-SHA256) under a key
derived from SECRET_KEY, so a database dump alone does not reveal them."""

from __future__ import annotations

import base64
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.security import server_secret

_INFO = b"roundtable sealed credentials v1"


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        server_secret().encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(values: dict[str, Any]) -> str:
    return _fernet().encrypt(orjson.dumps(values)).decode()


def unseal(token: str) -> dict[str, Any] | None:
    """The sealed values, or None when they were sealed under another SECRET_KEY."""
    try:
        opened: dict[str, Any] = orjson.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        return None
    return opened
