"""The wizard's built-in roadmap: phases from the draft's goals, features and answers.

Discovery (the goal, the users, the constraints and risks to check), the build (a
deliverable per feature, from the scope answer, bullet points and feature-like
sentences), then the launch (the key date, the success measures). Deterministic.
"""

from __future__ import annotations

import re
from typing import Any

from services.wizard.rules import DraftText, answer_credit, mentions

_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+(.*\S)\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_FEATURE_HINT = re.compile(
    r"\b(users? can|can|should|must|will|allow(s|ing)?|support(s|ing)?|let(s)?|"
    r"enable(s)?|provide(s)?|add|build|create|show|send|track|manage|import|export)\b",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"^(we (want|need|plan) to|(the|our) [\w -]{1,40}? (should|must|will|can)|"
    r"it (should|must|will|can)|users? (should be able to|can)|(we|it) will|must|should|"
    r"allow users to|let users)\s+(also\s+)?",
    re.IGNORECASE,
)
# Sentences that state a topic (the goal, a date, a risk) rather than a feature.
_NOT_A_FEATURE = re.compile(
    r"\b(goal|aim|objective|purpose|deadline|risk|budget|success|measure|target|kpi|"
    r"constraint|so that|in order to)\b",
    re.IGNORECASE,
)
MAX_DELIVERABLES_PER_PHASE = 12
MAX_FEATURES = 2 * MAX_DELIVERABLES_PER_PHASE
TITLE_MAX = 120


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _items(text: str) -> tuple[list[str], bool]:
    """The bullet points of a text (and True), or else its sentences (and False)."""
    lines = text.splitlines()
    bullets = [m.group(1) for line in lines if (m := _BULLET.match(line))]
    if bullets:
        return bullets, True
    flat = " ".join(line.strip() for line in lines if line.strip())
    return [s.strip() for s in _SENTENCE_END.split(flat) if s.strip()], False


def _lines(text: str) -> list[str]:
    return _items(text)[0]


def _answer_items(text: str) -> list[str]:
    """An answer's bullet points, or else its lines."""
    items, bullets = _items(text)
    return items if bullets else [line.strip() for line in text.splitlines() if line.strip()]


def _as_title(item: str) -> str:
    item = _LEAD_IN.sub("", item.strip().rstrip(".!;"))
    item = item[:1].upper() + item[1:]
    return _clip(item, TITLE_MAX)


def features(draft: DraftText) -> list[str]:
    """The features the draft describes: the scope answer's lines first, then the bullet
    points and feature-like sentences of the description and the context."""
    found: list[str] = []
    answered = 0
    scope = draft.answers.get("scope", "")
    if answer_credit(scope):
        parts = _answer_items(scope)
        if len(parts) == 1:
            parts = [p for p in re.split(r",|;|\band\b", parts[0]) if p.strip()]
        answered = len(parts)
        found.extend(parts)
    for text in [draft.description, *draft.context]:
        items, bullets = _items(text)
        for item in items:
            if bullets or (_FEATURE_HINT.search(item) and not _NOT_A_FEATURE.search(item)):
                found.append(item)
    titles: dict[str, str] = {}
    for n, item in enumerate(found):
        title = _as_title(item)
        # A one-word sentence is noise in a description, but not in a list of features.
        if (n < answered or len(title.split()) >= 2) and title.lower() not in titles:
            titles[title.lower()] = title
    return list(titles.values())[:MAX_FEATURES]


def _first_sentence(text: str) -> str:
    """The first sentence of a text's prose, its bullet points left aside."""
    prose = "\n".join(line for line in text.splitlines() if not _BULLET.match(line))
    items = _lines(prose)
    return items[0] if items else ""


def _deliverable(title: str, description: str, hints: list[str]) -> dict[str, Any]:
    return {
        "title": _clip(title, TITLE_MAX),
        "description": _clip(description, 2000),
        "acceptanceHints": [_clip(h, 200) for h in hints if h][:5],
    }


def _discovery(draft: DraftText) -> dict[str, Any]:
    a = draft.answers
    goal = a.get("goal") or _first_sentence(draft.description) or draft.name
    out = [
        _deliverable(
            "Confirm the goal and how success is measured",
            f"Agree on the goal with the people it serves: {goal}",
            [
                "The goal is written in one or two sentences everyone agrees with",
                f"Success is measured by: {a['success']}"
                if a.get("success")
                else "At least one measure of success has a target",
            ],
        )
    ]
    if a.get("users") or mentions(draft.body, "users"):
        who = a.get("users") or "the people named in the description"
        out.append(
            _deliverable(
                "Map the users and their needs",
                f"Talk to {who} and write down what they need most.",
                ["Each kind of user has its top needs written down", "The needs are ranked"],
            )
        )
    if a.get("constraints"):
        out.append(
            _deliverable(
                "Check the constraints",
                f"Make sure the plan fits: {a['constraints']}",
                ["Every constraint has an owner", "The plan respects each one"],
            )
        )
    for risk in _answer_items(a.get("risks", ""))[:3] if answer_credit(a.get("risks")) else []:
        out.append(
            _deliverable(
                f"Reduce a risk: {risk}",
                f"Find out early whether this risk is real, and how to handle it: {risk}",
                ["The risk is tested or has a fallback", "The team knows the outcome"],
            )
        )
    return {
        "name": "Discovery",
        "description": "Confirm the goal, the users and the risks before building.",
        "deliverables": out,
    }


def _build_phases(draft: DraftText) -> list[dict[str, Any]]:
    found = features(draft)
    success = draft.answers.get("success")
    users = draft.answers.get("users")
    made = [
        _deliverable(
            title,
            f"Deliver: {title}." + (f" For {users}." if users else ""),
            [
                f"{title} works end to end",
                "It is tested and reviewed",
                f"It serves the measure: {success}" if success else "",
            ],
        )
        for title in found
    ]
    if not made:
        made = [
            _deliverable(
                "Build the first usable version",
                f"The smallest version of {draft.name} that someone can use.",
                ["Someone outside the team has used it", "It is tested and reviewed"],
            )
        ]
    if len(made) <= MAX_DELIVERABLES_PER_PHASE:
        return [{"name": "Build", "description": "Build the features.", "deliverables": made}]
    half = (len(made) + 1) // 2
    first, rest = made[:half], made[half:]
    return [
        {
            "name": "Build: core",
            "description": "The features the first version cannot do without.",
            "deliverables": first[:MAX_DELIVERABLES_PER_PHASE],
        },
        {
            "name": "Build: more",
            "description": "The features that follow.",
            "deliverables": rest[:MAX_DELIVERABLES_PER_PHASE],
        },
    ]


def _launch(draft: DraftText) -> dict[str, Any]:
    a = draft.answers
    when = a.get("deadline")
    out = [
        _deliverable(
            "Prepare the launch",
            "Plan the release, tell the users, and get support ready."
            + (f" Key date: {when}." if when else ""),
            [
                f"Ready for the key date: {when}" if when else "A launch date is set",
                "Users know what is coming and how to get help",
            ],
        ),
        _deliverable(
            "Measure the results",
            "Compare the results with the targets set in discovery.",
            [
                f"Measured: {a['success']}" if a.get("success") else "The measures are tracked",
                "The findings are shared with the team",
            ],
        ),
    ]
    return {
        "name": "Launch",
        "description": "Release, then check the results against the goal.",
        "deliverables": out,
    }


def roadmap(draft: DraftText) -> dict[str, Any]:
    """Discovery, the build phase(s), then launch: phases become columns, deliverables
    become cards."""
    return {"phases": [_discovery(draft), *_build_phases(draft), _launch(draft)]}
