"""The job handlers: a rule's run on one card (conditions, then each action in order,
then its trace), and a card's due date coming round."""

from __future__ import annotations

import logging
import time
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import AutomationDueMark, AutomationRule, Card
from services import jobs
from services.actors import Actor
from services.automations import actions, chain, conditions, traces
from services.automations.due import DUE_KIND
from services.automations.listener import RUN_KIND, queue_run
from services.automations.triggers import DUE_DATE_REACHED, Occurrence
from services.boards.cards import parse_date
from services.errors import DomainError

log = logging.getLogger("roundtable.automations")

# Who set off a due-date rule: the clock.
CLOCK = {"id": None, "name": "Due date", "kind": "system"}


def rule_actor(rule: AutomationRule) -> Actor:
    """The rule as the board sees it, acting with the rights of whoever last saved it."""
    return Actor(
        kind="automation",
        name=f"Rule: {rule.name}"[:100],
        via="system",
        user_id=rule.owner_id,
        rule_id=rule.id,
    )


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


@jobs.handler(RUN_KIND)
async def run_rule(job: jobs.Claimed) -> dict[str, Any] | None:
    started = time.perf_counter()
    payload = job.payload
    rule = await AutomationRule.filter(id=payload["rule"]).first()
    if rule is None:
        return {"skipped": "the rule was deleted"}
    running = tuple(payload.get("chain") or ())
    depth = len(running) + 1
    actor = rule_actor(rule)
    card = await Card.filter(id=payload["card"], project_id=rule.project_id).first()
    base: dict[str, Any] = {
        "event": payload.get("event") or {},
        "actor": actor.wire(),
        "triggered_by": payload.get("by"),
        "card_id": card.id if card else None,
        "card_title": card.title if card else "",
        "depth": depth,
    }

    async def skipped(reason: str) -> dict[str, Any]:
        row = await traces.record(
            rule, **base, result=traces.SKIPPED, reason=reason, duration_ms=_ms(started)
        )
        return {"trace": row.id, "result": traces.SKIPPED}

    if str(rule.id) in running:
        return {"skipped": "the rule's own change"}
    if not rule.enabled:
        return await skipped("the rule is turned off")
    if depth > chain.MAX_DEPTH:
        return await skipped(
            f"a chain of rules stops at {chain.MAX_DEPTH}: this change came from "
            f"{len(running)} rules in a row"
        )
    if card is None:
        return await skipped("the card no longer exists")
    if not conditions.holds(rule.conditions, await conditions.facts_of(card)):
        return await skipped("its conditions are not met")
    if rule.owner_id is None:
        row = await traces.record(
            rule,
            **base,
            result=traces.FAILURE,
            error="the rule has no owner; a project admin saving it takes it over",
            duration_ms=_ms(started),
        )
        return {"trace": row.id, "result": traces.FAILURE}
    steps, error = await _act(rule, actor, card, running, base["event"])
    result = traces.FAILURE if error else traces.SUCCESS
    row = await traces.record(
        rule, **base, result=result, error=error, steps=steps, duration_ms=_ms(started)
    )
    return {"trace": row.id, "result": result}


async def _act(
    rule: AutomationRule,
    actor: Actor,
    card: Card,
    running: tuple[str, ...],
    event: dict[str, Any],
) -> tuple[list[dict[str, Any]], str | None]:
    """Each action in order; the first that fails stops the rest."""
    steps: list[dict[str, Any]] = []
    error = None
    with chain.acting(running, str(rule.id)):
        for number, action in enumerate(rule.actions, start=1):
            kind = action.get("type", "?")
            if error is not None:
                steps.append({"type": kind, "result": traces.SKIPPED, "detail": "not run"})
                continue
            try:
                done = await actions.run(action, actor=actor, rule=rule, card=card, trace=event)
            except (DomainError, actions.ActionFailed) as exc:
                message = exc.message if isinstance(exc, DomainError) else str(exc)
                error = f"action {number} ({kind}): {message}"
                steps.append({"type": kind, "result": traces.FAILURE, "error": message})
            except Exception as exc:
                log.exception("automation %s: action %s raised", rule.id, kind)
                error = f"action {number} ({kind}): internal error ({type(exc).__name__})"
                steps.append({"type": kind, "result": traces.FAILURE, "error": error})
            else:
                steps.append({"type": kind, "result": traces.SUCCESS, "detail": done})
    return steps, error


@jobs.handler(DUE_KIND)
async def due_reached(job: jobs.Claimed) -> dict[str, Any] | None:
    """Fire the card's due-date rules once, if it still has this due date."""
    payload = job.payload
    card = await Card.filter(id=payload["card"]).first()
    due_at = parse_date(payload["due"])
    if card is None or card.archived:
        return {"skipped": "the card is gone or in the trash"}
    if card.due_date is None or due_at is None or card.due_date != due_at:
        return {"skipped": "the due date changed"}
    try:
        async with in_transaction():
            await AutomationDueMark.create(card_id=card.id, due_at=due_at)
            rules = await AutomationRule.filter(
                project_id=card.project_id, trigger=DUE_DATE_REACHED, enabled=True
            )
            for rule in rules:
                occurrence = Occurrence(DUE_DATE_REACHED, str(card.id), {"dueDate": payload["due"]})
                await queue_run(rule, occurrence, None, (), by=CLOCK)
    except IntegrityError:
        return {"skipped": "already fired"}
    return {"fired": len(rules)}
