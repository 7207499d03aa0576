"""The trace of every execution: written once per run, read newest first."""

from __future__ import annotations

from typing import Any

from models import AutomationRule, AutomationTrace
from services.timefmt import iso

SUCCESS, FAILURE, SKIPPED = "success", "failure", "skipped"
LIMIT_DEFAULT, LIMIT_MAX = 50, 100
# Traces kept per rule: the newest; older ones go as new ones come.
KEPT = 1000


def trace_public(row: AutomationTrace, rule_name: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "ruleId": str(row.rule_id),
        "ruleName": rule_name,
        "trigger": row.trigger,
        "event": row.event,
        "actor": row.actor,
        "triggeredBy": row.triggered_by,
        "cardId": str(row.card_id) if row.card_id else None,
        "cardTitle": row.card_title,
        "result": row.result,
        "reason": row.reason,
        "error": row.error,
        "actions": list(row.steps),
        "depth": row.depth,
        "durationMs": row.duration_ms,
        "createdAt": iso(row.created_at),
    }


async def record(
    rule: AutomationRule,
    *,
    event: dict[str, Any],
    actor: dict[str, Any],
    triggered_by: dict[str, Any] | None,
    card_id: Any,
    card_title: str,
    result: str,
    depth: int,
    duration_ms: int,
    reason: str | None = None,
    error: str | None = None,
    steps: list[dict[str, Any]] | None = None,
) -> AutomationTrace:
    row = await AutomationTrace.create(
        rule_id=rule.id,
        project_id=rule.project_id,
        trigger=rule.trigger,
        event=event,
        actor=actor,
        triggered_by=triggered_by,
        card_id=card_id,
        card_title=card_title[:500],
        result=result,
        reason=reason,
        error=error,
        steps=steps or [],
        depth=depth,
        duration_ms=duration_ms,
    )
    boundary = (
        await AutomationTrace.filter(rule_id=rule.id)
        .order_by("-id")
        .offset(KEPT - 1)
        .limit(1)
        .values_list("id", flat=True)
    )
    if boundary:
        await AutomationTrace.filter(rule_id=rule.id, id__lt=boundary[0]).delete()
    return row


async def list_traces(
    rule: AutomationRule, *, limit: int = LIMIT_DEFAULT, before: int | None = None
) -> list[dict[str, Any]]:
    query = AutomationTrace.filter(rule_id=rule.id)
    if before is not None:
        query = query.filter(id__lt=before)
    rows = await query.order_by("-id").limit(max(1, min(limit, LIMIT_MAX)))
    return [trace_public(r, rule.name) for r in rows]
