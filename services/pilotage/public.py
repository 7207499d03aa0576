"""How pilotage rows look on the wire (seed 001's camelCase objects)."""

from __future__ import annotations

from typing import Any

from models import ActionTrail, ActiveDoc, Decision, Mission, Priority, ProposedAction, Todo
from services.timefmt import iso


def _stamps(row: Any) -> dict[str, Any]:
    return {"createdAt": iso(row.created_at), "updatedAt": iso(row.updated_at)}


def _ref(value: Any) -> str | None:
    return str(value) if value is not None else None


def mission_public(m: Mission) -> dict[str, Any]:
    return {
        "id": str(m.id),
        "objective": m.objective,
        "module": m.module,
        "status": m.status,
        "blockedReason": m.blocked_reason,
        **_stamps(m),
    }


def priority_public(p: Priority) -> dict[str, Any]:
    return {"id": str(p.id), "label": p.label, "module": p.module, "active": p.active, **_stamps(p)}


def todo_public(t: Todo) -> dict[str, Any]:
    return {
        "id": str(t.id),
        "label": t.label,
        "missionId": _ref(t.mission_id),
        "priorityId": _ref(t.priority_id),
        "status": t.status,
        **_stamps(t),
    }


def decision_public(d: Decision) -> dict[str, Any]:
    return {"id": str(d.id), "title": d.title, "impact": d.impact, **_stamps(d)}


def doc_public(d: ActiveDoc) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "title": d.title,
        "owner": d.owner,
        "sourceType": d.source_type,
        "url": d.url,
        **_stamps(d),
    }


def action_public(a: ProposedAction) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "actionType": a.action_type,
        "explanation": a.explanation,
        "status": a.status,
        "payload": a.payload,
        "proposedBy": _ref(a.proposed_by_id),
        "reviewReason": a.review_reason,
        "reviewedAt": iso(a.reviewed_at),
        "appliedAt": iso(a.applied_at),
        "result": a.result,
        "lastError": a.last_error,
        **_stamps(a),
    }


def trail_public(t: ActionTrail) -> dict[str, Any]:
    return {
        "step": t.step,
        "actor": {"id": _ref(t.actor_id), "name": t.actor_name, "kind": t.actor_kind},
        "reason": t.reason,
        "result": t.result,
        "at": iso(t.at),
    }
