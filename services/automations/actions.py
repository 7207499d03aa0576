"""What a rule does to its card, each action through the board services every other
face uses, as the rule's own actor: the board hears each change live."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from models import AutomationRule, Card, Notification
from services.actors import Actor
from services.automations import webhook
from services.boards import cards, comments, labels, notify
from services.boards.locate import ProjectRef
from services.boards.views import card_public
from services.timefmt import iso

ACTIONS = (
    "move_to_column",
    "assign",
    "add_label",
    "remove_label",
    "set_priority",
    "set_due_date",
    "add_comment",
    "notify",
    "call_webhook",
)
MAX_ACTIONS = 10
NOTICE = "automation_notice"


class ActionFailed(Exception):
    """An action that could not be done; the message says why."""


async def run(
    action: dict[str, Any], *, actor: Actor, rule: AutomationRule, card: Card, trace: dict[str, Any]
) -> str:
    """Do one action; a short account of what it did."""
    kind = action["type"]
    ref = ProjectRef(rule.project_id)
    card_id = str(card.id)
    if kind == "move_to_column":
        return await _update(actor, ref, card_id, {"column_id": action["columnId"]}, "moved")
    if kind == "assign":
        return await _update(actor, ref, card_id, {"assignee_id": action["userId"]}, "assigned")
    if kind == "set_priority":
        return await _update(actor, ref, card_id, {"priority": action["priority"]}, "priority set")
    if kind == "set_due_date":
        days = action["inDays"]
        when = None
        if days is not None:
            today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            when = today + timedelta(days=days)
        return await _update(actor, ref, card_id, {"due_date": when}, "due date set")
    if kind in ("add_label", "remove_label"):
        applied = kind == "add_label"
        await labels.set_card_label(
            actor=actor, ref=ref, card_id=card_id, label_id=action["labelId"], applied=applied
        )
        return "label added" if applied else "label removed"
    if kind == "add_comment":
        await comments.add_comment(
            actor=actor, project_id=rule.project_id, card_id=card_id, content=action["text"]
        )
        return "comment added"
    if kind == "notify":
        return await _notify(action, rule, card)
    if kind == "call_webhook":
        payload = {
            "id": str(uuid.uuid4()),
            "event": webhook.EVENT,
            "created_at": iso(datetime.now(UTC)),
            "project": {"id": str(rule.project_id)},
            "rule": {"id": str(rule.id), "name": rule.name},
            "trigger": trace,
            "actor": actor.wire(),
            "card": await card_public(await Card.get(id=card.id)),
        }
        try:
            answer = await webhook.call(action["url"], rule.secret_sealed, payload)
        except webhook.CallFailed as exc:
            raise ActionFailed(str(exc)) from None
        return f"the receiver answered {answer['status']}"
    raise ActionFailed(f"unknown action {kind!r}")


async def _update(
    actor: Actor, ref: ProjectRef, card_id: str, changes: dict[str, Any], done: str
) -> str:
    before = await Card.get(id=card_id)
    after = await cards.update_card(actor=actor, ref=ref, card_id=card_id, changes=changes)
    return done if after["version"] != before.version else "nothing to change"


async def _notify(action: dict[str, Any], rule: AutomationRule, card: Card) -> str:
    card = await Card.get(id=card.id)  # as earlier actions left it
    wanted: set[uuid.UUID] = set()
    for who in action["to"]:
        if who == "assignee":
            wanted |= {card.assignee_id} if card.assignee_id else set()
        elif who == "creator":
            wanted |= {card.created_by_id} if card.created_by_id else set()
        else:
            wanted.add(uuid.UUID(who))
    project = await rule.project
    people = await comments.who_can_see(project, wanted)
    meta = {
        "rule": rule.name,
        "ruleId": str(rule.id),
        "title": card.title,
        "message": action["message"],
    }
    async with in_transaction():
        rows = [
            await Notification.create(
                user_id=user_id,
                type=NOTICE,
                actor_id=None,
                project_id=rule.project_id,
                card_id=card.id,
                meta=meta,
            )
            for user_id in sorted(people)
        ]
    await notify.deliver(rows)
    return f"{len(rows)} notified" if rows else "nobody to notify"
