"""A room's people and stories render from their rows as from their models.

The snapshot, read on every connect, and the participants list read people and stories
as plain rows (`views.Seat`, `views.StoryRow`), not as Tortoise models; what a client
sees must not change with that, on either database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models import Participant, PokerSession, Story, Vote
from services import group_commit, sql
from services.poker import rounds, sessions, snapshot, stories, voting
from services.poker.seats import join_session
from services.poker.views import StoryRow, participant_public, people_steps, story_public
from tests.factories import create_user, guest, poker_room, user_actor


async def _room() -> tuple[str, PokerSession, Any]:
    """A room with its owner, a signed-in member, two guests (one removed), a revealed
    story with a round of history, a story being voted on and one still to come."""
    _, owner, made = await poker_room()
    code = made["code"]
    member = user_actor(await create_user(name="Mia"))
    await join_session(actor=member, code=code, name=None)
    ann, _, _ = await guest(code, "Ann")
    _, gone, _ = await guest(code, "Gus")
    first = await stories.add_story(actor=owner, code=code, title="Login", description="Form")
    second = await stories.add_story(actor=owner, code=code, title="Logout")
    await stories.add_story(actor=owner, code=code, title="Later")
    await stories.start_story(actor=owner, code=code, story_id=first["id"])
    await voting.cast_vote(actor=ann, code=code, value="3")
    await rounds.reveal(actor=owner, code=code)
    await rounds.restart_round(actor=owner, code=code)
    await voting.cast_vote(actor=ann, code=code, value="5")
    await voting.cast_vote(actor=member, code=code, value="8")
    await rounds.reveal(actor=owner, code=code)
    await stories.start_story(actor=owner, code=code, story_id=second["id"])
    await voting.cast_vote(actor=member, code=code, value="2")
    await sessions.remove_participant(actor=owner, code=code, participant_id=gone)
    return code, await PokerSession.get(code=code), owner


async def test_people_render_from_rows_as_from_models(db: str) -> None:
    code, session, _ = await _room()
    models = await Participant.filter(session_id=session.id, removed_at=None).order_by("id")
    seats = await group_commit.read(lambda: people_steps(session.id))

    assert [participant_public(s) for s in seats] == [participant_public(p) for p in models]
    assert [(s.name, s.role) for s in seats] == [(p.name, p.role) for p in models] and len(
        seats
    ) == 3
    assert {participant_public(s)["kind"] for s in seats} == {"user", "guest"}
    # The list over REST, with who voted on the current story.
    listed = await sessions.list_participants(code=code)
    assert [p["name"] for p in listed] == [p.name for p in models]
    assert [p["name"] for p in listed if p["has_voted"]] == ["Mia"]


async def test_stories_render_from_rows_as_from_models(db: str) -> None:
    _, session, _ = await _room()
    models = await Story.filter(session_id=session.id).order_by("position", "created_at")
    rows = await group_commit.read(lambda: _story_rows(session.id))

    from_rows = [story_public(StoryRow.of(r), [1, 2]) for r in rows]
    assert from_rows == [story_public(m, [1, 2]) for m in models]
    revealed = from_rows[0]
    assert revealed["status"] == "revealed" and revealed["history"]
    assert sorted(v["value"] for v in revealed["votes"]) == ["5", "8"]
    assert revealed["revealed_at"] is not None and revealed["created_at"].endswith("Z")
    # Votes not revealed stay hidden, from rows as from models.
    assert [s["votes"] for s in from_rows[1:]] == [None, None]


async def test_the_snapshot_shows_the_room_as_its_models_render_it(db: str) -> None:
    code, session, owner = await _room()
    _, state = await snapshot.read(code, owner)
    assert state is not None
    people = await Participant.filter(session_id=session.id, removed_at=None).order_by("id")
    voters = {p.id for p in people if p.name == "Mia"}
    assert state["participants"] == [
        participant_public(p, has_voted=p.id in voters) for p in people
    ]
    models = await Story.filter(session_id=session.id).order_by("position", "created_at")
    assert [s["id"] for s in state["stories"]] == [str(m.id) for m in models]
    assert [
        {k: v for k, v in s.items() if k not in ("voted", "votes_cast")} for s in state["stories"]
    ] == [
        {k: v for k, v in story_public(m, []).items() if k not in ("voted", "votes_cast")}
        for m in models
    ]
    assert state["session"]["current_story"]["votes_cast"] == 1


_STORIES = "SELECT * FROM stories WHERE session_id = ? ORDER BY position, created_at"


def _story_rows(session_id: Any) -> sql.Steps[list[dict[str, Any]]]:
    found: list[dict[str, Any]] = yield sql.stmt(_STORIES, str(session_id))
    return found


def test_a_datetime_column_reads_as_tortoise_reads_it() -> None:
    """Text as SQLite keeps it, with any offset or none, and a datetime as asyncpg gives
    it: aware, in UTC, the same instant."""
    at = dt.datetime(2026, 12, 5, 1, 2, 3, 456789, tzinfo=dt.UTC)
    for raw in (
        "2026-12-05 01:02:03.456789+00:00",
        "2026-12-05T03:02:03.456789+02:00",
        "2026-12-05 01:02:03.456789",
        at.astimezone(dt.timezone(dt.timedelta(hours=-7))),
    ):
        value = sql.datetime_value(raw)
        assert value == at and value is not None and value.utcoffset() == dt.timedelta(0)
    assert sql.datetime_value(None) is None


async def test_the_list_of_stories_shows_each_as_its_model_renders_it(db: str) -> None:
    code, session, _ = await _room()
    models = await Story.filter(session_id=session.id).order_by("position", "created_at")
    listed = await stories.list_session_stories(code=code)
    voted = {
        str(m.id): [v.participant_id for v in await Vote.filter(story_id=m.id).order_by("id")]
        for m in models
    }
    assert listed == [story_public(m, voted[str(m.id)]) for m in models]
    assert [s["votes_cast"] for s in listed] == [2, 1, 0]
    # Values stay hidden on the story being voted on.
    assert listed[1]["votes"] is None and listed[0]["votes"] is not None
