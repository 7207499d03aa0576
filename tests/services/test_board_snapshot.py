"""The live board a socket reads on connect: every card as the API shows it, with what
it carries beside its own row, in board order; archived cards left out; and only for
someone who may see the board."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from models import Attachment, Card, CardLabel, ChecklistItem, Comment, Label
from services.boards import cards, views
from services.boards.locate import ProjectRef
from services.errors import NotFound
from tests.card_details import make_card
from tests.factories import add_member, create_board, create_user, user_actor


async def test_the_snapshot_shows_each_card_with_its_details_in_board_order(db: str) -> None:
    board = await create_board()
    owner = user_actor(board.owner)
    todo, doing = board.columns[0], board.columns[1]
    bob = await create_user(name="bob")
    await add_member(board, bob)
    # Every field a card shows: the snapshot reads cards as rows, the API as models.
    first = await make_card(
        board,
        "First",
        priority="high",
        start_date=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        due_date=dt.datetime(2026, 12, 24, 17, 0, 0, 250000, tzinfo=dt.UTC),
        assignee_id=bob.id,
        estimate="5",
        description="All of it",
    )
    second = await make_card(board, "Second")
    elsewhere = await make_card(board, "Elsewhere", column=doing)
    gone = await make_card(board, "Gone", archived=True)
    await ChecklistItem.create(card=first, title="Write", done=True, order=0)
    await ChecklistItem.create(card=first, title="Ship", done=False, order=1)
    urgent = await Label.create(project=board.project, name="urgent", color="#ff0000")
    api = await Label.create(project=board.project, name="api", color="#00ff00")
    await CardLabel.create(card=first, label=urgent)
    await CardLabel.create(card=first, label=api)
    for text in ("one", "two"):
        await Comment.create(card=second, author=board.owner, author_name="Ann", content=text)
    await Attachment.create(
        card=second,
        uploaded_by=board.owner,
        original_name="spec.pdf",
        mime_type="application/pdf",
        size=10,
        storage_key=uuid.uuid4().hex,
    )

    state = await views.board_snapshot(owner, str(board.project.id))

    assert [c["id"] for c in state["columns"]] == [str(c.id) for c in board.columns]
    shown = {c["title"]: c for c in state["cards"]}
    assert [c["title"] for c in state["cards"]] == ["First", "Second", "Elsewhere"]
    assert gone.title not in shown
    assert [(c["columnId"], c["order"]) for c in state["cards"]] == [
        (str(todo.id), 0),
        (str(todo.id), 1),
        (str(doing.id), 0),
    ]
    assert [(i["title"], i["done"]) for i in shown["First"]["checklist"]] == [
        ("Write", True),
        ("Ship", False),
    ]
    assert shown["First"]["checklistProgress"] == 50
    assert [lb["name"] for lb in shown["First"]["labels"]] == ["api", "urgent"]
    assert (shown["First"]["commentCount"], shown["First"]["attachmentCount"]) == (0, 0)
    assert (shown["Second"]["commentCount"], shown["Second"]["attachmentCount"]) == (2, 1)
    assert shown["Second"]["checklistProgress"] is None
    assert (shown["First"]["startDate"], shown["First"]["dueDate"]) == (
        "2026-12-01T07:30:00Z",
        "2026-12-24T17:00:00.250000Z",
    )
    assert shown["First"]["assigneeId"] == str(bob.id) and shown["First"]["estimate"] == "5"
    assert shown["First"]["archived"] is False and shown["First"]["version"] == 1
    # Each card reads as the API renders it on its own.
    ref = ProjectRef(board.project.id)
    for card in (first, second, elsewhere):
        alone = await cards.get_card(actor=owner, ref=ref, card_id=str(card.id))
        assert shown[card.title] == alone
    assert [m["name"] for m in state["members"]] == ["bob", board.owner.name]
    assert state["project"]["id"] == str(board.project.id)
    assert state["seq"] == 0
    assert await Card.filter(project_id=board.project.id).count() == 4


async def test_the_snapshot_is_refused_to_someone_outside_the_board(db: str) -> None:
    board = await create_board()
    stranger = user_actor(await create_user())
    with pytest.raises(NotFound):
        await views.board_snapshot(stranger, str(board.project.id))
    with pytest.raises(NotFound):
        await views.board_snapshot(stranger, "not-a-uuid")
