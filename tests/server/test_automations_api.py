"""Automation rules over REST: the seed's seven endpoints, every kind of bad input
refused with a 400 that names the problem, and a rule's webhook call, signed, to a real
local receiver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from models import AutomationRule
from services.webhooks import targets
from tests.automation_support import settle
from tests.factories import Board, add_member, bearer, create_board, create_user, jwt_for
from tests.webhook_receiver import receiver

Headers = dict[str, Any]


@pytest.fixture
def private_allowed() -> Iterator[None]:
    """The tests' receiver listens on 127.0.0.1, as WEBHOOKS_ALLOW_PRIVATE=true allows."""
    targets.configure(allow_private=True)
    yield
    targets.configure(allow_private=False)


async def _board() -> tuple[Board, Headers]:
    owner = await create_user(name="Olive Owner")
    board = await create_board(owner)
    return board, bearer(jwt_for(owner))


def _body(board: Board, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Ship done cards",
        "trigger": {"type": "task_moved", "toColumnId": str(board.columns[2].id)},
        "conditions": {"all": [{"field": "priority", "op": "in", "value": ["high", "medium"]}]},
        "actions": [{"type": "add_comment", "text": "Shipped"}],
    }
    body.update(changes)
    return body


async def test_create_read_change_toggle_and_delete_a_rule(client: httpx.AsyncClient) -> None:
    board, headers = await _board()
    url = f"{board.base}/automations"
    made = await client.post(url, json=_body(board), headers=headers)
    assert made.status_code == 201, made.text
    rule = made.json()
    assert rule["signingSecret"].startswith("whsec_")
    assert rule["enabled"] is True and rule["ownerId"] == str(board.owner.id)
    assert rule["trigger"] == {"type": "task_moved", "toColumnId": str(board.columns[2].id)}
    one = f"{url}/{rule['id']}"
    got = await client.get(one, headers=headers)
    assert got.status_code == 200 and "signingSecret" not in got.json()
    listed = await client.get(url, headers=headers)
    assert [r["id"] for r in listed.json()] == [rule["id"]]
    changed = await client.patch(one, json={"name": "Renamed", "conditions": None}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Renamed" and changed.json()["conditions"] is None
    assert changed.json()["signingSecret"] is None
    rotated = await client.patch(one, json={"rotateSecret": True}, headers=headers)
    assert rotated.json()["signingSecret"].startswith("whsec_")
    flipped = await client.patch(one + "/toggle", headers=headers)
    assert flipped.json()["enabled"] is False
    again = await client.patch(one + "/toggle", json={"enabled": True}, headers=headers)
    assert again.json()["enabled"] is True
    gone = await client.delete(one, headers=headers)
    assert gone.json() == {"ok": True}
    missing = await client.get(one, headers=headers)
    assert missing.status_code == 404
    assert missing.json() == {
        "statusCode": 404,
        "message": "Automation rule not found",
        "error": "Not Found",
    }


def _deep(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"field": "title", "op": "contains", "value": "x"}
    for _ in range(levels):
        node = {"all": [node]}
    return node


BAD: list[tuple[str, Any, str]] = [
    ("not json", b"{", "Malformed JSON body"),
    ("not an object", [], "The body must be a JSON object"),
    ("groups too deep", {"conditions": _deep(4)}, "groups nest at most 3 deep"),
    (
        "unknown field",
        {"conditions": {"field": "colour", "op": "eq", "value": "x"}},
        "unknown field 'colour'",
    ),
    (
        "wrong operator",
        {"conditions": {"field": "title", "op": "has", "value": "x"}},
        "title takes the operators",
    ),
    (
        "wrong value type",
        {"conditions": {"field": "checklistProgress", "op": "gt", "value": "50"}},
        "conditions",
    ),
    (
        "a value it does not take",
        {"conditions": {"field": "label", "op": "is_set", "value": "x"}},
        "conditions",
    ),
    ("not a condition", {"conditions": {"all": [7]}}, "must be an object"),
    (
        "a group with two keys",
        {"conditions": {"all": [_deep(0)], "any": [_deep(0)]}},
        "a group has exactly one key",
    ),
    ("too many in a group", {"conditions": {"any": [_deep(0)] * 11}}, "conditions"),
    ("an empty group", {"conditions": {"all": []}}, "conditions"),
    ("a name too long", {"name": "x" * 101}, "name"),
    ("a blank name", {"name": "   "}, "name"),
    ("no actions", {"actions": []}, "actions"),
    ("too many actions", {"actions": [{"type": "add_comment", "text": "x"}] * 11}, "actions"),
    ("an unknown action", {"actions": [{"type": "launch_rocket"}]}, "actions.0"),
    ("an unknown trigger", {"trigger": {"type": "card_sneezed"}}, "trigger"),
    (
        "an option of another trigger",
        {"trigger": {"type": "task_created", "toColumnId": None}},
        "trigger",
    ),
    ("an unknown key", {"colour": "red"}, "colour"),
    ("a comment too long", {"actions": [{"type": "add_comment", "text": "x" * 2001}]}, "actions.0"),
    ("a due date too far", {"actions": [{"type": "set_due_date", "inDays": 5000}]}, "actions.0"),
    ("a string for a number", {"actions": [{"type": "set_due_date", "inDays": "3"}]}, "actions.0"),
    ("a bad status", {"trigger": {"type": "task_status_changed", "to": "finished"}}, "trigger"),
    (
        "an id that is no id",
        {"actions": [{"type": "add_label", "labelId": "shipped"}]},
        "actions.0",
    ),
    (
        "a webhook to nowhere",
        {"actions": [{"type": "call_webhook", "url": "ftp://example.com"}]},
        "actions.0",
    ),
    (
        "a webhook inside the network",
        {"actions": [{"type": "call_webhook", "url": "http://127.0.0.1:9/x"}]},
        "actions.0.url: must not point to a loopback",
    ),
]


@pytest.mark.parametrize(("case", "changes", "says"), BAD, ids=[b[0] for b in BAD])
async def test_bad_input_is_a_400_naming_the_problem(
    client: httpx.AsyncClient, case: str, changes: Any, says: str
) -> None:
    board, headers = await _board()
    url = f"{board.base}/automations"
    if isinstance(changes, bytes):
        res = await client.post(
            url, content=changes, headers=headers | {"Content-Type": "application/json"}
        )
    elif isinstance(changes, dict):
        res = await client.post(url, json=_body(board, **changes), headers=headers)
    else:
        res = await client.post(url, json=changes, headers=headers)
    assert res.status_code == 400, (case, res.text)
    body = res.json()
    assert body["statusCode"] == 400 and body["error"] == "Bad Request"
    assert says in body["message"], (case, body["message"])
    assert await AutomationRule.all().count() == 0


async def test_ids_of_another_project_are_refused_by_name(client: httpx.AsyncClient) -> None:
    board, headers = await _board()
    other = await create_board(board.owner)
    stranger = await create_user()
    await add_member(other, stranger)
    theirs = await client.post(
        f"{other.base}/labels", json={"name": "theirs", "color": "#123456"}, headers=headers
    )
    label = theirs.json()["id"]
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"trigger": {"type": "task_moved", "toColumnId": str(other.columns[0].id)}},
            "trigger.toColumnId: names no column of this project",
        ),
        (
            {
                "conditions": {
                    "not": {
                        "field": "column",
                        "op": "in",
                        "value": [str(board.columns[0].id), str(other.columns[1].id)],
                    }
                }
            },
            "names no column of this project",
        ),
        (
            {"conditions": {"field": "label", "op": "has", "value": label}},
            "conditions.value: names no label of this project",
        ),
        (
            {"actions": [{"type": "add_label", "labelId": label}]},
            "actions.0.labelId: names no label of this project",
        ),
        (
            {"actions": [{"type": "assign", "userId": str(stranger.id)}]},
            "actions.0.userId: names no member of this project",
        ),
        (
            {
                "actions": [
                    {"type": "notify", "to": ["assignee", str(stranger.id)], "message": "hi"}
                ]
            },
            "actions.0.to.1: names no member",
        ),
        (
            {"actions": [{"type": "move_to_column", "columnId": str(other.columns[2].id)}]},
            "actions.0.columnId: names no column",
        ),
    ]
    for changes, says in cases:
        res = await client.post(
            f"{board.base}/automations", json=_body(board, **changes), headers=headers
        )
        assert res.status_code == 400, (changes, res.text)
        assert says in res.json()["message"], (changes, res.json())
    # The same ids in upper case are the same ids.
    upper = {"type": "task_moved", "toColumnId": str(board.columns[1].id).upper()}
    res = await client.post(
        f"{board.base}/automations", json=_body(board, trigger=upper), headers=headers
    )
    assert res.status_code == 201, res.text
    assert res.json()["trigger"]["toColumnId"] == str(board.columns[1].id)


async def test_a_rule_calls_its_webhook_signed_with_its_secret(
    client: httpx.AsyncClient, private_allowed: None
) -> None:
    board, headers = await _board()
    async with receiver() as fake:
        made = await client.post(
            f"{board.base}/automations",
            json=_body(
                board,
                conditions=None,
                actions=[
                    {"type": "call_webhook", "url": fake.url},
                    {"type": "add_comment", "text": "Told the release bot"},
                ],
            ),
            headers=headers,
        )
        assert made.status_code == 201, made.text
        rule = made.json()
        fake.secret = rule["signingSecret"]
        card = await client.post(
            f"{board.base}/columns/{board.columns[0].id}/cards",
            json={"title": "Release 2.0"},
            headers=headers,
        )
        card_id = card.json()["id"]
        moved = await client.patch(
            f"{board.base}/cards/{card_id}",
            json={"columnId": str(board.columns[2].id)},
            headers=headers,
        )
        assert moved.status_code == 200, moved.text
        await settle()
        [call] = fake.seen
        assert call.signed and call.answered == 200
        assert call.event == "automation_fired"
        assert call.body["rule"] == {"id": rule["id"], "name": "Ship done cards"}
        assert call.body["card"]["id"] == card_id
        assert call.body["trigger"]["toColumnId"] == str(board.columns[2].id)
        # A receiver that refuses: the run is traced as a failure with its answer.
        fake.fail_first = 10
        await client.patch(
            f"{board.base}/cards/{card_id}",
            json={"columnId": str(board.columns[0].id)},
            headers=headers,
        )
        await client.patch(
            f"{board.base}/cards/{card_id}",
            json={"columnId": str(board.columns[2].id)},
            headers=headers,
        )
        await settle()
    traces = await client.get(f"{board.base}/automations/{rule['id']}/traces", headers=headers)
    assert traces.status_code == 200, traces.text
    newest, oldest = traces.json()
    assert (newest["result"], newest["error"]) == (
        "failure",
        "action 1 (call_webhook): the receiver answered 500",
    )
    assert [a["result"] for a in newest["actions"]] == ["failure", "skipped"]
    assert oldest["result"] == "success" and oldest["cardTitle"] == "Release 2.0"
    assert oldest["actor"] == {
        "id": rule["id"],
        "name": "Rule: Ship done cards",
        "kind": "automation",
    }
    assert oldest["triggeredBy"]["kind"] == "user"
    page = await client.get(
        f"{board.base}/automations/{rule['id']}/traces",
        params={"limit": 1, "before": newest["id"]},
        headers=headers,
    )
    assert [t["id"] for t in page.json()] == [oldest["id"]]
    bad = await client.get(
        f"{board.base}/automations/{rule['id']}/traces", params={"limit": 0}, headers=headers
    )
    assert bad.status_code == 400 and "limit" in bad.json()["message"]


@pytest.mark.parametrize("depth", [50, 3000, 7000])
async def test_conditions_nested_past_any_limit_are_a_400(
    client: httpx.AsyncClient, depth: int
) -> None:
    board, headers = await _board()
    leaf = '{"field": "title", "op": "eq", "value": "x"}'
    tree = '{"not": ' * depth + leaf + "}" * depth
    body = (
        '{"name": "Deep", "trigger": {"type": "task_created"}, "conditions": '
        + tree
        + ', "actions": [{"type": "add_comment", "text": "x"}]}'
    )
    res = await client.post(
        f"{board.base}/automations",
        content=body,
        headers=headers | {"Content-Type": "application/json"},
    )
    assert res.status_code == 400, res.text[:300]
    assert res.json()["statusCode"] == 400
