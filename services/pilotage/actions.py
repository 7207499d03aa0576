"""Proposed actions: proposed (suggested), reviewed (approved or rejected), applied; and
the trail of each step. Applying performs the action (services/pilotage/catalog.py) in
the same transaction as the status change: both commit, or neither does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from models import ActionTrail, ProposedAction
from services.actors import Actor
from services.boards.access import parse_id
from services.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from services.events import UnitOfWork, enclosing_unit_of_work, unit_of_work
from services.pilotage.access import PilotageAccess, locked_pilotage, pilotage_access
from services.pilotage.catalog import ACTION_TYPES, ActionPayload, ActionType, Context
from services.pilotage.public import action_public, trail_public

STATUSES = ("suggested", "approved", "rejected", "applied")
# Proposals a workspace may hold waiting for review.
MAX_SUGGESTED = 500


def action_type(name: str) -> ActionType[Any]:
    found = ACTION_TYPES.get(name)
    if found is None:
        known = ", ".join(sorted(ACTION_TYPES))
        raise ValidationFailed(
            f"actionType: unknown action '{name[:100]}'; known actions: {known}",
            details={"errors": {"actionType": [f"must be one of {known}"]}},
        )
    return found


def parse_payload(kind: ActionType[Any], payload: Any) -> ActionPayload:
    """The payload as its action type reads it; a payload that does not fit is refused."""
    try:
        parsed: ActionPayload = kind.payload.model_validate(payload or {})
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for err in exc.errors(include_url=False):
            where = ".".join(["payload", *(str(p) for p in err["loc"])])
            errors.setdefault(where, []).append(err["msg"])
        where, messages = next(iter(errors.items()))
        raise ValidationFailed(
            f"{where}: {messages[0]} (for {kind.name})", details={"errors": errors}
        ) from None
    return parsed


async def _action_in(access: PilotageAccess, action_id: Any) -> ProposedAction:
    row = await ProposedAction.filter(
        id=parse_id(action_id, "Action"), workspace_id=access.workspace_id
    ).first()
    if row is None:
        raise NotFound("Action not found")
    return row


async def _trail(
    action: ProposedAction,
    step: str,
    actor: Actor,
    *,
    reason: str | None = None,
    result: dict[str, Any] | None = None,
) -> None:
    await ActionTrail.create(
        action_id=action.id,
        step=step,
        actor_id=actor.user_id,
        actor_name=actor.name[:100],
        actor_kind=actor.kind,
        reason=reason[:500] if reason else None,
        result=result,
    )


async def _emit(
    uow: UnitOfWork, access: PilotageAccess, kind: str, action: ProposedAction, actor: Actor
) -> dict[str, Any]:
    rendered = action_public(action)
    await uow.emit(access.room, kind, {"action": rendered}, actor)
    return rendered


async def propose_action(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    action_type_name: str,
    explanation: str,
    payload: Any,
) -> dict[str, Any]:
    kind = action_type(action_type_name)
    parsed = parse_payload(kind, payload)
    async with unit_of_work() as uow:
        access = await locked_pilotage(uow, actor, org_slug, ws_slug, "propose")
        await kind.check(access, parsed)
        waiting = ProposedAction.filter(workspace_id=access.workspace_id, status="suggested")
        if await waiting.count() >= MAX_SUGGESTED:
            raise Conflict(f"At most {MAX_SUGGESTED} actions can wait for review")
        action = await ProposedAction.create(
            workspace_id=access.workspace_id,
            action_type=kind.name,
            explanation=explanation,
            payload=parsed.model_dump(by_alias=True, exclude_unset=True),
            proposed_by_id=actor.user_id,
        )
        await _trail(action, "proposed", actor, reason=explanation)
        return await _emit(uow, access, "action_proposed", action, actor)


async def list_actions(
    *, actor: Actor, org_slug: str, ws_slug: str, status: str | None = None
) -> list[dict[str, Any]]:
    access = await pilotage_access(actor, org_slug, ws_slug)
    query = ProposedAction.filter(workspace_id=access.workspace_id)
    if status is not None:
        query = query.filter(status=status)
    return [action_public(a) for a in await query.order_by("-created_at", "id").limit(500)]


async def get_action(
    *, actor: Actor, org_slug: str, ws_slug: str, action_id: Any
) -> dict[str, Any]:
    """The action with its trail: who proposed, reviewed and applied it, when and why."""
    access = await pilotage_access(actor, org_slug, ws_slug)
    action = await _action_in(access, action_id)
    steps = await ActionTrail.filter(action_id=action.id).order_by("id")
    return action_public(action) | {"trail": [trail_public(t) for t in steps]}


async def review_action(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    action_id: Any,
    approved: bool,
    reason: str | None = None,
) -> dict[str, Any]:
    async with unit_of_work() as uow:
        access = await locked_pilotage(uow, actor, org_slug, ws_slug, "review")
        action = await _action_in(access, action_id)
        if action.status != "suggested":
            raise Conflict(f"Only a suggested action can be reviewed; this one is {action.status}")
        action.status = "approved" if approved else "rejected"
        action.review_reason = reason
        action.reviewed_at = datetime.now(UTC)
        await action.save()
        await _trail(action, action.status, actor, reason=reason)
        return await _emit(uow, access, "action_reviewed", action, actor)


async def withdraw_action(*, actor: Actor, org_slug: str, ws_slug: str, action_id: Any) -> None:
    """Take back a suggestion nobody has reviewed yet: whoever proposed it may, and so
    may a pilotage owner. Nothing was done, so nothing of it is kept; the workspace's
    room hears `action_withdrawn`."""
    async with unit_of_work() as uow:
        access = await locked_pilotage(uow, actor, org_slug, ws_slug, "read")
        action = await _action_in(access, action_id)
        mine = actor.user_id is not None and action.proposed_by_id == actor.user_id
        if not (mine and access.may("propose")) and not access.may("write"):
            raise Forbidden("Only whoever proposed an action or a pilotage owner can withdraw it")
        if action.status != "suggested":
            raise Conflict(f"Only a suggested action can be withdrawn; this one is {action.status}")
        await action.delete()
        await uow.emit(access.room, "action_withdrawn", {"id": str(action.id)}, actor)


class _NotApplied(Exception):
    """The action itself refused (a card deleted meanwhile, a full column): the whole
    transaction rolls back, then the failure is recorded."""

    def __init__(self, error: DomainError) -> None:
        self.error = error


async def apply_action(
    *, actor: Actor, org_slug: str, ws_slug: str, action_id: Any
) -> dict[str, Any]:
    """Perform an approved action and mark it applied, in one transaction. When the
    action cannot be performed nothing of it stays, the proposal stays approved (so it
    can be applied again once the cause is fixed) and the failure joins its trail."""
    try:
        async with enclosing_unit_of_work() as uow:
            access = await locked_pilotage(uow, actor, org_slug, ws_slug, "apply")
            action = await _action_in(access, action_id)
            if action.status != "approved":
                raise Conflict(
                    f"Only an approved action can be applied; this one is {action.status}"
                )
            try:
                # A type or a payload this release no longer knows is a failure too.
                kind = action_type(action.action_type)
                payload = parse_payload(kind, action.payload)
                await kind.check(access, payload)
                result = await kind.run(Context(uow=uow, access=access, actor=actor), payload)
            except DomainError as exc:
                raise _NotApplied(exc) from None
            action.status = "applied"
            action.applied_at = datetime.now(UTC)
            action.result = result
            action.last_error = None
            await action.save()
            await _trail(action, "applied", actor, result=result)
            return await _emit(uow, access, "action_applied", action, actor)
    except _NotApplied as failed:
        await _record_failure(actor, org_slug, ws_slug, action_id, failed.error)
        raise Conflict(
            f"The action could not be applied: {failed.error.message}",
            details={"cause": failed.error.code},
        ) from None


async def _record_failure(
    actor: Actor, org_slug: str, ws_slug: str, action_id: Any, error: DomainError
) -> None:
    async with unit_of_work() as uow:
        access = await locked_pilotage(uow, actor, org_slug, ws_slug, "apply")
        action = await _action_in(access, action_id)
        action.last_error = error.message[:500]
        await action.save()
        await _trail(action, "failed", actor, reason=error.message)
        await _emit(uow, access, "action_failed", action, actor)
