"""Round trips on the hot paths. A vote and a card move, each as a socket command runs
it (authenticate the token, then the service), make a fixed number of database
statements; one more fails here. Lower the bounds as the paths get cheaper.

On SQLite every statement the connection runs is counted (its trace callback), savepoints
and BEGIN included; on PostgreSQL every statement asyncpg sends, BEGIN and COMMIT
included."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
import pytest
from tortoise import connections

from models import Card, Column, Notification, Participant, PokerSession
from services import sql, tokens
from services.actors import Actor
from services.auth import authenticate
from services.boards import cards, comments, views
from services.boards.access import board_room
from services.boards.locate import ProjectRef
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events import current_seq
from services.poker import ballot, rounds, seats, snapshot, stories, voting
from tests.factories import (
    Board,
    add_member,
    create_board,
    create_user,
    guest,
    jwt_for,
    user_actor,
    voting_room,
)
from tests.statements import rows_read, statements

# Statements today. A vote: the token read, then BEGIN, the seq, one read, the upsert,
# the event and COMMIT; on SQLite inside a savepoint (its commit is shared), all of it
# but the token in one hop to SQLite's thread. On PostgreSQL a vote is the token read, a
# read of its context with the room's seq, and one statement that claims the next seq if
# the room's is unchanged, upserts and appends the event (no BEGIN or COMMIT). A move
# into another column there is the token read, its access with the board's seq, the card
# with its columns, its neighbours, the project's members, and one statement that claims
# the next seq if unchanged and writes the card, the notifications and the event.
VOTE_MAX = {"sqlite": 9, "postgres": 3}
MOVE_MAX = {"sqlite": 12, "postgres": 6}
# A reveal, and a restart of the round, by the owner's socket: the token read, then in
# one transaction the seq, the session, the seat, the story, then for a reveal the votes,
# the story written with its event, and the check for linked board cards; for a restart,
# the votes cleared and the story written with its event.
REVEAL_MAX = {"sqlite": 13, "postgres": 10}
RESTART_MAX = {"sqlite": 12, "postgres": 9}
# Starting the next story: the token read, then the seq, the session, the seat, the
# story, the story left, the one opened and the session's current one written, who voted
# on it, and the event.
START_MAX = {"sqlite": 14, "postgres": 12}
# A guest's join: in one transaction the seq, the session, the new seat, its event, and
# the session rendered (its seats counted, its current story, who voted on it).
JOIN_MAX = {"sqlite": 11, "postgres": 9}
# A socket's connect reads the room: the session, the seat, the seq, the people, the
# stories, who voted and the viewer's vote: one hop on SQLite, inside its shared commit.
SNAPSHOT_MAX = {"sqlite": 10, "postgres": 6}
# A board socket's connect reads the board: the caller's access, the seq, the columns,
# the live cards, their checklists, labels, comment and attachment counts, their places
# in their columns and the members, whatever the number of cards: one hop on SQLite.
BOARD_MAX = {"sqlite": 14, "postgres": 10}
# A comment, posted by a member on the owner's card: the token read, then in one
# transaction the board's seq, the caller's access, the card, its earlier commenters,
# the comment, its event, who of the followers may still see the board, and their
# notifications.
COMMENT_MAX = {"sqlite": 13, "postgres": 11}
# A new card with a checklist, assigned: the token read, then in one transaction the
# board's seq, the caller's access, the column, the card at the bottom of it, the
# assignee's seat, the row, its checklist, the card rendered (its checklist, labels,
# counts and place), its event and the notifications (the project's members, then the
# new card's and the assignment's rows).
CREATE_MAX = {"sqlite": 21, "postgres": 19}
# A card's title and assignee changed: the token read, then in one transaction the
# board's seq, the caller's access, the card, the assignee's seat, the row, the card
# rendered, its event and the notifications (the members, the change's rows, the
# assignment's).
UPDATE_MAX = {"sqlite": 19, "postgres": 17}


async def _owned_board() -> tuple[Board, Actor, ProjectRef]:
    """A new board, its owner as an actor, and the board as a card service names it."""
    board = await create_board()
    return board, user_actor(board.owner), ProjectRef(board.project.id)


def backend(url: str) -> str:
    return "postgres" if url.startswith("postgres") else "sqlite"


async def test_a_personal_access_token_is_read_in_one_statement(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bots and agents send one with every request: the token and its owner, joined.
    owner = await create_user()
    row, token = await tokens.create_token(
        actor=user_actor(owner), name="bot", scopes=["projects:read"]
    )
    await authenticate(token)  # marks it used: the next minute's reads write nothing
    async with statements(monkeypatch) as seen:
        actor = await authenticate(token)
    assert len(seen) == 1, "\n".join(seen)
    assert (actor.user_id, actor.token_id, actor.via) == (owner.id, row.id, "pat")
    assert actor.scopes == frozenset({"projects:read"}) and actor.name == owner.name


async def test_a_vote_stays_within_its_round_trips(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = await voting_room()
    _, _, token = await guest(code, "Val")
    await voting.cast_vote(actor=await authenticate(token), code=code, value="3")

    async with statements(monkeypatch) as seen:
        actor = await authenticate(token)
        result = await voting.cast_vote(actor=actor, code=code, value="5")
    assert result["vote"]["value"] == "5"
    assert 0 < len(seen) <= VOTE_MAX[backend(db)], "\n".join(seen)


async def test_a_card_move_stays_within_its_round_trips(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    board, owner, ref = await _owned_board()
    todo, doing = (str(c.id) for c in board.columns[:2])
    made = [
        await cards.create_card(actor=owner, ref=ref, column_id=todo, fields={"title": f"C{i}"})
        for i in range(3)
    ]
    token = jwt_for(board.owner)

    async with statements(monkeypatch) as seen:
        actor = await authenticate(token)
        moved = await cards.move_card(actor=actor, ref=ref, card_id=made[0]["id"], column_id=doing)
    assert moved["columnId"] == doing
    assert 0 < len(seen) <= MOVE_MAX[backend(db)], "\n".join(seen)


async def _owners_token(code: str) -> str:
    session = await PokerSession.get(code=code).prefetch_related("owner")
    return jwt_for(session.owner)


async def test_a_reveal_and_a_restart_stay_within_their_round_trips(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = await voting_room()
    token = await _owners_token(code)
    for name, value in (("Val", "3"), ("Ann", "5")):
        _, _, seat = await guest(code, name)
        await voting.cast_vote(actor=await authenticate(seat), code=code, value=value)

    async with statements(monkeypatch) as seen:
        revealed = await rounds.reveal(actor=await authenticate(token), code=code)
    assert revealed["status"] == "revealed"
    assert sorted(v["value"] for v in revealed["votes"]) == ["3", "5"]
    assert 0 < len(seen) <= REVEAL_MAX[backend(db)], "\n".join(seen)

    async with statements(monkeypatch) as seen:
        restarted = await rounds.restart_round(actor=await authenticate(token), code=code)
    assert (restarted["status"], restarted["round"], restarted["votes_cast"]) == ("voting", 2, 0)
    assert 0 < len(seen) <= RESTART_MAX[backend(db)], "\n".join(seen)


async def test_starting_the_next_story_stays_within_its_round_trips(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = await voting_room()
    token = await _owners_token(code)
    actor = await authenticate(token)
    following = await stories.add_story(actor=actor, code=code, title="Signup")

    async with statements(monkeypatch) as seen:
        started = await stories.start_story(
            actor=await authenticate(token), code=code, story_id=following["id"]
        )
    assert (started["id"], started["status"]) == (following["id"], "voting")
    assert 0 < len(seen) <= START_MAX[backend(db)], "\n".join(seen)


async def test_a_guest_join_stays_within_its_round_trips(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = await voting_room()
    await guest(code, "Val")

    async with statements(monkeypatch) as seen:
        joined, rendered, token = await seats.join_session(actor=None, code=code, name="Ann")
    assert token is not None and joined["name"] == "Ann"
    assert rendered["participants_count"] == 3
    assert rendered["current_story"]["title"] == "Login"
    assert 0 < len(seen) <= JOIN_MAX[backend(db)], "\n".join(seen)


async def test_a_room_snapshot_stays_within_its_round_trips(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = await voting_room()
    _, _, token = await guest(code, "Val")
    _, _, other = await guest(code, "Ann")
    await voting.cast_vote(actor=await authenticate(token), code=code, value="3")
    await voting.cast_vote(actor=await authenticate(other), code=code, value="8")
    actor = await authenticate(token)

    async with statements(monkeypatch) as seen:
        _, state = await snapshot.read(code, actor)
    assert state is not None
    assert state["me"]["vote"] == "3"
    assert state["session"]["current_story"]["votes_cast"] == 2
    assert state["session"]["current_story"]["votes"] is None
    assert 0 < len(seen) <= SNAPSHOT_MAX[backend(db)], "\n".join(seen)


async def test_a_board_snapshot_stays_within_its_round_trips_whatever_its_size(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    board, owner, ref = await _owned_board()
    todo = str(board.columns[0].id)
    for i in range(12):
        await cards.create_card(actor=owner, ref=ref, column_id=todo, fields={"title": f"C{i}"})
    actor = await authenticate(jwt_for(board.owner))

    async with statements(monkeypatch) as seen:
        state = await views.board_snapshot(actor, str(board.project.id))
    assert [c["title"] for c in state["cards"]] == [f"C{i}" for i in range(12)]
    assert 0 < len(seen) <= BOARD_MAX[backend(db)], "\n".join(seen)


async def test_a_comment_stays_within_its_round_trips_and_a_refused_change_leaves_no_gap(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    board, owner, ref = await _owned_board()
    other = await create_board()
    todo = str(board.columns[0].id)
    card = await cards.create_card(actor=owner, ref=ref, column_id=todo, fields={"title": "C"})
    theirs = await cards.create_card(
        actor=user_actor(other.owner),
        ref=ProjectRef(other.project.id),
        column_id=str(other.columns[0].id),
        fields={"title": "T"},
    )
    author = await create_user()
    await add_member(board, author)
    token = jwt_for(author)
    before = await current_seq(board_room(board.project.id))

    async with statements(monkeypatch) as seen:
        actor = await authenticate(token)
        posted = await comments.add_comment(
            actor=actor, project_id=board.project.id, card_id=card["id"], content="Looks good"
        )
    assert posted["content"] == "Looks good"
    assert 0 < len(seen) <= COMMENT_MAX[backend(db)], "\n".join(seen)
    [note] = await Notification.filter(type="comment_added")
    assert note.user_id == board.owner.id
    assert await current_seq(board_room(board.project.id)) == before + 1
    # A card of another board, or no card at all: not found, and the seq it claimed
    # rolls back with the rest.
    for wrong in (theirs["id"], str(uuid.uuid4()), "not-a-uuid"):
        with pytest.raises(NotFound):
            await comments.add_comment(
                actor=owner, project_id=board.project.id, card_id=wrong, content="hi"
            )
    assert await current_seq(board_room(board.project.id)) == before + 1
    listed = await comments.list_comments(actor=owner, ref=ref, card_id=card["id"])
    assert [c["id"] for c in listed] == [posted["id"]]
    # Someone else's comment cannot be deleted by a plain member: refused, no gap.
    bystander = await create_user()
    await add_member(board, bystander)
    with pytest.raises(Forbidden):
        await comments.delete_comment(
            actor=user_actor(bystander), ref=ref, card_id=card["id"], comment_id=posted["id"]
        )
    assert await current_seq(board_room(board.project.id)) == before + 1
    await comments.delete_comment(
        actor=user_actor(author), ref=ref, card_id=card["id"], comment_id=posted["id"]
    )
    assert await current_seq(board_room(board.project.id)) == before + 2
    assert await comments.list_comments(actor=owner, ref=ref, card_id=card["id"]) == []


async def test_a_new_card_stays_within_its_round_trips_and_a_refused_one_leaves_no_gap(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    board, owner, ref = await _owned_board()
    other = await create_board()
    mate = await create_user()
    await add_member(board, mate)
    todo, done = board.columns[0], board.columns[2]
    await cards.create_card(actor=owner, ref=ref, column_id=str(todo.id), fields={"title": "A"})
    token = jwt_for(board.owner)
    room = board_room(board.project.id)
    before = await current_seq(room)
    fields = {
        "title": "B",
        "assignee_id": str(mate.id),
        "checklist": [{"title": "Spec", "done": True}, {"title": "Tests"}],
    }

    async with statements(monkeypatch) as seen:
        actor = await authenticate(token)
        made = await cards.create_card(actor=actor, ref=ref, column_id=str(todo.id), fields=fields)
    assert 0 < len(seen) <= CREATE_MAX[backend(db)], "\n".join(seen)
    assert (made["title"], made["order"], made["checklistProgress"]) == ("B", 1, 50)
    assert [i["title"] for i in made["checklist"]] == ["Spec", "Tests"]
    kinds = await Notification.filter(user_id=mate.id).values_list("type", flat=True)
    assert sorted(kinds) == ["card_assigned", "card_created", "card_created"]
    assert await current_seq(room) == before + 1
    # Refused, each after the seq was claimed: a full column, a column of another board,
    # an assignee from outside, dates upside down. Nothing is written, and no seq is lost.
    await Column.filter(id=done.id).update(wip_limit=0)
    for column, extra, error in (
        (done.id, {}, Conflict),
        (other.columns[0].id, {}, NotFound),
        (todo.id, {"assignee_id": str(other.owner.id)}, Invalid),
        (todo.id, {"start_date": made_at(2), "due_date": made_at(1)}, Invalid),
    ):
        with pytest.raises(error):
            await cards.create_card(
                actor=owner, ref=ref, column_id=str(column), fields={"title": "X", **extra}
            )
    assert await current_seq(room) == before + 1
    assert await Card.filter(project_id=board.project.id).count() == 2


async def test_a_card_change_stays_within_its_round_trips_and_a_refused_one_leaves_no_gap(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    board, owner, ref = await _owned_board()
    mate = await create_user()
    await add_member(board, mate)
    todo, done = board.columns[0], board.columns[2]
    card = await cards.create_card(
        actor=owner, ref=ref, column_id=str(todo.id), fields={"title": "A"}
    )
    room = board_room(board.project.id)
    before = await current_seq(room)
    token = jwt_for(board.owner)
    changes = {"title": "B", "assignee_id": str(mate.id)}

    async with statements(monkeypatch) as seen:
        actor = await authenticate(token)
        changed = await cards.update_card(actor=actor, ref=ref, card_id=card["id"], changes=changes)
    assert 0 < len(seen) <= UPDATE_MAX[backend(db)], "\n".join(seen)
    assert (changed["title"], changed["assigneeId"], changed["version"]) == ("B", str(mate.id), 2)
    kinds = await Notification.filter(user_id=mate.id).values_list("type", flat=True)
    assert sorted(kinds) == ["card_assigned", "card_created", "card_updated"]
    assert await current_seq(room) == before + 1
    # Nothing to change, a stale version, a full column, a card of nowhere: no write,
    # and the seq each claimed rolls back.
    same = await cards.update_card(actor=owner, ref=ref, card_id=card["id"], changes=changes)
    assert same == changed
    with pytest.raises(Conflict) as stale:
        await cards.update_card(
            actor=owner, ref=ref, card_id=card["id"], changes={"title": "C"}, version=1
        )
    assert stale.value.details == {"current": changed}
    await Column.filter(id=done.id).update(wip_limit=0)
    with pytest.raises(Conflict):
        await cards.update_card(
            actor=owner, ref=ref, card_id=card["id"], changes={"column_id": str(done.id)}
        )
    with pytest.raises(NotFound):
        await cards.update_card(
            actor=owner, ref=ref, card_id=str(uuid.uuid4()), changes={"title": "D"}
        )
    assert await current_seq(room) == before + 1
    assert (await Card.get(id=card["id"])).title == "B"


def made_at(day: int) -> datetime:
    return datetime(2026, 5, day, tzinfo=UTC)


def _examined(plan: dict[str, Any], table: str) -> int:
    """Rows a PostgreSQL plan (EXPLAIN ANALYZE, as JSON) read from `table`: those its
    scans kept and those their filters dropped, over every loop."""
    own = 0
    if plan.get("Relation Name") == table:
        kept = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        own = kept * plan.get("Actual Loops", 1)
    return own + sum(_examined(child, table) for child in plan.get("Plans", ()))


async def test_a_vote_reads_only_its_own_sessions_seats(db: str) -> None:
    """A vote counts the seats of its session and the votes cast among them: however many
    seats other sessions hold (and however stale the planner's statistics, as after a
    burst of joins), it reads only its own."""
    code = await voting_room()
    actor, _, _ = await guest(code, "Val")
    elsewhere = await PokerSession.get(code=await voting_room("Elsewhere"))
    await Participant.bulk_create(
        [Participant(session_id=elsewhere.id, name=f"Guest {i}") for i in range(600)]
    )
    if backend(db) == "postgres":
        step = next(ballot.read_with_seq(f"poker:{code}", code, actor, None))
        found = await sql.rows(f"EXPLAIN (ANALYZE, FORMAT JSON) {step.sql}", *step.args)
        plan = sql.json_value(found[0]["QUERY PLAN"])[0]["Plan"]
        # Two seats (the owner's and Val's), counted twice, and Val's own: not 600.
        assert _examined(plan, "participants") <= 10, plan
        assert _examined(plan, "votes") <= 10, plan
    else:
        step = next(ballot.read(code, actor, None))
        found = await sql.rows(f"EXPLAIN QUERY PLAN {step.sql}", *step.args)
        details = [str(row["detail"]) for row in found]
        # Every table is searched through an index, never scanned whole.
        assert details and not [d for d in details if d.startswith("SCAN")], details


@pytest.mark.postgres_only
async def test_a_vote_in_a_big_room_stays_linear_on_a_plan_made_when_the_room_was_small(
    db: str,
) -> None:
    """PostgreSQL keeps a prepared statement's generic plan until the tables are analyzed
    again, so a plan made while a room was small serves its burst of joins and votes.
    Whatever it was made from, each seat's vote is found by its (story, seat) key: the
    read never scans the story's votes once per seat."""
    code = await voting_room()
    actor, _, _ = await guest(code, "Val")
    session = await PokerSession.get(code=code)
    step = next(ballot.read_with_seq(f"poker:{code}", code, actor, None))
    conn = await asyncpg.connect(db)
    try:
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        explain = await conn.prepare(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql.numbered(step.sql)}")
        await explain.fetch(*step.args)  # the plan is made now, with no vote yet
        seats = 300
        await Participant.bulk_create(
            [Participant(session_id=session.id, name=f"Guest {i}") for i in range(seats)]
        )
        ids = await Participant.filter(session_id=session.id).values_list("id", flat=True)
        now = sql.now()
        await conn.executemany(
            "INSERT INTO votes (story_id, participant_id, value, created_at, updated_at)"
            " VALUES ($1::uuid, $2, '5', $3, $3)",
            [(session.current_story_id, i, now) for i in ids],
        )
        found = await explain.fetch(*step.args)
        counted = await conn.fetchrow(sql.numbered(step.sql), *step.args)
    finally:
        await conn.close()
    plan = orjson.loads(found[0][0])[0]["Plan"]
    # Each seat's vote once (and the seats counted twice), not every vote for each seat.
    assert _examined(plan, "votes") <= 2 * seats, plan
    assert _examined(plan, "participants") <= 3 * seats, plan
    # And the counts are right: every seat votes; the others are all but Val.
    assert counted is not None
    assert (counted["voters"], counted["others"]) == (len(ids), len(ids) - 1)


@pytest.mark.postgres_only
async def test_a_card_move_reads_only_its_own_board(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every read of a move (access, the card and its columns, the neighbours) finds its
    rows through an index: 900 cards on another board add nothing to what it reads."""
    board, elsewhere = await create_board(), await create_board()
    owner = user_actor(board.owner)
    ref = ProjectRef(board.project.id)
    todo = str(board.columns[0].id)
    made = [
        await cards.create_card(actor=owner, ref=ref, column_id=todo, fields={"title": f"C{i}"})
        for i in range(5)
    ]
    await Card.bulk_create(
        [
            Card(
                id=uuid.uuid4(),
                project_id=elsewhere.project.id,
                column_id=column.id,
                title=f"Other {i}",
                position=f"a{i:04d}",
                created_by_id=elsewhere.owner.id,
            )
            for column in elsewhere.columns
            for i in range(300)
        ]
    )
    sent: list[tuple[str, tuple[Any, ...]]] = []
    fetch = asyncpg.Connection.fetch

    async def recorded(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        sent.append((query, args))
        return await fetch(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "fetch", recorded)
    await cards.move_card(actor=owner, ref=ref, card_id=made[-1]["id"], column_id=todo)
    monkeypatch.undo()

    reads = [(q, args) for q, args in sent if q.lstrip().upper().startswith("SELECT")]
    assert len(reads) >= 3, sent  # access, the card with its columns, the neighbours
    connection = connections.get("default")
    for query, args in reads:
        found = await connection.execute_query_dict(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {query}", list(args)
        )
        plan = sql.json_value(found[0]["QUERY PLAN"])[0]["Plan"]
        assert _examined(plan, "cards") <= 10, (query, plan)


async def test_a_join_reads_no_more_in_a_full_room(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rendering the session a guest joins counts the seats in the database: a join into a
    room of many reads as many rows as a join into a room of few."""
    code = await voting_room()

    async def joined(name: str) -> tuple[dict[str, Any], int]:
        async with rows_read(monkeypatch) as counts:
            _, rendered, _ = await seats.join_session(actor=None, code=code, name=name)
        return rendered, sum(counts)

    _, few = await joined("Second")
    for i in range(40):
        await guest(code, f"Guest {i}")
    rendered, many = await joined("Last")
    assert rendered["participants_count"] == 43
    assert rendered["moderator_id"] is not None
    assert many == few
