"""Project templates: the columns (and labels) a new project starts with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_TEMPLATE = "kanban"


@dataclass(frozen=True)
class TemplateColumn:
    name: str
    wip_limit: int | None = None


@dataclass(frozen=True)
class TemplateLabel:
    name: str
    color: str


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    description: str
    columns: tuple[TemplateColumn, ...]
    labels: tuple[TemplateLabel, ...] = ()


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            key="kanban",
            name="Kanban",
            description="A simple flow from to-do to done.",
            columns=(
                TemplateColumn("To Do"),
                TemplateColumn("In Progress"),
                TemplateColumn("Done"),
            ),
        ),
        Template(
            key="scrum",
            name="Scrum",
            description="Sprint work with a limit on what is in progress at once.",
            columns=(
                TemplateColumn("Backlog"),
                TemplateColumn("Sprint"),
                TemplateColumn("In Progress", wip_limit=5),
                TemplateColumn("Review", wip_limit=3),
                TemplateColumn("Done"),
            ),
        ),
        Template(
            key="bug-triage",
            name="Bug triage",
            description="From a fresh report to a verified fix.",
            columns=(
                TemplateColumn("New"),
                TemplateColumn("Triaged"),
                TemplateColumn("Fixing", wip_limit=5),
                TemplateColumn("Verifying"),
                TemplateColumn("Closed"),
            ),
            labels=(
                TemplateLabel("bug", "#ef4444"),
                TemplateLabel("regression", "#f97316"),
                TemplateLabel("critical", "#7f1d1d"),
            ),
        ),
    )
}


def template_public(t: Template) -> dict[str, Any]:
    return {
        "id": t.key,
        "name": t.name,
        "description": t.description,
        "columns": [
            {"name": c.name, "order": i, "wipLimit": c.wip_limit} for i, c in enumerate(t.columns)
        ],
        "labels": [{"name": lb.name, "color": lb.color} for lb in t.labels],
    }


def list_templates() -> list[dict[str, Any]]:
    return [template_public(t) for t in TEMPLATES.values()]
