"""The rules of webhook delivery with no transport: the signature a receiver checks,
which facts become which events, and which addresses a try may reach."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from services.addresses import Refused
from services.errors import ValidationFailed
from services.events import Event, SessionCreated, TokenRevoked
from services.webhooks import catalog, signing, targets

SECRET = "whsec_test"
BODY = b'{"event":"story_revealed","id":"1"}'


@pytest.fixture
def private_refused() -> Iterator[None]:
    before = targets.private_allowed()
    targets.configure(allow_private=False)
    yield
    targets.configure(allow_private=before)


def test_the_signature_is_hmac_sha256_of_the_timestamp_a_dot_and_the_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1796265600." + BODY, hashlib.sha256).hexdigest()
    assert signing.signature(SECRET, "1796265600", BODY) == "sha256=" + expected
    signed = signing.signature(SECRET, "1796265600", BODY)
    assert signing.verify(SECRET, "1796265600", BODY, signed, now=1796265600 + 299)
    # Another body, secret or timestamp, or a stale one, does not verify.
    assert not signing.verify(SECRET, "1796265600", BODY + b" ", signed, now=1796265600)
    assert not signing.verify("whsec_other", "1796265600", BODY, signed, now=1796265600)
    assert not signing.verify(SECRET, "1796265601", BODY, signed, now=1796265600)
    assert not signing.verify(SECRET, "1796265600", BODY, signed, now=1796265600 + 301)
    assert not signing.verify(SECRET, "soon", BODY, signed, now=1796265600)


def test_secrets_are_long_and_new_each_time() -> None:
    one, two = signing.new_secret(), signing.new_secret()
    assert one.startswith("whsec_") and len(one) >= 40 and one != two


def _event(room: str, type: str, data: dict[str, object] | None = None) -> Event:
    return Event(room, 1, type, data or {}, None, datetime.now(UTC))


@pytest.mark.parametrize(
    ("fact", "name"),
    [
        (_event("poker:ABC123", "story_revealed"), "story_revealed"),
        (
            _event("poker:ABC123", "session_updated", {"session": {"status": "active"}}),
            "session_updated",
        ),
        (
            _event("poker:ABC123", "session_updated", {"session": {"status": "archived"}}),
            "session_archived",
        ),
        (_event("poker:ABC123", "story_updated"), "story_updated"),
        (_event("poker:ABC123", "vote_cast"), None),
        (_event("poker:ABC123", "card_created"), None),
        (_event("board:7", "card_archived"), "card_updated"),
        (_event("board:7", "card_restored"), "card_updated"),
        (_event("board:7", "comment_added"), "comment_added"),
        (_event("board:7", "column_created"), None),
        (_event("board:7", "story_added"), None),
        (SessionCreated("ABC123", uuid.uuid4(), None, {}), "session_created"),
        (TokenRevoked(uuid.uuid4()), None),
    ],
)
def test_which_facts_are_which_events(fact: object, name: str | None) -> None:
    assert catalog.event_name(fact) == name  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1.2.3:9000/x",
        "http://localhost/",
        "http://10.0.0.1/",
        "http://100.64.0.1/",
        "http://169.254.169.254/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fd00::1]/",
        "http://0.0.0.0/",
    ],
)
async def test_a_try_never_reaches_a_private_address(private_refused: None, url: str) -> None:
    with pytest.raises(Refused, match="loopback, private or link-local"):
        await targets.resolve(url)
    with pytest.raises(ValidationFailed):
        await targets.check_url(url)


async def test_a_try_connects_to_the_checked_address_with_the_name_as_host(
    private_refused: None,
) -> None:
    pinned = await targets.resolve("https://93.184.215.14:8443/hooks?x=1")
    assert pinned.url == "https://93.184.215.14:8443/hooks?x=1"
    assert pinned.host == "93.184.215.14:8443" and pinned.server_name == "93.184.215.14"
    v6 = await targets.resolve("http://[2606:2800:220:1:248:1893:25c8:1946]/")
    assert v6.url == "http://[2606:2800:220:1:248:1893:25c8:1946]/" and v6.server_name is None


@pytest.mark.parametrize(
    "url", ["ftp://93.184.215.14/", "http://u:p@93.184.215.14/", "http://[", "http://:80/"]
)
async def test_urls_that_are_not_plain_http_are_refused(url: str) -> None:
    with pytest.raises(Refused):
        await targets.resolve(url)
