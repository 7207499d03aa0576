"""The portfolio: every project the caller can see, with its progress in numbers.

A handful of grouped queries cover all projects at once, however many cards they hold.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from tortoise.functions import Count, Max

from models import Card, Column, ProjectMember, RoomEvent
from services.actors import Actor
from services.boards.access import board_room
from services.boards.projects import visible_projects
from services.timefmt import iso


def _completion(done: int, active: int) -> int:
    return round(100 * done / active) if active else 0


async def portfolio(*, actor: Actor, org_slug: str, ws_slug: str) -> dict[str, Any]:
    rows = await visible_projects(actor=actor, org_slug=org_slug, ws_slug=ws_slug)
    ids = [p.id for p, _ in rows]
    keys = [str(i) for i in ids]

    # Columns are few per project; the last one (highest order) counts as "done".
    columns = await Column.filter(project_id__in=ids).values_list("id", "project_id", "order")
    column_count: dict[str, int] = defaultdict(int)
    last: dict[str, tuple[int, Any]] = {}
    for col_id, pid, order in columns:
        key = str(pid)
        column_count[key] += 1
        if key not in last or order > last[key][0]:
            last[key] = (order, col_id)
    done_columns = [col for _, col in last.values()]

    by_state = (
        await Card.filter(project_id__in=ids)
        .annotate(n=Count("id"), touched=Max("updated_at"))
        .group_by("project_id", "archived")
        .values_list("project_id", "archived", "n", "touched")
    )
    done = (
        await Card.filter(column_id__in=done_columns, archived=False)
        .annotate(n=Count("id"))
        .group_by("project_id")
        .values_list("project_id", "n")
    )
    overdue = (
        await Card.filter(project_id__in=ids, archived=False, due_date__lt=datetime.now(UTC))
        .exclude(column_id__in=done_columns)
        .annotate(n=Count("id"))
        .group_by("project_id")
        .values_list("project_id", "n")
    )
    members = (
        await ProjectMember.filter(project_id__in=ids)
        .annotate(n=Count("id"))
        .group_by("project_id")
        .values_list("project_id", "n")
    )
    rooms = {board_room(k): k for k in keys}
    events = (
        await RoomEvent.filter(room__in=list(rooms))
        .annotate(last=Max("at"))
        .group_by("room")
        .values_list("room", "last")
    )

    active: dict[str, int] = defaultdict(int)
    archived: dict[str, int] = defaultdict(int)
    latest: dict[str, list[datetime]] = defaultdict(list)
    for pid, is_archived, n, touched in by_state:
        (archived if is_archived else active)[str(pid)] += int(n)
        if touched is not None:
            latest[str(pid)].append(touched)
    for room, at in events:
        if at is not None:
            latest[rooms[room]].append(at)
    done_n = {str(pid): int(n) for pid, n in done}
    overdue_n = {str(pid): int(n) for pid, n in overdue}
    member_n = {str(pid): int(n) for pid, n in members}

    projects: list[dict[str, Any]] = []
    for project, role in rows:
        key = str(project.id)
        stamps = [_aware(t) for t in [project.updated_at, *latest[key]]]
        d = done_n.get(key, 0)
        projects.append(
            {
                "id": key,
                "name": project.name,
                "description": project.description,
                "role": role,
                "cardCount": active[key] + archived[key],
                "openCards": active[key] - d,
                "doneCards": d,
                "archivedCards": archived[key],
                "overdueCards": overdue_n.get(key, 0),
                "completion": _completion(d, active[key]),
                "memberCount": member_n.get(key, 0),
                "columnCount": column_count[key],
                "createdAt": iso(project.created_at),
                "lastActivityAt": iso(max(stamps)),
            }
        )
    totals: dict[str, int] = {
        name: sum(p[name] for p in projects)
        for name in ("cardCount", "openCards", "doneCards", "archivedCards", "overdueCards")
    }
    active_total = totals["openCards"] + totals["doneCards"]
    return {
        "projects": projects,
        "totals": {
            "projectCount": len(projects),
            **totals,
            "completion": _completion(totals["doneCards"], active_total),
        },
    }


def _aware(value: datetime) -> datetime:
    # SQLite may hand back naive datetimes; they are stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
