"""A JWT's signature is checked once and remembered; its expiry, every time."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from services import security
from services.errors import Unauthorized
from tests.conftest import TEST_SECRET


def _signed(exp_in: float, key: str = TEST_SECRET, **extra: object) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(uuid.uuid4()),
        "ver": 1,
        "iat": now,
        "exp": now + timedelta(seconds=exp_in),
    }
    return jwt.encode({**claims, **extra}, key, algorithm=security.JWT_ALGORITHM)


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = _signed(exp_in=60)
    first = security.decode_jwt(token)
    assert security.decode_jwt(token) == first
    later = time.time() + 61
    monkeypatch.setattr(security.time, "time", lambda: later)
    with pytest.raises(Unauthorized, match="Token has expired"):
        security.decode_jwt(token)


def test_a_token_signed_with_another_key_is_refused_even_after_a_good_one() -> None:
    good = _signed(exp_in=60)
    security.decode_jwt(good)
    forged = _signed(exp_in=60, key="another-key-" + "y" * 32)
    with pytest.raises(Unauthorized, match="Invalid token"):
        security.decode_jwt(forged)
    header, payload, signature = good.split(".")
    tampered = ".".join(
        [header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")]
    )
    with pytest.raises(Unauthorized, match="Invalid token"):
        security.decode_jwt(tampered)


def test_a_new_server_key_forgets_what_the_old_one_vouched_for() -> None:
    token = _signed(exp_in=60)
    security.decode_jwt(token)
    try:
        security.configure(secret_key="rotated-key-" + "z" * 32, jwt_ttl_seconds=3600)
        with pytest.raises(Unauthorized, match="Invalid token"):
            security.decode_jwt(token)
    finally:
        security.configure(secret_key=TEST_SECRET, jwt_ttl_seconds=3600)
    assert security.decode_jwt(token)["ver"] == 1


def test_a_claim_missing_or_of_the_wrong_type_is_refused() -> None:
    now = int(time.time())
    no_exp = jwt.encode({"sub": "x", "iat": now}, TEST_SECRET, algorithm="HS256")
    text_exp = jwt.encode({"sub": "x", "iat": now, "exp": "later"}, TEST_SECRET, algorithm="HS256")
    for token in (no_exp, text_exp):
        with pytest.raises(Unauthorized, match="Invalid token"):
            security.decode_jwt(token)
