"""The conditions language: a JSON tree of tests on a card, combined with all / any /
not, checked when a rule is saved and evaluated on the card as it is when the rule runs.

    {"all": [{"field": "priority", "op": "eq", "value": "high"},
             {"not": {"field": "label", "op": "has", "value": "<label id>"}}]}

A test is {"field", "op", "value"?}; `FIELDS` lists what each field takes. Groups nest
at most `MAX_DEPTH - 1` deep and hold at most `MAX_ITEMS` conditions each.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models import Card, CardLabel, ChecklistItem
from services.boards.cards import parse_date
from services.errors import Invalid, invalid_field

MAX_DEPTH = 4  # a leaf under three nested groups
MAX_ITEMS = 10  # conditions per group
MAX_CHOICES = 50  # values of an `in` test

GROUPS = ("all", "any", "not")
PRIORITIES = ("low", "medium", "high")
_PRESENCE = ("is_set", "is_empty")
_EQUALITY = ("eq", "ne")
_TEXT = ("eq", "ne", "contains", "not_contains")
_ORDER = ("eq", "ne", "gt", "gte", "lt", "lte")

# Each field and the operators it takes. A value is an id of this project (column,
# label, assignee), a priority, a text, a date or a percent, as its operator needs.
FIELDS: dict[str, tuple[str, ...]] = {
    "column": ("eq", "ne", "in", "not_in"),
    "label": ("has", "lacks", *_PRESENCE),
    "assignee": (*_EQUALITY, *_PRESENCE),
    "priority": ("eq", "ne", "in", "not_in", *_PRESENCE),
    "title": _TEXT,
    "description": (*_TEXT, *_PRESENCE),
    "dueDate": ("before", "after", *_PRESENCE),
    "startDate": ("before", "after", *_PRESENCE),
    "estimate": (*_EQUALITY, *_PRESENCE),
    "checklistProgress": (*_ORDER, *_PRESENCE),
}
# Fields whose values name something of the project, and what.
ID_FIELDS = {"column": "column", "label": "label", "assignee": "member"}


@dataclass(frozen=True)
class CardFacts:
    """What conditions may test of a card."""

    column: str
    labels: frozenset[str]
    assignee: str | None
    priority: str | None
    title: str
    description: str
    due_date: datetime | None
    start_date: datetime | None
    estimate: str | None
    checklist_progress: int | None

    def value(self, field: str) -> Any:
        return {
            "column": self.column,
            "label": self.labels,
            "assignee": self.assignee,
            "priority": self.priority,
            "title": self.title,
            "description": self.description,
            "dueDate": self.due_date,
            "startDate": self.start_date,
            "estimate": self.estimate,
            "checklistProgress": self.checklist_progress,
        }[field]


async def facts_of(card: Card) -> CardFacts:
    labels = await CardLabel.filter(card_id=card.id).values_list("label_id", flat=True)
    items = await ChecklistItem.filter(card_id=card.id).values_list("done", flat=True)
    progress = round(100 * sum(1 for d in items if d) / len(items)) if items else None
    return CardFacts(
        column=str(card.column_id),
        labels=frozenset(str(x) for x in labels),
        assignee=str(card.assignee_id) if card.assignee_id else None,
        priority=card.priority,
        title=card.title,
        description=card.description or "",
        due_date=card.due_date,
        start_date=card.start_date,
        estimate=card.estimate,
        checklist_progress=progress,
    )


def check(node: Any, path: str = "conditions", depth: int = 1) -> None:
    """Refuse a tree that is not in the language, naming where and why (the REST edge's
    schema says the same; this holds for every other caller)."""
    if not isinstance(node, dict):
        raise _bad(path, "must be an object: a test, or a group (all, any, not)")
    groups = [k for k in GROUPS if k in node]
    if groups:
        if len(node) != 1:
            raise _bad(path, "a group has exactly one key: all, any or not")
        if depth >= MAX_DEPTH:
            raise _bad(path, f"groups nest at most {MAX_DEPTH - 1} deep")
        key = groups[0]
        if key == "not":
            check(node["not"], f"{path}.not", depth + 1)
            return
        items = node[key]
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
            raise _bad(f"{path}.{key}", f"must list 1-{MAX_ITEMS} conditions")
        for i, item in enumerate(items):
            check(item, f"{path}.{key}.{i}", depth + 1)
        return
    field, op = node.get("field"), node.get("op")
    if field not in FIELDS:
        raise _bad(path, f"unknown field {field!r}; fields are {', '.join(FIELDS)}")
    if op not in FIELDS[field]:
        raise _bad(path, f"{field} takes the operators {', '.join(FIELDS[field])}")
    extra = set(node) - {"field", "op", "value"}
    if extra:
        raise _bad(path, f"unknown key {sorted(extra)[0]!r}")
    _check_value(field, op, node.get("value"), "value" in node, f"{path}.value")


def _check_value(field: str, op: str, value: Any, sent: bool, path: str) -> None:
    if op in _PRESENCE:
        if sent:
            raise _bad(path, f"{op} takes no value")
        return
    if not sent:
        raise _bad(path, "is required")
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_CHOICES:
            raise _bad(path, f"must list 1-{MAX_CHOICES} values")
        for i, one in enumerate(value):
            _check_one(field, op, one, f"{path}.{i}")
        return
    _check_one(field, op, value, path)


def _check_one(field: str, op: str, value: Any, path: str) -> None:
    if field in ID_FIELDS:
        if not is_uuid(value):
            raise _bad(path, f"must be the id of a {ID_FIELDS[field]}")
    elif field == "priority":
        if value not in PRIORITIES:
            raise _bad(path, "must be low, medium or high")
    elif field in ("dueDate", "startDate"):
        try:
            parse_date(value)
        except Invalid:
            raise _bad(path, "must be a date (YYYY-MM-DD) or a date-time") from None
    elif field == "checklistProgress":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise _bad(path, "must be a whole percent, 0-100")
    elif not isinstance(value, str) or not 1 <= len(value) <= 200:
        raise _bad(path, "must be a text of 1-200 characters")


def is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _bad(path: str, message: str) -> Invalid:
    return invalid_field(path, message)


def references(node: Any, path: str = "conditions") -> Iterator[tuple[str, str, str]]:
    """(kind, id, where) of every column, label and member a tree names."""
    if not isinstance(node, dict):
        return
    for key in ("all", "any"):
        if key in node:
            for i, item in enumerate(node[key]):
                yield from references(item, f"{path}.{key}.{i}")
            return
    if "not" in node:
        yield from references(node["not"], f"{path}.not")
        return
    kind = ID_FIELDS.get(node.get("field", ""))
    if kind is None or "value" not in node:
        return
    value = node["value"]
    if isinstance(value, list):
        for i, one in enumerate(value):
            yield kind, str(one).lower(), f"{path}.value.{i}"
    else:
        yield kind, str(value).lower(), f"{path}.value"


def holds(node: dict[str, Any] | None, card: CardFacts) -> bool:
    """Whether the card meets the conditions (no conditions: always)."""
    if node is None:
        return True
    if "all" in node:
        return all(holds(n, card) for n in node["all"])
    if "any" in node:
        return any(holds(n, card) for n in node["any"])
    if "not" in node:
        return not holds(node["not"], card)
    return _test(node["field"], node["op"], node.get("value"), card)


def _test(field: str, op: str, value: Any, card: CardFacts) -> bool:
    have = card.value(field)
    if op == "is_set":
        return bool(have) if field in ("label", "description") else have is not None
    if op == "is_empty":
        return not have if field in ("label", "description") else have is None
    if field in ID_FIELDS:  # ids compare in their canonical, lower-case form
        value = [str(v).lower() for v in value] if isinstance(value, list) else str(value).lower()
    if field == "label":
        return (value in have) == (op == "has")
    if op in ("in", "not_in"):
        return (have in [str(v) for v in value]) == (op == "in")
    if field in ("dueDate", "startDate"):
        when = parse_date(value)
        if have is None or when is None:
            return False
        return bool(have < when if op == "before" else have > when)
    if op in ("contains", "not_contains"):
        found = str(value).casefold() in (have or "").casefold()
        return found == (op == "contains")
    if field in ("title", "description") and op in _EQUALITY:
        same = (have or "").casefold() == str(value).casefold()
        return same == (op == "eq")
    if op in _EQUALITY:
        same = have == (str(value) if field != "checklistProgress" else value)
        return bool(same == (op == "eq"))
    if have is None:
        return False
    return bool(
        {
            "gt": have > value,
            "gte": have >= value,
            "lt": have < value,
            "lte": have <= value,
        }[op]
    )
