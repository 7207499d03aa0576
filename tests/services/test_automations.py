"""Automation rules at work: each trigger, conditions that hold or not, every action
through the board services as the rule's own actor, loop protection, chains, and traces
of success, failure and skips."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from models import Card, CardLabel, Comment, Notification, RoomEvent
from services import events
from services.automations import chain
from services.boards import cards, checklists, labels, moves
from services.events import Event, Fact
from tests.automation_support import Team, rule, settle, team, traces_of
from tests.factories import user_actor

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def heard() -> Iterator[list[Event]]:
    """Every board event that reached the after-commit bus."""
    seen: list[Event] = []

    async def listen(facts: list[Fact]) -> None:
        seen.extend(f for f in facts if isinstance(f, Event))

    events.subscribe(listen)
    yield seen
    events.unsubscribe(listen)


async def _card(t: Team, title: str = "Ship it", column: str = "To Do", **fields: Any) -> str:
    made = await cards.create_card(
        actor=t.admin, ref=t.ref, column_id=t.column(column), fields={"title": title, **fields}
    )
    return str(made["id"])


async def _move(t: Team, card_id: str, column: str) -> None:
    await moves.move_card(actor=t.admin, ref=t.ref, card_id=card_id, column_id=t.column(column))


async def _label(t: Team, name: str = "shipped") -> str:
    made = await labels.create_label(actor=t.admin, ref=t.ref, name=name, color="#00aa00")
    return str(made["id"])


async def test_a_card_moved_to_done_gets_its_label_and_comment_from_the_rule(
    heard: list[Event],
) -> None:
    t = await team()
    shipped = await _label(t)
    saved = await rule(
        t,
        {"type": "task_moved", "toColumnId": t.column("Done")},
        [
            {"type": "add_label", "labelId": shipped},
            {"type": "add_comment", "text": "Shipped, well done"},
        ],
        name="Label done cards",
    )
    card = await _card(t)
    await _move(t, card, "Doing")
    await settle()
    assert await traces_of(saved["id"]) == []  # moved elsewhere: the trigger did not fire
    await _move(t, card, "Done")
    await settle()
    assert await CardLabel.filter(card_id=card, label_id=shipped).exists()
    comment = await Comment.get(card_id=card)
    assert comment.content == "Shipped, well done"
    assert comment.author_name == "Rule: Label done cards"
    [trace] = await traces_of(saved["id"])
    assert trace.result == "success" and trace.error is None
    assert [s["result"] for s in trace.steps] == ["success", "success"]
    assert trace.card_title == "Ship it" and trace.depth == 1
    assert trace.actor == {
        "id": saved["id"],
        "name": "Rule: Label done cards",
        "kind": "automation",
    }
    assert trace.triggered_by is not None and trace.triggered_by["kind"] == "user"
    assert trace.event["toColumnId"] == t.column("Done")
    # The board heard both changes, made by the rule.
    by_rule = [e for e in heard if e.actor and e.actor["kind"] == "automation"]
    assert [e.type for e in by_rule] == ["card_labels_changed", "comment_added"]
    assert all(e.actor == trace.actor for e in by_rule)


async def test_conditions_that_do_not_hold_skip_the_run_with_the_reason() -> None:
    t = await team()
    saved = await rule(
        t,
        {"type": "task_created"},
        [{"type": "set_priority", "priority": "high"}],
        conditions={"field": "title", "op": "contains", "value": "urgent"},
    )
    calm = await _card(t, "Tidy the backlog")
    hot = await _card(t, "URGENT: fix login")
    await settle()
    assert (await Card.get(id=calm)).priority is None
    assert (await Card.get(id=hot)).priority == "high"
    results = {(str(x.card_id), x.result, x.reason) for x in await traces_of(saved["id"])}
    assert results == {
        (calm, "skipped", "its conditions are not met"),
        (hot, "success", None),
    }


@pytest.mark.parametrize(
    ("tree", "holds"),
    [
        ({"all": [{"field": "priority", "op": "eq", "value": "high"}]}, True),
        ({"any": [{"field": "priority", "op": "in", "value": ["low", "medium"]}]}, False),
        ({"not": {"field": "assignee", "op": "is_set"}}, False),
        ({"field": "assignee", "op": "eq", "value": "MEMBER"}, True),
        ({"field": "column", "op": "eq", "value": "TODO"}, True),
        ({"field": "column", "op": "not_in", "value": ["TODO"]}, False),
        ({"field": "label", "op": "has", "value": "LABEL"}, True),
        ({"field": "label", "op": "lacks", "value": "LABEL"}, False),
        ({"field": "dueDate", "op": "before", "value": "2030-01-01"}, True),
        ({"field": "dueDate", "op": "after", "value": "2030-01-01"}, False),
        ({"field": "startDate", "op": "is_empty"}, True),
        ({"field": "checklistProgress", "op": "gte", "value": 50}, True),
        ({"field": "checklistProgress", "op": "lt", "value": 50}, False),
        ({"field": "estimate", "op": "eq", "value": "5"}, True),
        ({"field": "description", "op": "not_contains", "value": "secret"}, True),
        ({"field": "title", "op": "eq", "value": "ship IT"}, True),
        (
            {
                "all": [
                    {"any": [{"not": {"field": "priority", "op": "eq", "value": "low"}}]},
                    {"field": "label", "op": "is_set"},
                ]
            },
            True,
        ),
    ],
)
async def test_each_test_of_the_language(tree: dict[str, Any], holds: bool) -> None:
    t = await team()
    label = await _label(t, "backend")
    text = (
        json.dumps(tree)
        .replace("MEMBER", str(t.member.id))
        .replace("TODO", t.column("To Do"))
        .replace("LABEL", label)
    )
    saved = await rule(
        t, {"type": "task_assigned"}, [{"type": "add_comment", "text": "hi"}], json.loads(text)
    )
    card = await _card(t, estimate="5", priority="high", due_date="2029-05-01")
    await labels.set_card_label(
        actor=t.admin, ref=t.ref, card_id=card, label_id=label, applied=True
    )
    await checklists.add_item(actor=t.admin, ref=t.ref, card_id=card, title="one")
    item = await checklists.add_item(actor=t.admin, ref=t.ref, card_id=card, title="two")
    await checklists.update_item(
        actor=t.admin, ref=t.ref, card_id=card, item_id=item["item"]["id"], done=True
    )
    await cards.update_card(
        actor=t.admin, ref=t.ref, card_id=card, changes={"assignee_id": t.member.id}
    )
    await settle()
    [trace] = await traces_of(saved["id"])
    assert trace.result == ("success" if holds else "skipped"), tree


async def test_task_created_and_added_to_board_fire_with_their_column() -> None:
    t = await team()
    created = await rule(
        t,
        {"type": "task_created", "columnId": t.column("Doing")},
        [{"type": "set_priority", "priority": "low"}],
    )
    added = await rule(
        t, {"type": "task_added_to_board"}, [{"type": "add_comment", "text": "Welcome"}]
    )
    first = await _card(t, "In to do")
    second = await _card(t, "In doing", column="Doing")
    await settle()
    assert [str(x.card_id) for x in await traces_of(created["id"])] == [second]
    assert {str(x.card_id) for x in await traces_of(added["id"])} == {first, second}
    # Restoring from the trash puts the card on the board again.
    await cards.update_card(actor=t.admin, ref=t.ref, card_id=first, changes={"archived": True})
    await cards.update_card(actor=t.admin, ref=t.ref, card_id=first, changes={"archived": False})
    await settle()
    assert [str(x.card_id) for x in await traces_of(added["id"])].count(first) == 2


async def test_status_changes_between_open_done_and_archived() -> None:
    t = await team()
    done = await rule(
        t,
        {"type": "task_status_changed", "from": "open", "to": "done"},
        [{"type": "add_comment", "text": "Done!"}],
    )
    trashed = await rule(
        t,
        {"type": "task_status_changed", "to": "archived"},
        [{"type": "set_priority", "priority": None}],
    )
    card = await _card(t, priority="high")
    await _move(t, card, "Doing")  # open to open: no change of status
    await _move(t, card, "Done")
    await cards.update_card(actor=t.admin, ref=t.ref, card_id=card, changes={"archived": True})
    await settle()
    [one] = await traces_of(done["id"])
    assert one.event["from"] == "open" and one.event["to"] == "done"
    [two] = await traces_of(trashed["id"])
    assert two.event["from"] == "done" and two.result == "success"
    assert (await Card.get(id=card)).priority is None


async def test_task_assigned_fires_for_the_member_it_names() -> None:
    t = await team()
    saved = await rule(
        t,
        {"type": "task_assigned", "userId": str(t.member.id)},
        [{"type": "add_comment", "text": "Yours"}],
    )
    mine = await _card(t, "Mine", assignee_id=t.admin.user_id)
    theirs = await _card(t, "Theirs")
    await cards.update_card(
        actor=t.admin, ref=t.ref, card_id=theirs, changes={"assignee_id": t.member.id}
    )
    # Another edit of the assigned card is no new assignment.
    await cards.update_card(actor=t.admin, ref=t.ref, card_id=theirs, changes={"title": "Theirs!"})
    await settle()
    assert [str(x.card_id) for x in await traces_of(saved["id"])] == [theirs]
    assert mine


async def test_checklist_complete_fires_when_the_last_item_is_ticked() -> None:
    t = await team()
    saved = await rule(
        t,
        {"type": "checklist_complete"},
        [{"type": "move_to_column", "columnId": t.column("Done")}],
    )
    card = await _card(t)
    one = await checklists.add_item(actor=t.admin, ref=t.ref, card_id=card, title="one")
    two = await checklists.add_item(actor=t.admin, ref=t.ref, card_id=card, title="two")
    await checklists.update_item(
        actor=t.admin, ref=t.ref, card_id=card, item_id=one["item"]["id"], done=True
    )
    await settle()
    assert await traces_of(saved["id"]) == []
    await checklists.update_item(
        actor=t.admin, ref=t.ref, card_id=card, item_id=two["item"]["id"], done=True
    )
    await settle()
    [trace] = await traces_of(saved["id"])
    assert trace.result == "success"
    assert str((await Card.get(id=card)).column_id) == t.column("Done")


async def test_every_action_goes_through_the_board_as_the_rule(heard: list[Event]) -> None:
    t = await team()
    old, new = await _label(t, "triage"), await _label(t, "ready")
    saved = await rule(
        t,
        {"type": "task_created"},
        [
            {"type": "move_to_column", "columnId": t.column("Doing")},
            {"type": "assign", "userId": str(t.member.id)},
            {"type": "remove_label", "labelId": old},
            {"type": "add_label", "labelId": new},
            {"type": "set_priority", "priority": "medium"},
            {"type": "set_due_date", "inDays": 3},
            {"type": "add_comment", "text": "Picked up"},
            {"type": "notify", "to": ["assignee", str(t.admin.user_id)], "message": "New card"},
        ],
        name="Intake",
    )
    card = await _card(t, "Intake me")
    await settle()
    [trace] = await traces_of(saved["id"])
    assert trace.result == "success", trace.steps
    row = await Card.get(id=card)
    assert str(row.column_id) == t.column("Doing")
    assert row.assignee_id == t.member.id and row.priority == "medium"
    assert row.due_date is not None
    assert [
        str(x) for x in await CardLabel.filter(card_id=card).values_list("label_id", flat=True)
    ] == [new]
    notices = await Notification.filter(type="automation_notice").order_by("user_id")
    assert {n.user_id for n in notices} == {t.member.id, t.admin.user_id}
    assert notices[0].meta["message"] == "New card" and notices[0].meta["rule"] == "Intake"
    kinds = [e.type for e in heard if e.actor and e.actor.get("kind") == "automation"]
    assert kinds[0] == "card_moved" and "comment_added" in kinds
    # The project's people hear of the move from the rule, its owner included.
    moved = await Notification.filter(type="card_moved", card_id=card)
    assert {n.user_id for n in moved} == {t.admin.user_id, t.member.id}
    assert all(n.actor_id is None and n.meta["actor"]["kind"] == "automation" for n in moved)
    # The changes are in the board's log under the rule's name.
    logged = await RoomEvent.filter(
        room=f"board:{t.board.project.id}", type="comment_added"
    ).first()
    assert logged is not None and logged.actor is not None
    assert logged.actor["name"] == "Rule: Intake"


async def test_a_failing_action_is_traced_as_failure_and_stops_the_rest() -> None:
    t = await team()
    full = t.board.columns[2]
    full.wip_limit = 1
    await full.save()
    await _card(t, "Already done", column="Done")
    saved = await rule(
        t,
        {"type": "task_created", "columnId": t.column("To Do")},
        [
            {"type": "move_to_column", "columnId": t.column("Done")},
            {"type": "add_comment", "text": "never"},
        ],
    )
    card = await _card(t)
    await settle()
    [trace] = await traces_of(saved["id"])
    assert trace.result == "failure"
    assert trace.error is not None and trace.error.startswith("action 1 (move_to_column): ")
    assert "WIP" in trace.error or "limit" in trace.error
    assert [s["result"] for s in trace.steps] == ["failure", "skipped"]
    assert not await Comment.filter(card_id=card).exists()


async def test_a_rules_own_change_never_sets_it_off_again() -> None:
    t = await team()
    # Moving the card is itself a move: it must not fire the rule once more.
    saved = await rule(
        t, {"type": "task_moved"}, [{"type": "move_to_column", "columnId": t.column("Done")}]
    )
    card = await _card(t)
    await _move(t, card, "Doing")
    await settle()
    traces = await traces_of(saved["id"])
    assert [x.result for x in traces] == ["success"]
    assert str((await Card.get(id=card)).column_id) == t.column("Done")


async def test_a_chain_of_rules_stops_at_its_depth_and_says_so() -> None:
    t = await team(("A", "B", "C", "D", "E"))
    ids = []
    for here, there in (("B", "C"), ("C", "D"), ("D", "E")):
        made = await rule(
            t,
            {"type": "task_moved", "toColumnId": t.column(here)},
            [{"type": "move_to_column", "columnId": t.column(there)}],
            name=f"{here} to {there}",
        )
        ids.append(made["id"])
    last = await rule(
        t,
        {"type": "task_moved", "toColumnId": t.column("E")},
        [{"type": "add_comment", "text": "end"}],
    )
    card = await _card(t, column="A")
    await _move(t, card, "B")
    await settle()
    depths = [(x.depth, x.result) for i in ids for x in await traces_of(i)]
    assert depths == [(1, "success"), (2, "success"), (3, "success")]
    [stopped] = await traces_of(last["id"])
    assert stopped.result == "skipped" and stopped.depth == chain.MAX_DEPTH + 1
    assert stopped.reason is not None and "chain of rules stops at 3" in stopped.reason
    assert not await Comment.filter(card_id=card).exists()


async def test_two_rules_that_set_each_other_off_run_once_each() -> None:
    t = await team()
    there = await rule(
        t,
        {"type": "task_moved", "toColumnId": t.column("Doing")},
        [{"type": "move_to_column", "columnId": t.column("Done")}],
    )
    back = await rule(
        t,
        {"type": "task_moved", "toColumnId": t.column("Done")},
        [{"type": "move_to_column", "columnId": t.column("Doing")}],
    )
    card = await _card(t)
    await _move(t, card, "Doing")
    await settle()
    assert [x.depth for x in await traces_of(there["id"])] == [1]
    assert [x.depth for x in await traces_of(back["id"])] == [2]


async def test_a_rule_turned_off_before_its_run_is_skipped() -> None:
    from services.automations import rules as rules_service

    t = await team()
    saved = await rule(t, {"type": "task_created"}, [{"type": "add_comment", "text": "hi"}])
    await _card(t)
    from services.automations import listener

    await listener.drain()
    await rules_service.toggle_rule(actor=t.admin, ref=t.ref, rule_id=saved["id"], enabled=False)
    await settle()
    [trace] = await traces_of(saved["id"])
    assert (trace.result, trace.reason) == ("skipped", "the rule is turned off")
    # And while it is off, nothing is queued at all.
    await _card(t)
    await settle()
    assert len(await traces_of(saved["id"])) == 1


async def test_a_rule_acts_with_its_owners_rights_only() -> None:
    from models import ProjectMember
    from services.automations import rules as rules_service
    from tests.factories import add_member, create_user

    t = await team()
    lead = await create_user(name="Lea Lead")
    await add_member(t.board, lead, project_role="admin")
    saved, _ = await rules_service.create_rule(
        actor=user_actor(lead),
        ref=t.ref,
        name="Lead's rule",
        trigger={"type": "task_created"},
        actions=[{"type": "add_comment", "text": "hi"}],
    )
    assert saved["ownerId"] == str(lead.id)
    # Its owner leaves the project: the rule can no longer act there.
    await ProjectMember.filter(project_id=t.board.project.id, user_id=lead.id).delete()
    card = await _card(t)
    await settle()
    [trace] = await traces_of(saved["id"])
    assert trace.result == "failure" and "not found" in (trace.error or "").lower()
    assert not await Comment.filter(card_id=card).exists()


async def test_the_change_is_answered_before_its_rules_are_even_queued(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    from models import Job
    from services.automations import listener

    t = await team()
    saved = await rule(t, {"type": "task_moved"}, [{"type": "add_comment", "text": "Moved"}])
    card = await _card(t)
    await settle()
    release = asyncio.Event()
    real = listener._queue_all

    async def held(wanted: Any, running: Any) -> None:
        await release.wait()
        await real(wanted, running)

    monkeypatch.setattr(listener, "_queue_all", held)
    await asyncio.wait_for(_move(t, card, "Doing"), 5)
    assert not await Job.filter(kind=listener.RUN_KIND, status="pending").exists()
    release.set()
    await settle()
    assert [x.result for x in await traces_of(saved["id"])] == ["success"]


async def test_a_refused_change_sets_off_nothing_and_a_broken_queue_fails_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from services.automations import listener
    from services.errors import Conflict

    t = await team()
    saved = await rule(t, {"type": "task_moved"}, [{"type": "add_comment", "text": "Moved"}])
    full = t.board.columns[1]
    full.wip_limit = 0
    await full.save()
    card = await _card(t)
    with pytest.raises(Conflict):
        await _move(t, card, "Doing")
    await settle()
    assert await traces_of(saved["id"]) == []

    async def broken() -> Any:
        raise RuntimeError("the rules cannot be read")

    monkeypatch.setattr(listener, "_with_rules", broken)
    await _move(t, card, "Done")  # answered; the rule's run is lost, the move stands
    await settle()
    assert str((await Card.get(id=card)).column_id) == t.column("Done")


async def test_a_card_deleted_or_a_rule_deleted_before_the_run() -> None:
    from models import Job
    from services.automations import listener
    from services.automations import rules as rules_service

    t = await team()
    kept = await rule(t, {"type": "task_created"}, [{"type": "add_comment", "text": "hi"}])
    dropped = await rule(t, {"type": "task_created"}, [{"type": "add_comment", "text": "yo"}])
    card = await _card(t)
    await listener.drain()
    await cards.delete_card(actor=t.admin, ref=t.ref, card_id=card)
    await rules_service.delete_rule(actor=t.admin, ref=t.ref, rule_id=dropped["id"])
    await settle()
    [trace] = await traces_of(kept["id"])
    assert (trace.result, trace.reason) == ("skipped", "the card no longer exists")
    results = [j.result for j in await Job.filter(kind=listener.RUN_KIND).order_by("id")]
    assert {"skipped": "the rule was deleted"} in results


async def test_a_rule_keeps_its_newest_traces(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.automations import traces

    monkeypatch.setattr(traces, "KEPT", 3)
    t = await team()
    saved = await rule(t, {"type": "task_created"}, [{"type": "set_priority", "priority": "low"}])
    made = [await _card(t, f"Card {i}") for i in range(5)]
    await settle()
    kept = await traces_of(saved["id"])
    assert [str(x.card_id) for x in kept] == made[2:]
