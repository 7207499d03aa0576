"""How the wizard thinks: readiness from the built-in rules, questions and roadmap from
the AI provider in use (services/ai/), which is the same rules unless a model is set.

The readiness that gates a roadmap stays with the rules, so it rises with the answers
in the same way whatever model is configured; a model only phrases the questions and
plans the phases, and its answers are checked against the same schemas as the rules'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.ai import provider as ai
from services.wizard import rules
from services.wizard.ai_tasks import (
    QUESTIONS_TASK,
    ROADMAP_TASK,
    DraftContext,
    Questions,
    Roadmap,
)
from services.wizard.rules import DraftText

# What a model reads of each context text.
CONTEXT_CHARS_FOR_MODEL = 6_000


@dataclass(frozen=True)
class Assessed:
    readiness: int
    coverage: dict[str, int]
    questions: list[dict[str, str]]
    engine: str


def _context(draft: DraftText, missing: list[str]) -> DraftContext:
    return DraftContext(
        name=draft.name,
        description=draft.description,
        context=[c[:CONTEXT_CHARS_FOR_MODEL] for c in draft.context],
        answers=draft.answers,
        missing_topics=missing,
    )


async def assess(draft: DraftText) -> Assessed:
    found = rules.assess(draft)
    missing = [t for t, percent in found.coverage.items() if percent < 100]
    if not missing:
        return Assessed(found.readiness, found.coverage, [], ai.BUILTIN)
    asked = await ai.current().suggest(QUESTIONS_TASK, _context(draft, missing), Questions)
    questions = [q.model_dump() for q in asked.questions]
    return Assessed(found.readiness, found.coverage, questions, asked.provider)


async def roadmap(draft: DraftText) -> tuple[dict[str, Any], str]:
    """The phases, and who planned them (builtin, llm:<model> or builtin:fallback)."""
    planned = await ai.current().suggest(ROADMAP_TASK, _context(draft, []), Roadmap)
    phases = [p.model_dump(by_alias=True) for p in planned.phases]
    return {"phases": phases}, planned.provider
