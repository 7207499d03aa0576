"""Card rules without a transport: the event log, versions, moves, archive, notifications."""

from __future__ import annotations

from typing import Any

import pytest

from models import Card, Notification, RoomEvent
from services.boards import cards, columns, trash
from services.boards.access import board_room
from services.boards.locate import ProjectRef
from services.errors import Conflict, Invalid, NotFound
from tests.factories import Board, add_member, create_board, create_user, user_actor


async def _log(board: Board) -> list[tuple[str, dict[str, Any]]]:
    rows = await RoomEvent.filter(room=board_room(board.project.id)).order_by("seq")
    return [(r.type, r.data) for r in rows]


async def test_every_change_is_logged_a_move_as_only_what_moved(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    todo, doing = (str(c.id) for c in board.columns[:2])
    card = await cards.create_card(actor=actor, ref=ref, column_id=todo, fields={"title": "t"})
    await cards.update_card(actor=actor, ref=ref, card_id=card["id"], changes={"title": "u"})
    await cards.move_card(actor=actor, ref=ref, card_id=card["id"], column_id=doing)
    await cards.update_card(actor=actor, ref=ref, card_id=card["id"], changes={"archived": True})
    await trash.restore_card(actor=actor, ref=ref, card_id=card["id"])
    await cards.delete_card(actor=actor, ref=ref, card_id=card["id"])
    log = await _log(board)
    assert [t for t, _ in log] == [
        "card_created",
        "card_updated",
        "card_moved",
        "card_archived",
        "card_restored",
        "card_deleted",
    ]
    versions = [d["card"]["version"] if "card" in d else d["version"] for _, d in log[:-1]]
    assert versions == [1, 2, 3, 4, 5]
    move = log[2][1]
    assert "card" not in move
    assert (move["cardId"], move["fromColumnId"], move["columnId"]) == (card["id"], todo, doing)
    assert log[-1][1] == {"cardId": card["id"], "columnId": doing}
    assert await Card.filter(id=card["id"]).count() == 0


async def test_a_stale_version_is_refused_with_the_current_card(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    card = await cards.create_card(
        actor=actor, ref=ref, column_id=board.columns[0].id, fields={"title": "t"}
    )
    await cards.update_card(
        actor=actor, ref=ref, card_id=card["id"], changes={"description": "a"}, version=1
    )
    with pytest.raises(Conflict) as caught:
        await cards.update_card(
            actor=actor, ref=ref, card_id=card["id"], changes={"description": "b"}, version=1
        )
    assert caught.value.details["current"]["description"] == "a"


async def test_reordering_within_a_column_notifies_nobody_but_a_new_column_does(db: str) -> None:
    board = await create_board()
    mate = await create_user()
    await add_member(board, mate)
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    col = board.columns[0].id
    a = await cards.create_card(actor=actor, ref=ref, column_id=col, fields={"title": "a"})
    b = await cards.create_card(actor=actor, ref=ref, column_id=col, fields={"title": "b"})
    await Notification.all().delete()
    await cards.move_card(actor=actor, ref=ref, card_id=b["id"], column_id=col, before_id=a["id"])
    assert await Notification.filter(user_id=mate.id).count() == 0
    await cards.move_card(actor=actor, ref=ref, card_id=b["id"], column_id=board.columns[2].id)
    note = await Notification.get(user_id=mate.id)
    assert note.type == "card_moved"
    assert note.meta == {"title": "b", "fromColumn": "To Do", "toColumn": "Done"}
    await cards.update_card(
        actor=actor, ref=ref, card_id=a["id"], changes={"assignee_id": str(mate.id)}
    )
    kinds = await Notification.filter(user_id=mate.id).values_list("type", flat=True)
    assert sorted(kinds) == ["card_assigned", "card_moved", "card_updated"]


async def test_restoring_into_a_full_column_is_refused(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    col = board.columns[0].id
    a = await cards.create_card(actor=actor, ref=ref, column_id=col, fields={"title": "a"})
    await cards.update_card(actor=actor, ref=ref, card_id=a["id"], changes={"archived": True})
    await cards.create_card(actor=actor, ref=ref, column_id=col, fields={"title": "b"})
    await columns.update_column(actor=actor, ref=ref, column_id=col, changes={"wip_limit": 1})
    with pytest.raises(Conflict, match="WIP limit"):
        await trash.restore_card(actor=actor, ref=ref, card_id=a["id"])
    with pytest.raises(Conflict, match="Restore the card"):
        await cards.move_card(actor=actor, ref=ref, card_id=a["id"], column_id=col)


async def test_rules_on_fields_and_access(db: str) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    col = board.columns[0].id
    with pytest.raises(Invalid, match="member"):
        await cards.create_card(
            actor=actor, ref=ref, column_id=col, fields={"title": "t", "assignee_id": "nobody"}
        )
    stranger = user_actor(await create_user())
    with pytest.raises(NotFound):
        await cards.list_cards(actor=stranger, ref=ref)
    other = await create_board()
    with pytest.raises(NotFound):
        await cards.create_card(
            actor=actor, ref=ref, column_id=other.columns[0].id, fields={"title": "t"}
        )


async def test_a_list_of_cards_shows_each_as_it_reads_alone(db: str) -> None:
    """The list reads cards as rows, one card reads a model: they must agree, in board
    order, for one column or all, live or in the trash."""
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    todo, doing = (str(c.id) for c in board.columns[:2])
    due = cards.parse_date("2026-12-24T18:30:00+02:00")
    made = [
        await cards.create_card(
            actor=actor,
            ref=ref,
            column_id=column,
            fields={"title": title, "priority": "high", "due_date": due, "estimate": "3"},
        )
        for column, title in ((doing, "d1"), (todo, "t1"), (todo, "t2"), (doing, "d2"))
    ]
    await cards.update_card(actor=actor, ref=ref, card_id=made[3]["id"], changes={"archived": True})

    every = await cards.list_cards(actor=actor, ref=ref)
    assert [c["title"] for c in every] == ["t1", "t2", "d1"]
    for shown in every:
        assert shown == await cards.get_card(actor=actor, ref=ref, card_id=shown["id"])
    assert every[0]["dueDate"] == "2026-12-24T16:30:00Z" and every[0]["archived"] is False
    one = await cards.list_cards(actor=actor, ref=ref, column_id=doing)
    assert [c["title"] for c in one] == ["d1"]
    gone = await cards.list_cards(actor=actor, ref=ref, archived=True)
    assert [(c["title"], c["archived"]) for c in gone] == [("d2", True)]
    assert gone[0] == await cards.get_card(actor=actor, ref=ref, card_id=made[3]["id"])


async def test_a_list_of_one_column_names_a_column_of_the_board(db: str) -> None:
    board, other = await create_board(), await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    await cards.create_card(
        actor=actor, ref=ref, column_id=board.columns[0].id, fields={"title": "t"}
    )
    for column in (other.columns[0].id, "not-a-column", 42):
        with pytest.raises(NotFound, match="Column not found"):
            await cards.list_cards(actor=actor, ref=ref, column_id=column)
    # A stranger learns nothing of the board, whichever column they name.
    stranger = user_actor(await create_user())
    with pytest.raises(NotFound, match="Project not found"):
        await cards.list_cards(actor=stranger, ref=ref, column_id=board.columns[0].id)


async def test_the_trash_lists_the_latest_archived_first_each_as_it_reads_alone(
    db: str,
) -> None:
    board = await create_board()
    actor, ref = user_actor(board.owner), ProjectRef(board.project.id)
    col = board.columns[0].id
    made = [
        await cards.create_card(actor=actor, ref=ref, column_id=col, fields={"title": t})
        for t in ("first", "second", "kept", "third")
    ]
    for card in (made[1], made[0], made[3]):
        await cards.update_card(
            actor=actor, ref=ref, card_id=card["id"], changes={"archived": True}
        )

    listed = await trash.list_trash(actor=actor, ref=ref)
    assert [c["title"] for c in listed] == ["third", "first", "second"]
    for shown in listed:
        assert shown == await cards.get_card(actor=actor, ref=ref, card_id=shown["id"])
    stranger = user_actor(await create_user())
    with pytest.raises(NotFound, match="Project not found"):
        await trash.list_trash(actor=stranger, ref=ref)
