"""Moving a card: what the board hears, stale and concurrent drops, and drops that
change nothing."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from models import Card, Notification, Room, RoomEvent
from services.boards import cards, columns, moves
from services.boards.access import board_room
from services.boards.locate import ProjectRef
from services.errors import Conflict
from services.events import current_seq, transact_unless_raced
from tests.factories import Board, add_member, create_board, create_user, user_actor
from tests.room_locks import while_the_room_is_held


async def _log(board: Board, after: int = 0) -> list[RoomEvent]:
    return await RoomEvent.filter(room=board_room(board.project.id), seq__gt=after).order_by("seq")


async def _column(board: Board, n: int, titles: list[str]) -> list[str]:
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    made = []
    for title in titles:
        card = await cards.create_card(
            actor=actor, ref=ref, column_id=board.columns[n].id, fields={"title": title}
        )
        made.append(card["id"])
    return made


async def test_a_move_tells_the_board_only_what_changed(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    (card,) = await _column(board, 0, ["Login"])
    above, below = await _column(board, 1, ["Above", "Below"])
    before = await cards.get_card(actor=actor, ref=ref, card_id=card)
    seq = await current_seq(board_room(board.project.id))

    answer = await cards.move_card(
        actor=actor,
        ref=ref,
        card_id=card,
        column_id=board.columns[1].id,
        after_id=above,
        before_id=below,
        version=1,
    )

    (event,) = await _log(board, seq)
    assert (event.seq, event.type, event.data) == (seq + 1, "card_moved", answer)
    assert event.actor == actor.wire()
    now = await cards.get_card(actor=actor, ref=ref, card_id=card)
    assert answer == {
        "cardId": card,
        "fromColumnId": str(board.columns[0].id),
        "columnId": str(board.columns[1].id),
        "position": now["position"],
        "afterId": above,
        "beforeId": below,
        "version": 2,
        "updatedAt": now["updatedAt"],
    }
    assert now["order"] == 1
    unchanged = {k: v for k, v in now.items() if k not in ("columnId", "position", "order")}
    assert unchanged | {"version": 1, "updatedAt": before["updatedAt"]} == {
        k: v for k, v in before.items() if k not in ("columnId", "position", "order")
    }


async def test_a_concurrent_stale_move_is_refused_with_the_current_card(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    (card,) = await _column(board, 0, ["Login"])
    seq = await current_seq(board_room(board.project.id))

    async def drop(column: int) -> dict[str, Any] | Conflict:
        try:
            return await cards.move_card(
                actor=actor, ref=ref, card_id=card, column_id=board.columns[column].id, version=1
            )
        except Conflict as refused:
            return refused

    results = await asyncio.gather(drop(1), drop(2))
    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1
    current = lost[0].details["current"]
    assert (current["columnId"], current["version"]) == (won[0]["columnId"], 2)
    assert [e.type for e in await _log(board, seq)] == ["card_moved"]
    row = await Card.get(id=card)
    assert (str(row.column_id), row.version) == (won[0]["columnId"], 2)


async def test_a_drop_where_the_card_already_sits_writes_and_logs_nothing(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    first, second = await _column(board, 0, ["First", "Second"])
    seq = await current_seq(board_room(board.project.id))

    answer = await cards.move_card(
        actor=actor, ref=ref, card_id=second, column_id=board.columns[0].id, after_id=first
    )

    assert (answer["version"], answer["afterId"], answer["beforeId"]) == (1, first, None)
    assert await current_seq(board_room(board.project.id)) == seq
    after = await cards.move_card(
        actor=actor, ref=ref, card_id=second, column_id=board.columns[0].id
    )
    assert (after["version"], after["afterId"], after["beforeId"]) == (2, None, first)
    assert await current_seq(board_room(board.project.id)) == seq + 1


async def test_a_move_into_a_full_column_or_after_a_card_elsewhere_is_refused(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    card, other = await _column(board, 0, ["Card", "Other"])
    (busy,) = await _column(board, 1, ["Busy"])
    await columns.update_column(
        actor=actor, ref=ref, column_id=board.columns[1].id, changes={"wip_limit": 1}
    )
    with pytest.raises(Conflict, match="WIP limit"):
        await cards.move_card(actor=actor, ref=ref, card_id=card, column_id=board.columns[1].id)
    with pytest.raises(Conflict, match="no longer in that column"):
        await cards.move_card(
            actor=actor, ref=ref, card_id=card, column_id=board.columns[2].id, after_id=other
        )
    with pytest.raises(Conflict, match="no longer neighbours"):
        await cards.move_card(
            actor=actor,
            ref=ref,
            card_id=busy,
            column_id=board.columns[0].id,
            after_id=other,
            before_id=card,
        )
    assert (await Card.get(id=card)).version == 1


async def test_the_neighbours_are_read_in_byte_order_on_both_databases(db: str) -> None:
    # A case-folding collation would put "ab" before "aB" and "a0" before "Zz".
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    column = board.columns[0]
    ids = {}
    for key in ("Zz", "a0", "a0V", "aB", "ab"):
        row = await Card.create(project=board.project, column=column, title=key, position=key)
        ids[key] = str(row.id)
    (card,) = await _column(board, 1, ["Moved"])

    below_zz = await cards.move_card(
        actor=actor, ref=ref, card_id=card, column_id=column.id, after_id=ids["Zz"]
    )
    assert (below_zz["afterId"], below_zz["beforeId"]) == (ids["Zz"], ids["a0"])
    above_ab = await cards.move_card(
        actor=actor, ref=ref, card_id=card, column_id=column.id, before_id=ids["ab"]
    )
    assert (above_ab["afterId"], above_ab["beforeId"]) == (ids["aB"], ids["ab"])
    listed = await cards.list_cards(actor=actor, ref=ref, column_id=column.id)
    assert [c["title"] for c in listed] == ["Zz", "a0", "a0V", "aB", "Moved", "ab"]


async def test_a_move_into_keys_grown_too_long_renumbers_the_column_first(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    column = board.columns[0]
    low = await Card.create(project=board.project, column=column, title="Low", position="a0")
    high = await Card.create(
        project=board.project, column=column, title="High", position="a0" + "0" * 47 + "1"
    )
    (card,) = await _column(board, 1, ["Moved"])
    seq = await current_seq(board_room(board.project.id))

    answer = await cards.move_card(
        actor=actor, ref=ref, card_id=card, column_id=column.id, before_id=high.id
    )

    renumbered, moved = await _log(board, seq)
    assert (renumbered.type, moved.type) == ("column_renumbered", "card_moved")
    assert (renumbered.seq, moved.seq) == (seq + 1, seq + 2)
    assert moved.data == answer
    assert (answer["afterId"], answer["beforeId"]) == (str(low.id), str(high.id))
    listed = await cards.list_cards(actor=actor, ref=ref, column_id=column.id)
    assert [c["title"] for c in listed] == ["Low", "Moved", "High"]


async def test_a_patch_that_only_moves_is_a_move_and_one_that_also_edits_is_an_update(
    db: str,
) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    (card,) = await _column(board, 0, ["Card"])
    seq = await current_seq(board_room(board.project.id))
    todo, doing, done = (str(c.id) for c in board.columns)

    full = await cards.update_card(actor=actor, ref=ref, card_id=card, changes={"column_id": doing})
    await cards.update_card(
        actor=actor, ref=ref, card_id=card, changes={"column_id": done, "title": "Shipped"}
    )

    move, update = await _log(board, seq)
    assert (move.type, update.type) == ("card_moved", "card_updated")
    assert (move.data["fromColumnId"], move.data["columnId"]) == (todo, doing)
    assert move.data["version"] == full["version"] == 2
    assert update.data["card"]["title"] == "Shipped"
    assert (update.data["fromColumnId"], update.data["card"]["columnId"]) == (doing, done)


async def test_a_move_into_another_column_tells_the_others_and_not_the_mover(db: str) -> None:
    board = await create_board()
    mate = await create_user()
    await add_member(board, mate)
    (card,) = await _column(board, 0, ["Card"])
    seq = await current_seq(board_room(board.project.id))

    answer = await cards.move_card(
        actor=user_actor(board.owner),
        ref=ProjectRef(board.project.id),
        card_id=card,
        column_id=board.columns[1].id,
    )

    (event,) = await _log(board, seq)
    assert (event.type, event.data) == ("card_moved", answer)
    notes = await Notification.filter(type="card_moved")
    assert [(n.user_id, n.card_id) for n in notes] == [(mate.id, uuid.UUID(card))]
    assert notes[0].meta == {"title": "Card", "fromColumn": "To Do", "toColumn": "Doing"}
    # A reorder within a column is not news.
    (other,) = await _column(board, 1, ["Other"])
    await cards.move_card(
        actor=user_actor(board.owner),
        ref=ProjectRef(board.project.id),
        card_id=other,
        column_id=board.columns[1].id,
    )
    assert await Notification.filter(type="card_moved").count() == 1


async def _while_the_board_is_held(
    database: str, board: Board, change: str, *args: object, **move: Any
) -> asyncio.Task[dict[str, Any]]:
    """A move that reads without the lock while another writer holds the board (see
    `while_the_room_is_held`)."""
    return await while_the_room_is_held(
        database,
        board_room(board.project.id),
        change,
        args,
        lambda: cards.move_card(
            actor=user_actor(board.owner), ref=ProjectRef(board.project.id), **move
        ),
        "move",
    )


@pytest.mark.postgres_only
async def test_a_move_waiting_on_a_wip_limit_set_meanwhile_is_refused(db: str) -> None:
    # The move reads the column without the lock, before the limit committed; its write
    # waits for the lock and must not take the column past its new limit.
    board = await create_board()
    (card,) = await _column(board, 0, ["Card"])
    await _column(board, 1, ["Already there"])
    doing = board.columns[1].id
    task = await _while_the_board_is_held(
        db,
        board,
        "UPDATE columns SET wip_limit = 1 WHERE id = $1::uuid",
        str(doing),
        card_id=card,
        column_id=doing,
    )
    with pytest.raises(Conflict, match="WIP limit"):
        task.result()
    assert await Card.filter(column_id=doing).count() == 1


@pytest.mark.postgres_only
async def test_a_move_waiting_on_another_writer_lands_after_it(db: str) -> None:
    board = await create_board()
    top, bottom = await _column(board, 0, ["Top", "Bottom"])
    task = await _while_the_board_is_held(
        db, board, "", card_id=bottom, column_id=board.columns[0].id
    )
    answer = task.result()
    assert answer["beforeId"] == top
    # The move's event takes the seq after the one the other writer claimed, with no
    # event logged for the seq the move saw first.
    last = await RoomEvent.filter(room=board_room(board.project.id)).order_by("-seq").first()
    assert last is not None and (last.type, last.data) == ("card_moved", answer)
    room = await Room.get(key=board_room(board.project.id))
    assert last.seq == room.seq
    events = await RoomEvent.filter(room=board_room(board.project.id)).count()
    assert events == room.seq - 1  # the other writer's seq has no event of its own here


@pytest.mark.postgres_only
async def test_a_lock_free_move_that_needs_a_renumber_writes_nothing_and_defers(
    db: str,
) -> None:
    # Without the board's lock a column may not be renumbered: the lock-free attempt
    # must give the move back untouched, for the locking path to renumber and move.
    board = await create_board()
    column = board.columns[0]
    await Card.create(project=board.project, column=column, title="Low", position="a0")
    high = await Card.create(
        project=board.project, column=column, title="High", position="a0" + "0" * 47 + "1"
    )
    (card,) = await _column(board, 1, ["Moved"])
    room = board_room(board.project.id)
    seq = await current_seq(room)
    asked = moves._Asked(
        user_actor(board.owner), ProjectRef(board.project.id), card, column.id, None, high.id, None
    )

    answer = await transact_unless_raced(lambda uow: moves._move_unless_raced(uow, asked))

    assert answer is None
    assert await current_seq(room) == seq
    assert await RoomEvent.filter(room=room, seq__gt=seq).count() == 0
    still = await Card.get(id=card)
    assert (still.column_id, still.version) == (board.columns[1].id, 1)
