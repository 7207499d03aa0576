"""Project export and import as one JSON snapshot.

An import creates a new project in a single transaction: it is checked whole before
the first row is written, and any failure leaves nothing behind.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from fractional_indexing import generate_n_keys_between

from models import (
    Card,
    CardLabel,
    ChecklistItem,
    Column,
    CustomField,
    CustomFieldValue,
    Label,
    Project,
    ProjectMember,
)
from services.actors import Actor
from services.auth import require_user
from services.boards.access import board_room, project_access, workspace_access
from services.boards.custom_fields import check_value
from services.boards.projects import project_public
from services.errors import Invalid, ValidationFailed
from services.events import unit_of_work
from services.timefmt import iso

EXPORT_VERSION = 1
MAX_COLUMNS = 50
MAX_CARDS = 500
MAX_LABELS = 200
MAX_CUSTOM_FIELDS = 100
DEFAULT_LABEL_COLOR = "#6b7280"
FIELD_TYPES = ("text", "number", "select", "multi-select", "date", "boolean")
_BATCH = 100


async def export_project(
    *, actor: Actor, org_slug: str, ws_slug: str, project_id: Any
) -> dict[str, Any]:
    """Everything needed to rebuild the board elsewhere; ids and people are left out."""
    access = await project_access(actor, org_slug, ws_slug, project_id)
    pid = access.project.id
    columns = await Column.filter(project_id=pid).order_by("order", "created_at", "id")
    index_of = {c.id: i for i, c in enumerate(columns)}
    cards = await Card.filter(project_id=pid).order_by("position", "id")
    labels = await Label.filter(project_id=pid).order_by("created_at", "name", "id")
    label_name = {lb.id: lb.name for lb in labels}
    fields = await CustomField.filter(project_id=pid).order_by("position", "created_at", "id")
    field_name = {f.id: f.name for f in fields}

    checklist: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for item in await ChecklistItem.filter(card__project_id=pid).order_by("order", "created_at"):
        checklist[item.card_id].append(
            {"title": item.title, "done": item.done, "order": item.order}
        )
    card_labels: dict[Any, list[str]] = defaultdict(list)
    for card_id, label_id in await CardLabel.filter(card__project_id=pid).values_list(
        "card_id", "label_id"
    ):
        card_labels[card_id].append(label_name[label_id])
    values: dict[Any, dict[str, Any]] = defaultdict(dict)
    for card_id, field_id, value in await CustomFieldValue.filter(card__project_id=pid).values_list(
        "card_id", "field_id", "value"
    ):
        values[card_id][field_name[field_id]] = value

    # As on the board: a card's order counts within its column among the live cards,
    # or among the archived ones; live cards are listed first.
    by_column: dict[tuple[int, bool], list[Card]] = defaultdict(list)
    for card in cards:
        by_column[(index_of[card.column_id], card.archived)].append(card)
    exported_cards = [
        {
            "title": card.title,
            "description": card.description,
            "columnIndex": group[0],
            "order": order,
            "priority": card.priority,
            "startDate": iso(card.start_date),
            "dueDate": iso(card.due_date),
            "archived": card.archived,
            "estimate": card.estimate,
            "checklist": checklist[card.id],
            "labels": sorted(card_labels[card.id]),
            "customFields": values[card.id],
        }
        for group in sorted(by_column)
        for order, card in enumerate(by_column[group])
    ]
    return {
        "version": EXPORT_VERSION,
        "exportedAt": iso(datetime.now(UTC)),
        "project": {"name": access.project.name, "description": access.project.description},
        "columns": [
            {"name": c.name, "order": i, "wipLimit": c.wip_limit} for i, c in enumerate(columns)
        ],
        "cards": exported_cards,
        "labels": [{"name": lb.name, "color": lb.color} for lb in labels],
        "customFields": [{"name": f.name, "type": f.type, "options": f.options} for f in fields],
    }


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(f"{field}: {message}", details={"errors": {field: [message]}})


def _when(value: Any, field: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise _invalid(field, "must be an ISO-8601 date") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _checked_value(spec: CustomField, value: Any, field: str) -> Any:
    """The value as the custom-field rules store it; an import error names the card."""
    try:
        return check_value(spec, value)
    except ValidationFailed as exc:
        message = exc.message.split(": ", 1)[-1]
        raise _invalid(field, message) from None


def _check_limits(data: dict[str, Any]) -> None:
    columns, cards = data.get("columns") or [], data.get("cards") or []
    if not columns:
        raise _invalid("columns", "an import needs at least one column")
    if len(columns) > MAX_COLUMNS:
        raise _invalid(
            "columns", f"at most {MAX_COLUMNS} columns can be imported, got {len(columns)}"
        )
    if len(cards) > MAX_CARDS:
        raise _invalid("cards", f"at most {MAX_CARDS} cards can be imported, got {len(cards)}")
    if len(data.get("labels") or []) > MAX_LABELS:
        raise _invalid("labels", f"at most {MAX_LABELS} labels can be imported")
    if len(data.get("customFields") or []) > MAX_CUSTOM_FIELDS:
        raise _invalid("customFields", f"at most {MAX_CUSTOM_FIELDS} custom fields can be imported")


async def import_project(
    *, actor: Actor, org_slug: str, ws_slug: str, data: dict[str, Any]
) -> dict[str, Any]:
    """A new project from an export-shaped snapshot (camelCase keys, as exported).
    Any workspace member may import; they become the new project's admin."""
    user_id = require_user(actor)
    ws = await workspace_access(actor, org_slug, ws_slug)
    if data.get("version") not in (None, EXPORT_VERSION):
        raise _invalid("version", f"only version {EXPORT_VERSION} exports can be imported")
    _check_limits(data)
    columns: list[dict[str, Any]] = data["columns"]
    cards: list[dict[str, Any]] = data.get("cards") or []

    labels: dict[str, str] = {}
    for lb in data.get("labels") or []:
        labels.setdefault(lb["name"], lb.get("color") or DEFAULT_LABEL_COLOR)
    fields: dict[str, CustomField] = {}
    for i, f in enumerate(data.get("customFields") or []):
        if f["name"] in fields:
            raise _invalid(f"customFields.{i}.name", f"'{f['name']}' is defined twice")
        if f["type"] not in FIELD_TYPES:
            raise _invalid(f"customFields.{i}.type", f"must be one of: {', '.join(FIELD_TYPES)}")
        fields[f["name"]] = CustomField(
            id=uuid.uuid4(), name=f["name"], type=f["type"], options=list(f.get("options") or [])
        )

    # Check every card before writing anything, so a bad card 499 costs no cleanup.
    per_column: dict[int, list[tuple[bool, int, int, dict[str, Any]]]] = defaultdict(list)
    for i, card in enumerate(cards):
        col = card.get("columnIndex", 0)
        if not isinstance(col, int) or not 0 <= col < len(columns):
            raise _invalid(
                f"cards.{i}.columnIndex",
                f"must name one of the {len(columns)} columns (0 to {len(columns) - 1})",
            )
        for name in card.get("labels") or []:
            labels.setdefault(name, DEFAULT_LABEL_COLOR)
        values: dict[str, Any] = {}
        for name, value in (card.get("customFields") or {}).items():
            if name not in fields:
                raise _invalid(f"cards.{i}.customFields", f"no custom field named '{name}'")
            if value is not None:
                where = f"cards.{i}.customFields.{name}"
                values[name] = _checked_value(fields[name], value, where)
        card = {**card, "customFields": values}
        _when(card.get("startDate"), f"cards.{i}.startDate")
        _when(card.get("dueDate"), f"cards.{i}.dueDate")
        order = card.get("order")
        rank = order if isinstance(order, int) else i
        per_column[col].append((bool(card.get("archived", False)), rank, i, card))

    async with unit_of_work() as uow:
        project = await Project.create(
            workspace_id=ws.workspace.id,
            name=data["project"]["name"],
            description=data["project"].get("description") or "",
            created_by_id=user_id,
        )
        await uow.lock(board_room(project.id), create=True)
        await ProjectMember.create(project_id=project.id, user_id=user_id, role="admin")
        column_rows = [
            Column(
                id=uuid.uuid4(),
                project_id=project.id,
                name=c["name"],
                order=i,
                wip_limit=c.get("wipLimit"),
            )
            for i, c in enumerate(columns)
        ]
        await Column.bulk_create(column_rows, batch_size=_BATCH)
        label_rows = {
            name: Label(id=uuid.uuid4(), project_id=project.id, name=name, color=color)
            for name, color in labels.items()
        }
        await Label.bulk_create(list(label_rows.values()), batch_size=_BATCH)
        for i, spec in enumerate(fields.values()):
            spec.project_id = project.id
            spec.position = i
        await CustomField.bulk_create(list(fields.values()), batch_size=_BATCH)

        card_rows: list[Card] = []
        items: list[ChecklistItem] = []
        links: list[CardLabel] = []
        field_values: list[CustomFieldValue] = []
        now = datetime.now(UTC)
        for col, entries in per_column.items():
            entries.sort(key=lambda e: (e[0], e[1], e[2]))
            keys = generate_n_keys_between(None, None, len(entries))
            for key, (_, _, _, card) in zip(keys, entries, strict=True):
                archived = bool(card.get("archived", False))
                row = Card(
                    id=uuid.uuid4(),
                    project_id=project.id,
                    column_id=column_rows[col].id,
                    title=card["title"],
                    description=card.get("description") or "",
                    priority=card.get("priority"),
                    start_date=_when(card.get("startDate"), "startDate"),
                    due_date=_when(card.get("dueDate"), "dueDate"),
                    position=key,
                    archived=archived,
                    archived_at=now if archived else None,
                    estimate=card.get("estimate"),
                    created_by_id=user_id,
                )
                card_rows.append(row)
                for n, item in enumerate(card.get("checklist") or []):
                    items.append(
                        ChecklistItem(
                            card_id=row.id,
                            title=item["title"],
                            done=bool(item.get("done", False)),
                            order=n if item.get("order") is None else item["order"],
                        )
                    )
                for name in dict.fromkeys(card.get("labels") or []):
                    links.append(CardLabel(card_id=row.id, label_id=label_rows[name].id))
                for name, value in card["customFields"].items():
                    stored = CustomFieldValue(card_id=row.id, field_id=fields[name].id)
                    # The JSON text itself, set after construction: Tortoise takes a str
                    # given to a JSON field as already-encoded JSON, so "M" alone would fail.
                    stored.value = json.dumps(value)
                    field_values.append(stored)
        await Card.bulk_create(card_rows, batch_size=_BATCH)
        await ChecklistItem.bulk_create(items, batch_size=_BATCH)
        await CardLabel.bulk_create(links, batch_size=_BATCH)
        await CustomFieldValue.bulk_create(field_values, batch_size=_BATCH)
    result = project_public(project, "admin")
    result["imported"] = {
        "columns": len(column_rows),
        "cards": len(card_rows),
        "labels": len(label_rows),
        "customFields": len(fields),
    }
    return result
